// The bodies of the Elasticsearch sink's searches, and the histogram read back from its aggregations.
// Pure: what the sink asks is tested without a server (test/unit/daemon/logs/elasticsearch/).
import { FlotillaError } from '../../../core/errors.js';
import type { LogHistogram } from '../../../core/logs/api.js';
import { LOG_LEVELS, type LogLevel, type StoredLogRecord } from '../../../core/logs/record.js';
import type { ResolvedQuery } from '../../../core/query/ast.js';
import { compileQuery, type EsQuery, withFilters } from './compile.js';
import { decodePage, decodeSeq } from './cursor.js';
import { tsMs } from './documents.js';

/** Sort values of ts come back formatted, nanoseconds kept (as a number they would be a long past 2^53). */
export const TS_FORMAT = 'strict_date_optional_time_nanos';

export interface SearchBody {
  query: EsQuery;
  size: number;
  sort?: EsQuery[];
  search_after?: (string | number)[];
  _source?: boolean | string[];
  track_total_hits?: boolean;
  aggs?: EsQuery;
}

/** Newest first by ts; equal ts: the later stored first (seq), as the FTS5 sink orders them. */
export const NEWEST_FIRST: EsQuery[] = [{ ts: { order: 'desc', format: TS_FORMAT } }, { seq: { order: 'desc' } }];
export const OLDEST_FIRST: EsQuery[] = [{ ts: { order: 'asc', format: TS_FORMAT } }, { seq: { order: 'asc' } }];

export function checkLimit(limit: number, max: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new FlotillaError('usage', `limit ${limit} is out of range`, `Ask for 1 to ${max} records a page.`);
}

/** One more than the page, to know whether there is a next one. */
export function searchBody(query: ResolvedQuery, limit: number, before?: string): SearchBody {
  checkLimit(limit, 1000);
  const after = before === undefined ? undefined : decodePage(before);
  return { query: compileQuery(query), size: limit + 1, sort: NEWEST_FIRST, ...(after ? { search_after: after } : {}), track_total_hits: false };
}

export function storedAfterBody(query: ResolvedQuery, after: string | null, limit: number): SearchBody {
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new FlotillaError('usage', `limit ${limit} is out of range`, 'Ask for 1 to 5000 records at a time.');
  const compiled = compileQuery(query);
  const q = after === null ? compiled : withFilters(compiled, { range: { seq: { gt: decodeSeq(after) } } });
  return { query: q, size: limit + 1, sort: [{ seq: { order: 'asc' } }], track_total_hits: false };
}

export const HEAD_BODY: SearchBody = { query: { match_all: {} }, size: 1, sort: [{ seq: { order: 'desc' } }], _source: false, track_total_hits: false };

export function edgeBody(which: 'oldest' | 'newest'): SearchBody {
  return { query: { match_all: {} }, size: 1, sort: which === 'oldest' ? OLDEST_FIRST : NEWEST_FIRST, _source: ['ts'], track_total_hits: false };
}

export function byIdBody(id: string): SearchBody {
  return { query: { ids: { values: [id] } }, size: 1, track_total_hits: false };
}

/** The neighbours of a hit in its own container, walking away from it in ts (then seq) order. */
export function contextBody(hit: StoredLogRecord, seq: number, lines: number, dir: 'before' | 'after'): SearchBody {
  const sameSource = (['cluster', 'namespace', 'pod', 'container'] as const).map((f) => ({ term: { [f]: hit[f] } }));
  return { query: { bool: { filter: sameSource } }, size: lines, sort: dir === 'before' ? NEWEST_FIRST : OLDEST_FIRST, search_after: [hit.ts, seq], track_total_hits: false };
}

export interface HistogramPlan {
  body: SearchBody;
  bucketMs: number;
}

export function histogramBody(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): HistogramPlan {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw new FlotillaError('usage', `${buckets} buckets is out of range`, 'Ask for 1 to 1000 buckets.');
  if (!Number.isSafeInteger(query.sinceMs) || !Number.isSafeInteger(query.untilMs)) throw new FlotillaError('usage', 'the histogram range is not a pair of epoch milliseconds', 'Give since and until as times.');
  if (!(query.untilMs >= query.sinceMs)) throw new FlotillaError('usage', 'the histogram range ends before it starts', 'Give until after since.');
  const bucketMs = Math.max(1, Math.ceil((query.untilMs - query.sinceMs + 1) / buckets));
  // Buckets are aligned to the epoch plus the offset; this offset puts a bucket start at sinceMs.
  const offset = ((query.sinceMs % bucketMs) + bucketMs) % bucketMs;
  return {
    bucketMs,
    body: {
      query: compileQuery(query),
      size: 0,
      track_total_hits: false,
      aggs: {
        over_time: {
          date_histogram: { field: 'ts', fixed_interval: `${bucketMs}ms`, offset: `+${offset}ms`, min_doc_count: 1 },
          aggs: { levels: { terms: { field: 'level', size: LOG_LEVELS.length } } },
        },
      },
    },
  };
}

interface Bucket {
  key: unknown;
  doc_count?: unknown;
  levels?: { buckets?: { key: unknown; doc_count: unknown }[] };
}

export function histogramFrom(aggregations: unknown, query: { sinceMs: number; untilMs: number }, buckets: number, bucketMs: number): LogHistogram {
  const out: Partial<Record<LogLevel, number>>[] = Array.from({ length: buckets }, () => ({}));
  let total = 0;
  const list = (aggregations as { over_time?: { buckets?: Bucket[] } } | undefined)?.over_time?.buckets ?? [];
  for (const b of list) {
    if (typeof b.key !== 'number') continue;
    const slot = out[Math.min(buckets - 1, Math.max(0, Math.floor((b.key - query.sinceMs) / bucketMs)))]!;
    for (const l of b.levels?.buckets ?? []) {
      const level = l.key as LogLevel;
      if (!(LOG_LEVELS as readonly unknown[]).includes(level) || typeof l.doc_count !== 'number') continue;
      slot[level] = (slot[level] ?? 0) + l.doc_count;
      total += l.doc_count;
    }
  }
  return { fromMs: query.sinceMs, toMs: query.untilMs, bucketMs, buckets: out, total };
}

/** Every index's oldest and newest ts, in one request, for retention by age. */
export const INVENTORY_BODY: SearchBody = {
  query: { match_all: {} },
  size: 0,
  track_total_hits: false,
  aggs: { indices: { terms: { field: '_index', size: 10_000 }, aggs: { oldest: { min: { field: 'ts', format: TS_FORMAT } }, newest: { max: { field: 'ts', format: TS_FORMAT } } } } },
};

export interface IndexSpan {
  index: string;
  /** Epoch ms of the oldest and newest record (null when the index is empty). */
  oldestMs: number | null;
  newestMs: number | null;
}

export function spansFrom(aggregations: unknown): Map<string, IndexSpan> {
  const out = new Map<string, IndexSpan>();
  type Edge = { value_as_string?: unknown };
  const list = (aggregations as { indices?: { buckets?: { key: unknown; oldest?: Edge; newest?: Edge }[] } } | undefined)?.indices?.buckets ?? [];
  // The formatted value, not `value`: its unit for date_nanos has differed between versions.
  const ms = (e: Edge | undefined) => (typeof e?.value_as_string === 'string' ? tsMs(e.value_as_string) : null);
  for (const b of list) {
    if (typeof b.key !== 'string') continue;
    out.set(b.key, { index: b.key, oldestMs: ms(b.oldest), newestMs: ms(b.newest) });
  }
  return out;
}
