// The aggregations the test server computes: date_histogram (fixed_interval, offset, min_doc_count,
// extended_bounds; dates at millisecond resolution, as Elasticsearch aggregates date_nanos), terms
// (any keyword field, `_index` too; count then key order), min and max (with value_as_string).
// Sub-aggregations nest under `aggs` / `aggregations`. An unknown type is a 400.
import { formatDate, msOf } from './dates.js';
import { EsError, parsing, text } from './errors.js';
import type { Doc, Index } from './index-store.js';
import { fieldValues } from './query.js';

type Obj = Record<string, unknown>;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function duration(v: unknown, what: string): number {
  const m = /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(String(v));
  if (!m) throw new EsError(400, 'illegal_argument_exception', `failed to parse setting [${what}] with value [${String(v)}] as a time value: unit is missing or unrecognized`);
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNITS[m[3]!]!;
}

/** A document with the index it is in (each index has its own mappings). */
export interface Scoped {
  doc: Doc;
  index: Index;
}

function values(s: Scoped, field: string): (bigint | number | string)[] {
  if (field === '_index') return [s.doc.index];
  const f = s.index.fieldOf(field);
  return f ? fieldValues(s.doc, field, f.def) : [];
}

function isDateField(field: string, indices: Index[]): { date: boolean; nanos: boolean } {
  const types = new Set(indices.map((i) => i.fieldOf(field)?.def.type).filter(Boolean));
  return { date: types.has('date') || types.has('date_nanos'), nanos: types.has('date_nanos') };
}

export function aggregate(spec: unknown, docs: Scoped[], indices: Index[]): Obj {
  if (typeof spec !== 'object' || spec === null) throw parsing('Expected [START_OBJECT] under [aggs]');
  const out: Obj = {};
  for (const [name, def] of Object.entries(spec as Obj)) {
    if (typeof def !== 'object' || def === null) throw parsing(`Expected [START_OBJECT] under [${name}]`);
    const { aggs: subA, aggregations: subB, meta: _meta, ...rest } = def as Obj;
    const sub = subA ?? subB;
    const types = Object.keys(rest);
    if (types.length !== 1) throw parsing(`Expected [START_OBJECT] under [${types[1] ?? name}], but got a [FIELD_NAME] in [${name}]`);
    const type = types[0]!;
    const p = rest[type] as Obj;
    const field = text(p.field ?? '');
    const withSub = (bucketDocs: Scoped[]) => (sub ? aggregate(sub, bucketDocs, indices) : {});
    switch (type) {
      case 'date_histogram': {
        for (const k of Object.keys(p)) if (!['field', 'fixed_interval', 'calendar_interval', 'offset', 'min_doc_count', 'extended_bounds', 'format', 'time_zone', 'order', 'keyed'].includes(k)) throw parsing(`[date_histogram] unknown field [${k}]`);
        if (p.calendar_interval !== undefined) throw new EsError(400, 'illegal_argument_exception', 'the test server models date_histogram with fixed_interval only');
        if (p.fixed_interval === undefined) throw new EsError(400, 'illegal_argument_exception', 'Invalid interval specified, must be non-null and non-empty');
        const interval = duration(p.fixed_interval, 'date_histogram.fixedInterval');
        if (interval <= 0) throw new EsError(400, 'illegal_argument_exception', 'Zero or negative time interval is not supported');
        const offset = p.offset === undefined ? 0 : duration(p.offset, 'date_histogram.offset');
        const { nanos } = isDateField(field, indices);
        const buckets = new Map<number, Scoped[]>();
        for (const s of docs) {
          for (const v of values(s, field)) {
            if (typeof v !== 'bigint') continue;
            const ms = msOf(v);
            const key = Math.floor((ms - offset) / interval) * interval + offset;
            const list = buckets.get(key) ?? [];
            if (!list.includes(s)) list.push(s);
            buckets.set(key, list);
          }
        }
        const minDocCount = Number(p.min_doc_count ?? 0);
        let keys = [...buckets.keys()].sort((a, b) => a - b);
        if (minDocCount === 0 && keys.length > 0) {
          const filled: number[] = [];
          for (let k = keys[0]!; k <= keys[keys.length - 1]!; k += interval) filled.push(k);
          keys = filled;
        }
        out[name] = {
          buckets: keys
            .map((key) => ({ key, docs: buckets.get(key) ?? [] }))
            .filter((b) => b.docs.length >= minDocCount)
            .map((b) => ({ key_as_string: formatDate(BigInt(b.key) * 1_000_000n, typeof p.format === 'string' ? p.format : nanos ? 'strict_date_optional_time_nanos' : undefined, false), key: b.key, doc_count: b.docs.length, ...withSub(b.docs) })),
        };
        break;
      }
      case 'terms': {
        for (const k of Object.keys(p)) if (!['field', 'size', 'min_doc_count', 'order', 'shard_size', 'missing'].includes(k)) throw parsing(`[terms] unknown field [${k}]`);
        const size = Number(p.size ?? 10);
        const groups = new Map<string, { key: string | number; docs: Scoped[] }>();
        for (const s of docs) {
          for (const v of new Set(values(s, field).map((x) => (typeof x === 'bigint' ? Number(x / 1_000_000n) : x)))) {
            const g = groups.get(String(v)) ?? { key: v, docs: [] };
            g.docs.push(s);
            groups.set(String(v), g);
          }
        }
        const sorted = [...groups.values()].filter((g) => g.docs.length >= Number(p.min_doc_count ?? 1)).sort((a, b) => b.docs.length - a.docs.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const shown = sorted.slice(0, size);
        out[name] = {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: sorted.slice(size).reduce((n, g) => n + g.docs.length, 0),
          buckets: shown.map((g) => ({ key: g.key, doc_count: g.docs.length, ...withSub(g.docs) })),
        };
        break;
      }
      case 'min':
      case 'max': {
        for (const k of Object.keys(p)) if (!['field', 'format', 'missing'].includes(k)) throw parsing(`[${type}] unknown field [${k}]`);
        const all = docs.flatMap((s) => values(s, field));
        const { date, nanos } = isDateField(field, indices);
        if (all.length === 0) {
          out[name] = { value: null };
          break;
        }
        const pick = all.reduce((a, b) => ((type === 'min' ? b < a : b > a) ? b : a));
        if (date && typeof pick === 'bigint') out[name] = { value: msOf(pick), value_as_string: formatDate(pick, typeof p.format === 'string' ? p.format : undefined, nanos) };
        else out[name] = { value: Number(pick) };
        break;
      }
      default:
        throw parsing(`Unknown aggregation type [${type}]`);
    }
  }
  return out;
}
