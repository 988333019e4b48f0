// Search on the SQLite FTS5 log sink at 1M and 10M stored lines (issue 7, "Benchmark"): newest 100
// matches of a term, and a filtered 15-minute window with counts by level; plus the raw insert rate
// of the same records through the sink's own write() in big batches, which the end-to-end benchmark
// compares against. Records are realistic in shape: access lines, JSON application lines with fields,
// levels skewed to info, stack traces, a fleet of clusters and pods, seven days of timestamps.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel, LogRecord } from '../../core/logs/record.js';
import type { ResolvedQuery } from '../../core/query/ast.js';
import { Fts5LogSink } from '../../daemon/logs/fts5/sink.js';
import { summarize } from './proc-sampler.js';

export interface LogSearchResult {
  lines: number;
  dbBytes: number;
  bytesPerMillionLines: number;
  /** Insert rate of the lines added to reach this size, per batch segment (spread). */
  insertLinesPerSecond: number[];
  /** One summary per run; each run queries each term once in a fresh order. */
  newest100: ReturnType<typeof summarize>[];
  window15m: ReturnType<typeof summarize>[];
  /** Matches in a newest-100 answer, over all runs (< 100 only for a term rarer than that). */
  meanHits: number;
}

const DAY = 86_400_000;
const SPAN = 7 * DAY;
const BATCH = 5000;
const WORDS = 'order payment invoice customer cart checkout session token cache database query connection pool retry request response upstream downstream gateway service worker queue message consumer producer shard replica leader follower snapshot compaction index segment merge flush commit rollback transaction lock deadlock timeout refused reset closed opened started stopped ready healthy unhealthy degraded failed succeeded scheduled evicted throttled'.split(' ');
const RARE = Array.from({ length: 200 }, (_, i) => `code${i}x`);
const PATHS = ['/api/v1/orders', '/api/v1/payments', '/healthz', '/api/v1/users', '/static/app.js', '/api/v2/search'];
const LEVELS: LogLevel[] = ['info', 'info', 'info', 'info', 'info', 'info', 'info', 'debug', 'debug', 'warn', 'error', 'info', 'info', 'debug', 'warn', 'info', 'info', 'info', 'info', 'info'];

