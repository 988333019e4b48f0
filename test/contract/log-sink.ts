// The behaviour every LogSink promises (daemon/logs/sink.ts, DESIGN.md §3.6), run against each sink by
// its own test file. Each case gets a fresh, empty sink from make(). Records span many hours, so a
// sink that partitions by time (the FTS5 sink is run with 1-hour partitions) is exercised across them.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../core/errors.js';
import type { LogRecord, StoredLogRecord } from '../../core/logs/record.js';
import type { FieldFilter, JsonFieldFilter, Pattern, ResolvedQuery, TextTerm } from '../../core/query/ast.js';
import type { LogSink } from '../../daemon/logs/sink.js';
import { referenceMatches } from './log-reference.js';

export interface SinkUnderTest {
  sink: LogSink;
  /** Closes the sink and opens it again on the same storage, as a daemon restart does. */
  reopen(): Promise<LogSink>;
  cleanup(): Promise<void>;
}

const BASE = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;

export function logId(key: string | number): string {
  return createHash('sha256').update(String(key)).digest('hex').slice(0, 32);
}

export function isoAt(ms: number, extraNs = 0): string {
  const iso = new Date(ms).toISOString(); // …T10:00:00.123Z
  return extraNs ? `${iso.slice(0, -1)}${String(extraNs).padStart(6, '0')}Z` : iso;
}

export function rec(key: string | number, over: Partial<LogRecord> = {}): LogRecord {
  return {
    id: logId(key),
    ts: isoAt(BASE),
    cluster: 'prod-eu',
    namespace: 'payments',
    pod: 'api-1',
    container: 'app',
    node: 'node-a',
    stream: 'stdout',
    level: 'info',
    message: `line ${key}`,
    fields: {},
    ...over,
  };
}

export const q = (over: Partial<ResolvedQuery> = {}): ResolvedQuery => ({ filters: [], fields: [], text: [], ...over });
export const word = (token: string, negated = false): TextTerm => ({ kind: 'word', tokens: [token], negated });
export const exact = (value: string): Pattern => ({ kind: 'exact', value });
export const glob = (value: string): Pattern => ({ kind: 'glob', value });
export const filter = (field: FieldFilter['field'], values: (string | Pattern)[], negated = false): FieldFilter => ({ field, values: values.map((v) => (typeof v === 'string' ? exact(v) : v)), negated });
const jsonField = (key: string, values: (string | Pattern)[], negated = false): JsonFieldFilter => ({ key, values: values.map((v) => (typeof v === 'string' ? exact(v) : v)), negated });

const strip = ({ cursor: _cursor, ...r }: StoredLogRecord): LogRecord => r;
const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

/** Newest first by ts; equal ts: the later written first (the order the sinks keep). */
function newestFirst(written: readonly LogRecord[]): LogRecord[] {
  return written
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.ts === b.r.ts ? b.i - a.i : a.r.ts < b.r.ts ? 1 : -1))
    .map((x) => x.r);
}

async function all(sink: LogSink, query: ResolvedQuery, limit = 1000): Promise<StoredLogRecord[]> {
  const out: StoredLogRecord[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await sink.search({ query, limit, ...(before ? { before } : {}) });
    out.push(...page.items);
    if (!page.next) return out;
    before = page.next;
  }
}

