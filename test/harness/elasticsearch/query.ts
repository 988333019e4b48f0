// The query DSL the test server evaluates, parsed as strictly as Elasticsearch parses it (an unknown
// query or parameter is a 400 parsing_exception, so a sink cannot lean on something the server only
// pretends to do): bool (must, filter, should, must_not, minimum_should_match), term, terms,
// wildcard, prefix, match, match_phrase, range, ids, exists, match_all, match_none. Then sorting
// (fields, `_doc`, order, format, missing), search_after and _source filtering.
import { formatDate, parseDateNanos } from './dates.js';
import { EsError, illegal, parsing, text } from './errors.js';
import { globMatch, type Doc, type FieldDef, type Index } from './index-store.js';

export type Predicate = (doc: Doc) => boolean;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function single(q: unknown, name: string): [string, unknown] {
  if (!isObj(q)) throw parsing(`[${name}] query malformed, no start_object after query name`);
  const entries = Object.entries(q);
  if (entries.length !== 1) throw parsing(`[${name}] query doesn't support multiple fields, found [${entries.map((e) => e[0]).join('] and [')}]`);
  return entries[0]!;
}

function params(v: unknown, name: string, main: string, allowed: string[]): Obj {
  if (!isObj(v)) return { [main]: v };
  for (const k of Object.keys(v)) if (![main, 'boost', '_name', ...allowed].includes(k)) throw parsing(`[${name}] query does not support [${k}]`);
  return v;
}

/** Lucene's wildcard syntax: `*` any run, `?` one character, `\` escapes. */
export function wildcardRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else re += c.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

/** The indexed terms of a field of a document, as strings (keywords, text tokens, _id, _index). */
function termsOf(doc: Doc, path: string, def: FieldDef): string[] {
  if (path === '_id') return [doc.id];
  if (path === '_index') return [doc.index];
  if (def.type === 'text') return (doc.texts.get(path) ?? []).map((t) => t.term);
  // Keywords, booleans, and flattened fields: the root's leaves under `fields`, a keyed field's under `fields.KEY`.
  return doc.keywords.get(path) ?? [];
}