/** A small, fast deterministic generator (mulberry32), so every run stores the same lines. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Records startIndex.. of `total` spread evenly over spanMs from startMs (default seven days). */
export function makeRecords(startIndex: number, count: number, total: number, startMs: number, spanMs = SPAN): LogRecord[] {
  const rand = rng(startIndex + 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const out: LogRecord[] = [];
  for (let k = 0; k < count; k++) {
    const i = startIndex + k;
    const ms = startMs + Math.floor((i / total) * spanMs) + Math.floor(rand() * 50);
    const c = Math.floor(rand() * 40);
    const pod = Math.floor(rand() * 25);
    const level = pick(LEVELS);
    const kind = rand();
    let message: string;
    let fields: LogRecord['fields'] = {};
    if (kind < 0.4) {
      message = `10.${c}.${pod}.${i % 250} - - "GET ${pick(PATHS)}/${i % 100000} HTTP/1.1" ${level === 'error' ? 503 : 200} ${Math.floor(rand() * 5000)} ${Math.floor(rand() * 300)}ms`;
    } else if (kind < 0.9) {
      const words = Array.from({ length: 4 + Math.floor(rand() * 8) }, () => pick(WORDS));
      if (rand() < 0.02) words.push(pick(RARE));
      message = JSON.stringify({ level, msg: words.join(' '), user_id: i % 5000, trace: (i * 2654435761 >>> 0).toString(16) });
      fields = { level, msg: words.join(' '), user_id: i % 5000, 'http.status': level === 'error' ? 500 : 200 };
    } else {
      message = `${level === 'error' ? 'Exception in thread "main" java.lang.IllegalStateException: ' : ''}${pick(WORDS)} ${pick(WORDS)} at com.example.${pick(WORDS)}.Handler.handle(Handler.java:${i % 900})`;
    }
    out.push({
      id: createHash('sha256').update(`bench/${i}`).digest('hex').slice(0, 32),
      ts: new Date(ms).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`),
      cluster: `${c < 30 ? 'prod' : 'staging'}-${['eu', 'us', 'ap'][c % 3]}-${c}`,
      namespace: ['payments', 'checkout', 'web', 'search', 'kube-system'][pod % 5]!,
      pod: `${['api', 'worker', 'web', 'indexer', 'coredns'][pod % 5]}-${(c * 31 + pod).toString(36)}-x7k2p`,
      container: pod % 5 === 4 ? 'coredns' : 'app',
      node: `node-${c}-${pod % 6}`,
      stream: level === 'error' || level === 'warn' ? 'stderr' : 'stdout',
      level,
      message,
      fields,
    });
  }
  return out;
}

const q = (over: Partial<ResolvedQuery>): ResolvedQuery => ({ filters: [], fields: [], text: [], ...over });

function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  return fn().then(() => performance.now() - t0);
}

export async function benchLogSearch(sizes: number[], opts: { runs: number; log: (s: string) => void }): Promise<LogSearchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-logs-'));
  const sink = new Fts5LogSink({ file: join(dir, 'logs.db'), partitionHours: 24 });
  const total = Math.max(...sizes);
  const startMs = Date.UTC(2026, 2, 1);
  const results: LogSearchResult[] = [];
  let stored = 0;
  try {
    for (const size of [...sizes].sort((a, b) => a - b)) {
      // Lines are spread over the whole span of the largest size, so the smaller store is its prefix in time.
      const rates: number[] = [];
      const segment = Math.max(BATCH, Math.ceil((size - stored) / 5 / BATCH) * BATCH);
      while (stored < size) {
        const segEnd = Math.min(size, stored + segment);
        let writeMs = 0;
        const segStart = stored;
        while (stored < segEnd) {
          const batch = makeRecords(stored, Math.min(BATCH, segEnd - stored), total, startMs);
          writeMs += await time(() => sink.write(batch));
          stored += batch.length;
        }
        rates.push(Math.round(((stored - segStart) / writeMs) * 1000));
        opts.log(`log-search: ${stored} lines stored (${rates[rates.length - 1]} lines/s)`);
      }
      const stats = await sink.stats();
      const newestMs = Date.parse(stats.newestTs!);
      const terms = ['timeout', 'deadlock', 'payment', 'refused', ...RARE.slice(0, 16), 'exception', 'healthz', 'snapshot', 'throttled'];
      const newest100: ReturnType<typeof summarize>[] = [];
      const window15m: ReturnType<typeof summarize>[] = [];
      let hits = 0;
      let answers = 0;
      for (let run = 0; run < opts.runs; run++) {
        const rand = rng(run + 7);
        const order = [...terms, ...terms, ...terms].sort(() => rand() - 0.5);
        const times: number[] = [];
        for (const term of order) {
          times.push(
            await time(async () => {
              const page = await sink.search({ query: q({ text: [{ kind: 'word', tokens: [term], negated: false }] }), limit: 100 });
              hits += page.items.length;
              answers++;
            }),
          );
        }
        newest100.push(summarize(times));
        const wtimes: number[] = [];
        for (let k = 0; k < 60; k++) {
          // A 15-minute window somewhere in the last day, production clusters of one namespace, errors and warnings.
          const untilMs = newestMs - Math.floor(rand() * (DAY - 15 * 60_000));
          const sinceMs = untilMs - 15 * 60_000;
          const query = { ...q({ filters: [{ field: 'cluster', values: [{ kind: 'glob', value: 'prod-*' }], negated: false }, { field: 'namespace', values: [{ kind: 'exact', value: 'payments' }], negated: false }] }), sinceMs, untilMs };
          wtimes.push(await time(() => Promise.all([sink.histogram(query, 60), sink.search({ query, limit: 100 })])));
        }
        window15m.push(summarize(wtimes));
      }
      opts.log(`log-search: ${size} lines: newest-100 p99 ${newest100.map((s) => s.p99.toFixed(2)).join(', ')} ms; 15-minute window p99 ${window15m.map((s) => s.p99.toFixed(2)).join(', ')} ms`);
      results.push({ lines: size, dbBytes: stats.bytes, bytesPerMillionLines: Math.round(stats.bytes / (size / 1e6)), insertLinesPerSecond: rates, newest100, window15m, meanHits: hits / answers });
    }
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