export function logSinkContract(name: string, make: () => Promise<SinkUnderTest>): void {
  describe(`log sink contract: ${name}`, () => {
    let current: SinkUnderTest;
    let sink: LogSink;

    beforeEach(async () => {
      current = await make();
      sink = current.sink;
    });
    afterEach(async () => {
      await current.cleanup();
    });

    it('stores a batch once: a known id is already stored, across batches and a restart', async () => {
      const batch = [rec(1), rec(2), rec(3, { ts: isoAt(BASE + 5 * HOUR) })];
      const first = await sink.write(batch);
      expect(first.duplicates).toBe(0);
      expect(ids(first.stored)).toEqual(ids(batch));
      expect(first.stored.map(strip)).toEqual(batch);

      const again = await sink.write([rec(2), rec(4), rec(3, { ts: isoAt(BASE + 5 * HOUR) }), rec(4)]);
      expect(again.duplicates).toBe(3);
      expect(ids(again.stored)).toEqual([logId(4)]);

      sink = await current.reopen();
      const afterRestart = await sink.write([rec(1), rec(3, { ts: isoAt(BASE + 5 * HOUR) }), rec(5)]);
      expect(afterRestart.duplicates).toBe(2);
      expect(ids(afterRestart.stored)).toEqual([logId(5)]);
      expect((await sink.stats()).records).toBe(5);
      expect(ids(await all(sink, q())).sort()).toEqual([1, 2, 3, 4, 5].map(logId).sort());
      // Cursors keep increasing across the restart.
      expect(afterRestart.stored[0]!.cursor > again.stored[0]!.cursor).toBe(true);
    });

    it('writes all of a batch or none of it', async () => {
      await sink.write([rec('kept')]);
      const bad = [rec('a'), rec('b', { ts: isoAt(BASE + 2 * HOUR) }), rec('c', { ts: 'yesterday' }), rec('d')];
      await expect(sink.write(bad)).rejects.toBeInstanceOf(FlotillaError);
      expect((await sink.stats()).records).toBe(1);
      expect(ids(await all(sink, q()))).toEqual([logId('kept')]);
      // The sink is still usable, and the refused records can be written once fixed.
      const fixed = await sink.write([rec('a'), rec('b', { ts: isoAt(BASE + 2 * HOUR) })]);
      expect(fixed.stored).toHaveLength(2);
    });

    it('matches words, prefixes and phrases, case-insensitively and without diacritics', async () => {
      await sink.write([
        rec('w1', { message: 'Connection TIMEOUT after 30s' }),
        rec('w2', { message: 'timeouts are configured' }),
        rec('w3', { message: 'after the timeout the connection closed' }),
        rec('w4', { message: 'Café crème déjà vu' }),
      ]);
      expect(ids(await all(sink, q({ text: [word('timeout')] }))).sort()).toEqual([logId('w1'), logId('w3')].sort());
      expect(ids(await all(sink, q({ text: [{ kind: 'prefix', tokens: ['timeout'], negated: false }] }))).sort()).toEqual([logId('w1'), logId('w2'), logId('w3')].sort());
      expect(ids(await all(sink, q({ text: [{ kind: 'phrase', tokens: ['connection', 'timeout'], negated: false }] })))).toEqual([logId('w1')]);
      expect(ids(await all(sink, q({ text: [word('cafe'), word('creme')] })))).toEqual([logId('w4')]);
      expect(ids(await all(sink, q({ text: [word('timeout'), word('connection')] }))).sort()).toEqual([logId('w1'), logId('w3')].sort());
    });

    it('negates words, with and without a positive term', async () => {
      await sink.write([rec('n1', { message: 'error in db' }), rec('n2', { message: 'error in cache' }), rec('n3', { message: 'all fine' })]);
      expect(ids(await all(sink, q({ text: [word('error'), word('cache', true)] })))).toEqual([logId('n1')]);
      expect(ids(await all(sink, q({ text: [word('error', true)] })))).toEqual([logId('n3')]);
      expect(ids(await all(sink, q({ text: [word('error', true), word('fine', true)] })))).toEqual([]);
      expect(ids(await all(sink, q({ text: [{ kind: 'phrase', tokens: ['in', 'db'], negated: true }] }))).sort()).toEqual([logId('n2'), logId('n3')].sort());
    });

    it('filters every record field, exact and by glob, ORed within a filter, negated', async () => {
      await sink.write([
        rec('f1', { cluster: 'prod-eu', namespace: 'payments', pod: 'api-7f9', container: 'app', node: 'n1', level: 'error', stream: 'stderr' }),
        rec('f2', { cluster: 'prod-us', namespace: 'payments', pod: 'worker-1', container: 'sidecar', node: 'n2', level: 'warn', stream: 'stdout' }),
        rec('f3', { cluster: 'staging', namespace: 'kube-system', pod: 'dns?x', container: 'app[1]', node: '', level: 'info', stream: 'stdout' }),
      ]);
      const find = async (...filters: FieldFilter[]) => ids(await all(sink, q({ filters }))).sort();
      expect(await find(filter('cluster', [glob('prod-*')]))).toEqual([logId('f1'), logId('f2')].sort());
      expect(await find(filter('cluster', [glob('prod-*')], true))).toEqual([logId('f3')]);
      expect(await find(filter('namespace', ['payments']), filter('pod', [glob('api-*')]))).toEqual([logId('f1')]);
      expect(await find(filter('container', ['sidecar', 'app']))).toEqual([logId('f1'), logId('f2')].sort());
      expect(await find(filter('node', ['n2']))).toEqual([logId('f2')]);
      expect(await find(filter('node', ['']))).toEqual([logId('f3')]);
      expect(await find(filter('level', ['error', 'warn']))).toEqual([logId('f1'), logId('f2')].sort());
      expect(await find(filter('level', [glob('w*')]))).toEqual([logId('f2')]);
      expect(await find(filter('level', ['nonsense']))).toEqual([]);
      expect(await find(filter('level', ['nonsense'], true))).toEqual([logId('f1'), logId('f2'), logId('f3')].sort());
      expect(await find(filter('stream', ['stderr']))).toEqual([logId('f1')]);
      expect(await find(filter('stream', ['stderr'], true))).toEqual([logId('f2'), logId('f3')].sort());
      // Only `*` is special in a glob: `?` and `[` are themselves.
      expect(await find(filter('pod', [glob('dns?*')]))).toEqual([logId('f3')]);
      expect(await find(filter('pod', [glob('dns??')]))).toEqual([]);
      expect(await find(filter('container', [glob('app[*')]))).toEqual([logId('f3')]);
      expect(await find(filter('container', [glob('app[0-9]*')]))).toEqual([]);
      // Exact values are case-sensitive.
      expect(await find(filter('cluster', ['PROD-EU']))).toEqual([]);
    });

    it('filters flattened JSON fields by their value as text', async () => {
      await sink.write([
        rec('j1', { fields: { user_id: 42, 'http.status': 503, ok: false, note: 'a "quoted" value', 'k"ey\\x': 'odd' } }),
        rec('j2', { fields: { user_id: '42', 'http.status': 200, ok: true, note: null } }),
        rec('j3', { fields: {} }),
      ]);
      const find = async (...fields: JsonFieldFilter[]) => ids(await all(sink, q({ fields }))).sort();
      expect(await find(jsonField('user_id', ['42']))).toEqual([logId('j1'), logId('j2')].sort());
      expect(await find(jsonField('http.status', [glob('5*')]))).toEqual([logId('j1')]);
      expect(await find(jsonField('http.status', ['200', '503']))).toEqual([logId('j1'), logId('j2')].sort());
      expect(await find(jsonField('ok', ['true']))).toEqual([logId('j2')]);
      expect(await find(jsonField('note', ['null']))).toEqual([logId('j2')]);
      expect(await find(jsonField('note', [glob('*"quoted"*')]))).toEqual([logId('j1')]);
      expect(await find(jsonField('k"ey\\x', ['odd']))).toEqual([logId('j1')]);
      // A record without the key has no such value: it never matches, and a negation keeps it.
      expect(await find(jsonField('http.status', ['503'], true))).toEqual([logId('j2'), logId('j3')].sort());
      expect(await find(jsonField('missing', [glob('*')]))).toEqual([]);
    });

    it('bounds by since and until, inclusively to the millisecond', async () => {
      const at = [0, 1, 2, 3, 4].map((h) => rec(`t${h}`, { ts: isoAt(BASE + h * HOUR, 999) }));
      await sink.write(at);
      expect(ids(await all(sink, q({ sinceMs: BASE + HOUR, untilMs: BASE + 3 * HOUR })))).toEqual([logId('t3'), logId('t2'), logId('t1')]);
      expect(ids(await all(sink, q({ sinceMs: BASE + HOUR + 1 })))).toEqual([logId('t4'), logId('t3'), logId('t2')]);
      expect(ids(await all(sink, q({ untilMs: BASE - 1 })))).toEqual([]);
      expect(ids(await all(sink, q({ sinceMs: BASE + 3 * HOUR, text: [word('t3')] })))).toEqual([logId('t3')]);
    });

    it('pages newest first without duplicates or gaps across partitions, equal ts included', async () => {
      const written: LogRecord[] = [];
      for (let i = 0; i < 240; i++) {
        // Shuffled arrival, ten hours, clusters of equal ts, ns digits.
        const ms = BASE + ((i * 7919) % 240) * 150_000;
        written.push(rec(`p${i}`, { ts: i % 5 === 0 ? isoAt(ms) : isoAt(ms, (i % 3) * 1000 + 7), message: `page ${i % 2 ? 'odd' : 'even'} ${i}` }));
      }
      for (let i = 0; i < written.length; i += 50) await sink.write(written.slice(i, i + 50));
      const expected = newestFirst(written);
      for (const limit of [1, 7, 100]) {
        const got = await all(sink, q(), limit);
        expect(ids(got)).toEqual(ids(expected));
      }
      const odd = await all(sink, q({ text: [word('odd')] }), 9);
      expect(ids(odd)).toEqual(ids(expected.filter((r) => r.message.includes('odd'))));
      const page = await sink.search({ query: q(), limit: 240 });
      expect(page.items).toHaveLength(240);
      expect(page.next).toBeUndefined();
      await expect(sink.search({ query: q(), limit: 10, before: 'not a cursor' })).rejects.toBeInstanceOf(FlotillaError);
    });

    it('gives records stored after a cursor in stored order, and the head', async () => {
      expect(await sink.head()).toBeNull();
      expect(await sink.storedAfter(q(), null, 10)).toEqual({ items: [], next: null });
      const written = Array.from({ length: 30 }, (_, i) => rec(`s${i}`, { ts: isoAt(BASE + ((i * 11) % 30) * 20 * 60_000), level: i % 3 === 0 ? 'error' : 'info' }));
      const cursors: string[] = [];
      for (let i = 0; i < 30; i += 10) cursors.push(...(await sink.write(written.slice(i, i + 10))).stored.map((s) => s.cursor));
      expect(await sink.head()).toBe(cursors[29]);

      const seen: StoredLogRecord[] = [];
      let after: string | null = null;
      for (;;) {
        const r: { items: StoredLogRecord[]; next: string | null } = await sink.storedAfter(q(), after, 4);
        seen.push(...r.items);
        if (!r.next) break;
        after = r.next;
      }
      expect(ids(seen)).toEqual(ids(written));
      expect(seen.map((s) => s.cursor)).toEqual(cursors);

      const errors = await sink.storedAfter(q({ filters: [filter('level', ['error'])] }), cursors[5]!, 100);
      expect(ids(errors.items)).toEqual(ids(written.filter((r, i) => i > 5 && r.level === 'error')));
      expect(errors.next).toBeNull();
      const text = await sink.storedAfter(q({ text: [word('s7')] }), null, 100);
      expect(ids(text.items)).toEqual([logId('s7')]);
      expect(await sink.storedAfter(q(), cursors[29]!, 10)).toEqual({ items: [], next: null });
    });

    it('pages stored order to the end when one partition holds a whole page and more', async () => {
      const written = Array.from({ length: 10 }, (_, i) => rec(`one${i}`, { ts: isoAt(BASE + i * 1000) }));
      await sink.write(written);
      const seen: StoredLogRecord[] = [];
      let after: string | null = null;
      for (;;) {
        const r: { items: StoredLogRecord[]; next: string | null } = await sink.storedAfter(q(), after, 4);
        seen.push(...r.items);
        if (!r.next) break;
        after = r.next;
      }
      expect(ids(seen)).toEqual(ids(written));
    });

    it('gives a hit with lines of its own container before and after it, across partitions', async () => {
      const mine = Array.from({ length: 9 }, (_, i) => rec(`c${i}`, { ts: isoAt(BASE + i * 40 * 60_000), message: `mine ${i}` }));
      const other = Array.from({ length: 9 }, (_, i) => rec(`o${i}`, { ts: isoAt(BASE + i * 40 * 60_000 + 1), container: 'other', message: `other ${i}` }));
      await sink.write([...other, ...mine].reverse());
      const ctx = await sink.context(logId('c4'), 3);
      expect(ctx?.hit.id).toBe(logId('c4'));
      expect(ids(ctx!.before)).toEqual([logId('c1'), logId('c2'), logId('c3')]);
      expect(ids(ctx!.after)).toEqual([logId('c5'), logId('c6'), logId('c7')]);
      const edge = await sink.context(logId('c1'), 5);
      expect(ids(edge!.before)).toEqual([logId('c0')]);
      expect(edge!.after).toHaveLength(5);
      expect((await sink.context(logId('c1'), 0))?.before).toEqual([]);
      expect(await sink.context(logId('nobody'), 3)).toBeNull();
      expect(await sink.context('not an id', 3)).toBeNull();
    });

    it('counts matches by level in equal buckets', async () => {
      const levels = ['error', 'warn', 'info'] as const;
      await sink.write(Array.from({ length: 60 }, (_, i) => rec(`h${i}`, { ts: isoAt(BASE + i * 60_000), level: levels[i % 3]!, message: i % 2 ? 'odd' : 'even' })));
      const h = await sink.histogram({ ...q(), sinceMs: BASE, untilMs: BASE + 60 * 60_000 - 1 }, 6);
      expect(h).toMatchObject({ fromMs: BASE, toMs: BASE + 3_599_999, bucketMs: 600_000, total: 60 });
      expect(h.buckets).toHaveLength(6);
      for (const b of h.buckets) expect(b.error! + b.warn! + b.info!).toBe(10);
      expect(h.buckets[0]).toEqual({ error: 4, warn: 3, info: 3 });
      const odd = await sink.histogram({ ...q({ text: [word('odd')], filters: [filter('level', ['error'])] }), sinceMs: BASE, untilMs: BASE + 30 * 60_000 - 1 }, 3);
      expect(odd.total).toBe(5); // i odd, i%3==0, i<30: 3, 9, 15, 21, 27
      expect(odd.buckets.map((b) => b.error ?? 0)).toEqual([2, 1, 2]);
    });

    it('removes records older than the age limit and counts them', async () => {
      await sink.write(Array.from({ length: 50 }, (_, i) => rec(`a${i}`, { ts: isoAt(BASE + i * 12 * 60_000) }))); // 10 hours
      const before = await sink.stats();
      expect(before).toMatchObject({ records: 50, oldestTs: isoAt(BASE), newestTs: isoAt(BASE + 49 * 12 * 60_000) });
      const now = BASE + 12 * HOUR;
      const r = await sink.retain({ maxAgeMs: 6 * HOUR + 30 * 60_000, maxBytes: 2 ** 40 }, now); // cutoff BASE + 5h30m
      const kept = Array.from({ length: 50 }, (_, i) => i).filter((i) => BASE + i * 12 * 60_000 >= now - (6 * HOUR + 30 * 60_000));
      expect(r.removedRecords).toBe(50 - kept.length);
      expect(r.removedPartitions).toBeGreaterThan(0);
      const after = await sink.stats();
      expect(after.records).toBe(kept.length);
      expect(after.oldestTs).toBe(isoAt(BASE + kept[0]! * 12 * 60_000));
      expect(ids(await all(sink, q())).sort()).toEqual(kept.map((i) => logId(`a${i}`)).sort());
      expect(await sink.retain({ maxAgeMs: 6 * HOUR + 30 * 60_000, maxBytes: 2 ** 40 }, now)).toEqual({ removedRecords: 0, removedBytes: 0, removedPartitions: 0 });
    });

    it('removes the oldest records until under the size limit and counts them', async () => {
      const big = 'x'.repeat(2000);
      for (let h = 0; h < 8; h++) {
        await sink.write(Array.from({ length: 200 }, (_, i) => rec(`b${h}-${i}`, { ts: isoAt(BASE + h * HOUR + i * 1000), message: `${big} ${h} ${i} ${'y'.repeat(i)}` })));
      }
      const before = await sink.stats();
      expect(before.records).toBe(1600);
      const maxBytes = Math.floor(before.bytes / 2);
      const r = await sink.retain({ maxAgeMs: 365 * 24 * HOUR, maxBytes }, BASE + 9 * HOUR);
      const after = await sink.stats();
      expect(after.bytes).toBeLessThanOrEqual(maxBytes);
      expect(r.removedRecords).toBe(1600 - after.records);
      expect(r.removedRecords).toBeGreaterThan(0);
      expect(r.removedBytes).toBeGreaterThanOrEqual(before.bytes - after.bytes);
      // The oldest went first: what is left is the newest.
      const left = await all(sink, q());
      expect(left).toHaveLength(after.records);
      expect(ids(left)).toEqual(ids(newestFirst(Array.from({ length: 1600 }, (_, k) => rec(`b${Math.floor(k / 200)}-${k % 200}`, { ts: isoAt(BASE + Math.floor(k / 200) * HOUR + (k % 200) * 1000) }))).slice(0, after.records)));
    });

    it('treats hostile tokens and values literally', async () => {
      const hostile = ['say "hi" now', 'star * here', 'NEAR(a b) and AND OR NOT', "it's'; DROP TABLE logs; --", 'col:umn ^start'];
      await sink.write(hostile.map((message, i) => rec(`x${i}`, { message, cluster: i === 3 ? "o'brien\"s" : 'prod-eu' })));
      const hits = async (...text: TextTerm[]) => ids(await all(sink, q({ text })));
      expect(await hits(word('near'))).toEqual([logId('x2')]);
      expect(await hits(word('and'), word('not'))).toEqual([logId('x2')]);
      expect(await hits({ kind: 'phrase', tokens: ['and', 'and', 'or'], negated: false })).toEqual([logId('x2')]);
      expect(await hits(word('drop'))).toEqual([logId('x3')]);
      // Tokens no tokenizer would produce are still only text: no error, no injection.
      for (const token of ['"', '*', 'near(', 'and', 'or', 'not', "'", "'; drop table logs; --", '")', '^', 'col:umn', '\u0000']) {
        await expect(hits(word(token))).resolves.toBeInstanceOf(Array);
        await expect(hits(word(token, true))).resolves.toBeInstanceOf(Array);
        await expect(hits({ kind: 'prefix', tokens: [token], negated: false })).resolves.toBeInstanceOf(Array);
      }
      expect(await hits(word('"'))).toEqual([]);
      expect(ids(await all(sink, q({ filters: [filter('cluster', ["o'brien\"s"])] })))).toEqual([logId('x3')]);
      expect(ids(await all(sink, q({ filters: [filter('cluster', [glob("o'*\"s")])] })))).toEqual([logId('x3')]);
      expect((await sink.stats()).records).toBe(hostile.length);
    });

    it('agrees with the reference matcher on random records and queries', async () => {
      const vocab = ['alpha', 'beta', 'gamma', 'delta', 'error', 'timeout', 'db'];
      const records = Array.from({ length: 120 }, (_, i) => {
        const words = Array.from({ length: 1 + (i % 5) }, (_, k) => vocab[(i * 7 + k * 3) % vocab.length]!);
        return rec(`r${i}`, {
          ts: isoAt(BASE + ((i * 37) % 120) * 5 * 60_000),
          cluster: ['prod-eu', 'prod-us', 'staging'][i % 3]!,
          namespace: ['payments', 'web'][i % 2]!,
          pod: `api-${i % 4}`,
          level: (['info', 'warn', 'error', 'debug'] as const)[i % 4]!,
          stream: i % 5 === 0 ? 'stderr' : 'stdout',
          message: words.join(i % 2 ? ' ' : ', '),
          fields: i % 3 ? { code: i % 7, user: `u${i % 5}` } : {},
        });
      });
      await sink.write(records);
      const pattern = fc.oneof(fc.constantFrom('prod-eu', 'prod-us', 'staging', 'payments', 'web', 'api-1', 'info', 'error', 'stderr').map(exact), fc.constantFrom('prod-*', '*-us', 'api*', '*a*', 'w*').map(glob));
      const term = fc.oneof(
        fc.record({ field: fc.constantFrom('cluster', 'namespace', 'pod', 'level', 'stream'), values: fc.array(pattern, { minLength: 1, maxLength: 2 }), negated: fc.boolean() }).map((f) => ({ filter: f })),
        fc.record({ key: fc.constantFrom('code', 'user'), values: fc.array(fc.constantFrom('1', '3', 'u2', '*', 'u*').map((v) => (v.includes('*') ? glob(v) : exact(v))), { minLength: 1, maxLength: 2 }), negated: fc.boolean() }).map((f) => ({ field: f })),
        fc.record({ kind: fc.constantFrom('word', 'prefix'), tokens: fc.constantFrom('alpha', 'beta', 'gam', 'error', 'db', 'time').map((t) => [t]), negated: fc.boolean() }).map((t) => ({ text: t })),
        fc.record({ kind: fc.constant('phrase'), tokens: fc.constantFrom(['alpha', 'beta'], ['beta', 'gamma'], ['delta', 'error']).map((t) => [...t]), negated: fc.boolean() }).map((t) => ({ text: t })),
      );
      const bound = fc.option(fc.integer({ min: 0, max: 600 }).map((m) => BASE + m * 60_000), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(fc.array(term, { maxLength: 4 }), bound, bound, async (terms, sinceMs, untilMs) => {
          const query = q({
            filters: terms.flatMap((t) => ('filter' in t ? [t.filter] : [])),
            fields: terms.flatMap((t) => ('field' in t ? [t.field] : [])),
            text: terms.flatMap((t) => ('text' in t ? [t.text] : [])),
            ...(sinceMs === undefined ? {} : { sinceMs }),
            ...(untilMs === undefined ? {} : { untilMs }),
          });
          const expected = newestFirst(records.filter((r) => referenceMatches(query, r)));
          expect(ids(await all(sink, query, 50))).toEqual(ids(expected));
        }),
        { numRuns: 150 },
      );
    });
  });
}