function compare(a: bigint | number | string, b: bigint | number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function valueFor(def: FieldDef, v: unknown, field: string): bigint | number | string {
  if (def.type === 'date' || def.type === 'date_nanos') {
    const n = parseDateNanos(v);
    if (n === null) throw new EsError(400, 'parse_exception', `failed to parse date field [${String(v)}] with format [strict_date_optional_time||epoch_millis]: [failed to parse date field [${String(v)}] with format [strict_date_optional_time||epoch_millis]]`);
    return n;
  }
  if (def.type === 'long' || def.type === 'integer') {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new EsError(400, 'number_format_exception', `For input string: "${String(v)}"`);
    return n;
  }
  if (typeof v === 'object') throw parsing(`[${field}] value must be a string, number or boolean`);
  return text(v);
}

export function fieldValues(doc: Doc, path: string, def: FieldDef): (bigint | number | string)[] {
  if (def.type === 'date' || def.type === 'date_nanos') return doc.dates.get(path) ?? [];
  if (def.type === 'long' || def.type === 'integer') return doc.numbers.get(path) ?? [];
  return termsOf(doc, path, def);
}

export function compileQuery(q: unknown, index: Index): Predicate {
  if (q === undefined) return () => true;
  if (!isObj(q)) throw parsing('query malformed, must start with start_object');
  const entries = Object.entries(q);
  if (entries.length !== 1) throw parsing(`[${entries[1]?.[0] ?? 'query'}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  const [type, body] = entries[0]!;
  // An unmapped field matches nothing, as on a shard without the field.
  const field = (name: string) => index.fieldOf(name);
  switch (type) {
    case 'match_all':
    case 'match_none': {
      if (!isObj(body)) throw parsing(`[${type}] query malformed`);
      for (const k of Object.keys(body)) if (k !== 'boost' && k !== '_name') throw parsing(`[${type}] query does not support [${k}]`);
      return type === 'match_all' ? () => true : () => false;
    }
    case 'bool': {
      if (!isObj(body)) throw parsing('[bool] query malformed');
      const list = (k: string) => {
        const v = body[k];
        return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((c) => compileQuery(c, index));
      };
      for (const k of Object.keys(body)) if (!['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name'].includes(k)) throw parsing(`[bool] query does not support [${k}]`);
      const must = [...list('must'), ...list('filter')];
      const should = list('should');
      const not = list('must_not');
      const msm = body.minimum_should_match === undefined ? (must.length === 0 && should.length > 0 ? 1 : 0) : Number(body.minimum_should_match);
      return (d) => must.every((p) => p(d)) && !not.some((p) => p(d)) && should.filter((p) => p(d)).length >= msm;
    }
    case 'term':
    case 'prefix':
    case 'wildcard': {
      const [name, raw] = single(body, type);
      const p = params(raw, type, 'value', type === 'term' ? ['case_insensitive'] : type === 'prefix' ? ['case_insensitive', 'rewrite'] : ['case_insensitive', 'rewrite', 'wildcard']);
      const value = p.value ?? p.wildcard;
      if (value === undefined || value === null) throw parsing(`[${type}] query requires a value`);
      const f = field(name);
      if (!f) return () => false;
      if (type === 'wildcard' && f.keyed !== undefined) throw illegal('[wildcard] queries are not currently supported on keyed [flattened] fields.');
      const ci = p.case_insensitive === true;
      if (type === 'term') {
        const want = valueFor(f.def, value, name);
        if (f.def.type === 'text' || f.def.type === 'keyword' || f.def.type === 'flattened' || f.def.type === 'boolean') {
          const s = String(want);
          return (d) => termsOf(d, name, f.def).some((t) => (ci ? t.toLowerCase() === s.toLowerCase() : t === s));
        }
        return (d) => fieldValues(d, name, f.def).some((v) => compare(v, want) === 0);
      }
      if (f.def.type !== 'keyword' && f.def.type !== 'text' && f.def.type !== 'flattened') throw new EsError(400, 'query_shard_exception', `Can only use ${type} queries on keyword and text fields - not on [${name}] which is of type [${f.def.type}]`);
      const s = text(value);
      const re = type === 'wildcard' ? wildcardRegex(s, ci) : null;
      return (d) => termsOf(d, name, f.def).some((t) => (re ? re.test(t) : ci ? t.toLowerCase().startsWith(s.toLowerCase()) : t.startsWith(s)));
    }
    case 'terms': {
      if (!isObj(body)) throw parsing('[terms] query malformed');
      const names = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
      if (names.length !== 1) throw parsing('[terms] query does not support multiple fields');
      const name = names[0]!;
      const values = body[name];
      if (!Array.isArray(values)) throw parsing(`[terms] query does not support [${name}]`);
      const f = field(name);
      if (!f) return () => false;
      const want = new Set(values.map((v) => String(valueFor(f.def, v, name))));
      return (d) => fieldValues(d, name, f.def).some((v) => want.has(String(v)));
    }
    case 'match':
    case 'match_phrase': {
      const [name, raw] = single(body, type);
      const p = params(raw, type, 'query', type === 'match' ? ['operator', 'analyzer', 'zero_terms_query', 'lenient', 'minimum_should_match'] : ['analyzer', 'slop', 'zero_terms_query']);
      if (p.query === undefined) throw parsing(`No text specified for text query`);
      if (p.slop !== undefined && p.slop !== 0) throw illegal('the test server does not model match_phrase slop');
      const f = field(name);
      if (!f) return () => false;
      const analyzer = p.analyzer === undefined ? index.analyzerOf(f.def, true) : index.analyzers.get(text(p.analyzer));
      if (!analyzer) throw illegal(`analyzer [${text(p.analyzer)}] not found for field [${name}]`);
      const tokens = analyzer(text(p.query)).map((t) => t.term);
      if (tokens.length === 0) return p.zero_terms_query === 'all' ? () => true : () => false;
      if (f.def.type !== 'text') return (d) => termsOf(d, name, f.def).some((t) => tokens.includes(t));
      if (type === 'match') {
        const and = text(p.operator ?? 'or').toLowerCase() === 'and';
        return (d) => {
          const have = new Set(termsOf(d, name, f.def));
          return and ? tokens.every((t) => have.has(t)) : tokens.some((t) => have.has(t));
        };
      }
      return (d) => {
        const toks = d.texts.get(name) ?? [];
        const at = new Map<number, string>(toks.map((t) => [t.position, t.term]));
        return toks.some((t) => t.term === tokens[0] && tokens.every((w, k) => at.get(t.position + k) === w));
      };
    }
    case 'range': {
      const [name, raw] = single(body, type);
      if (!isObj(raw)) throw parsing('[range] query malformed, no start_object after query name');
      for (const k of Object.keys(raw)) if (!['gte', 'gt', 'lte', 'lt', 'format', 'boost', 'time_zone', 'relation', '_name'].includes(k)) throw parsing(`[range] query does not support [${k}]`);
      const f = field(name);
      if (!f) return () => false;
      const bound = (k: string) => (raw[k] === undefined || raw[k] === null ? undefined : valueFor(f.def, raw[k], name));
      const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
      return (d) =>
        fieldValues(d, name, f.def).some((v) => (gte === undefined || compare(v, gte) >= 0) && (gt === undefined || compare(v, gt) > 0) && (lte === undefined || compare(v, lte) <= 0) && (lt === undefined || compare(v, lt) < 0));
    }
    case 'ids': {
      if (!isObj(body) || !Array.isArray(body.values)) throw parsing('[ids] query malformed, [values] is required');
      const want = new Set(body.values.map(String));
      return (d) => want.has(d.id);
    }
    case 'exists': {
      if (!isObj(body) || typeof body.field !== 'string') throw parsing('[exists] must be provided with a [field]');
      const f = field(body.field);
      if (!f) return () => false;
      return (d) => fieldValues(d, body.field as string, f.def).length > 0;
    }
    default:
      throw parsing(`unknown query [${type}]`);
  }
}

export interface SortKey {
  field: string;
  desc: boolean;
  format?: string;
  missingFirst: boolean;
}

export function parseSort(sort: unknown): SortKey[] {
  if (sort === undefined) return [];
  const list = Array.isArray(sort) ? sort : [sort];
  return list.map((s): SortKey => {
    if (typeof s === 'string') return { field: s, desc: s === '_score', missingFirst: false };
    if (!isObj(s)) throw parsing('malformed sort');
    const [field, spec] = single(s, 'sort');
    if (typeof spec === 'string') return { field, desc: spec === 'desc', missingFirst: false };
    if (!isObj(spec)) throw parsing(`malformed sort for [${field}]`);
    for (const k of Object.keys(spec)) if (!['order', 'format', 'missing', 'unmapped_type', 'numeric_type', 'mode'].includes(k)) throw parsing(`[field_sort] unknown field [${k}]`);
    return { field, desc: spec.order === 'desc', ...(typeof spec.format === 'string' ? { format: spec.format } : {}), missingFirst: spec.missing === '_first' };
  });
}

type SortValue = bigint | number | string | null;

/** The value a document sorts by for one key (the smallest for asc, the largest for desc, as mode min/max). */
export function sortValue(doc: Doc, key: SortKey, index: Index): SortValue {
  if (key.field === '_doc') return doc.seqNo;
  if (key.field === '_score') return 1;
  const f = index.fieldOf(key.field);
  if (!f) throw new EsError(400, 'query_shard_exception', `No mapping found for [${key.field}] in order to sort on`, { index: index.name });
  if (f.def.type === 'text') throw illegal(`Fielddata is disabled on [${key.field}] in [${index.name}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default.`);
  const values = fieldValues(doc, key.field, f.def);
  if (values.length === 0) return null;
  return values.reduce((a, b) => ((key.desc ? compare(b, a) > 0 : compare(b, a) < 0) ? b : a));
}

/** A sort value as the response shows it (a date as a long, or formatted when the sort asks). */
export function sortOutput(v: SortValue, key: SortKey, index: Index): unknown {
  // Long.MIN_VALUE / Long.MAX_VALUE, which JSON readers take as the nearest double anyway.
  if (v === null) return key.desc ? -(2 ** 63) : 2 ** 63;
  const f = index.fieldOf(key.field);
  if (typeof v === 'bigint') {
    if (key.format !== undefined) return formatDate(v, key.format, f?.def.type === 'date_nanos');
    return f?.def.type === 'date_nanos' ? Number(v) : Number(v / 1_000_000n);
  }
  return v;
}

/** A search_after value read back for one sort key. */
export function sortInput(v: unknown, key: SortKey, index: Index): SortValue {
  const f = index.fieldOf(key.field);
  if (key.field === '_doc' || key.field === '_score') return Number(v);
  if (f && (f.def.type === 'date' || f.def.type === 'date_nanos')) {
    if (typeof v === 'number' && key.format === undefined) return f.def.type === 'date_nanos' ? BigInt(Math.trunc(v)) : BigInt(Math.trunc(v)) * 1_000_000n;
    const n = parseDateNanos(v);
    if (n === null) throw new EsError(400, 'parse_exception', `failed to parse date field [${String(v)}] with format [${key.format ?? 'strict_date_optional_time'}]`);
    return n;
  }
  if (f && (f.def.type === 'long' || f.def.type === 'integer')) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new EsError(400, 'number_format_exception', `For input string: "${String(v)}"`);
    return n;
  }
  return v === null ? null : text(v);
}

export function compareSort(a: SortValue[], b: SortValue[], keys: SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === k.missingFirst ? -1 : 1;
    }
    const c = compare(x, y);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

/** `_source` of a hit under a request's source filter. */
export function filterSource(source: Record<string, unknown>, filter: unknown): Record<string, unknown> | undefined {
  if (filter === false) return undefined;
  if (filter === undefined || filter === true) return source;
  let includes: string[] = [];
  let excludes: string[] = [];
  if (typeof filter === 'string') includes = [filter];
  else if (Array.isArray(filter)) includes = filter.map(String);
  else if (isObj(filter)) {
    includes = ([] as unknown[]).concat(filter.includes ?? filter.include ?? []).map(String);
    excludes = ([] as unknown[]).concat(filter.excludes ?? filter.exclude ?? []).map(String);
  } else throw parsing('[_source] malformed');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    if (includes.length > 0 && !includes.some((p) => globMatch(p, k))) continue;
    if (excludes.some((p) => globMatch(p, k))) continue;
    out[k] = v;
  }
  return out;
}
