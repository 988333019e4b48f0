// The Elasticsearch sink under the test server's injected faults: 429s on whole bulk requests and on
// items, item 400s, connection resets before and after a request is applied, a write that cannot get
// through by its deadline, a cluster that does not create indices on write, an Elasticsearch that is
// away at start, and the misconfigurations that waiting will not fix.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import type { LogRecord, StoredLogRecord } from '../../../../core/logs/record.js';
import { ElasticsearchLogSink, type ElasticsearchSinkOptions } from '../../../../daemon/logs/elasticsearch/sink.js';
import { logId, q, rec } from '../../../contract/log-sink.js';
import { startElasticsearch, type EsServerOptions, type EsTestServer } from '../../../harness/elasticsearch/server.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

const open: { close(): Promise<void> }[] = [];

async function server(opts: EsServerOptions = {}): Promise<EsTestServer> {
  const es = await startElasticsearch({ refreshIntervalMs: 20, ...opts });
  open.push({ close: () => es.stop() });
  return es;
}

function sink(es: EsTestServer, over: Partial<ElasticsearchSinkOptions> = {}): ElasticsearchLogSink {
  const s = new ElasticsearchLogSink({ nodes: [es.url], indexPrefix: 'flotilla-logs', indexHours: 1, requestTimeoutMs: 10_000, retry: { initialMs: 5, maxMs: 50, writeDeadlineMs: 10_000 }, ...over });
  open.unshift({ close: () => s.close() });
  return s;
}

async function everything(s: ElasticsearchLogSink): Promise<StoredLogRecord[]> {
  const out: StoredLogRecord[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { items: StoredLogRecord[]; next: string | null } = await s.storedAfter(q(), after, 1000);
    out.push(...page.items);
    if (!page.next) return out;
    after = page.next;
  }
}

const batch = (name: string, n: number, over: (i: number) => Partial<LogRecord> = () => ({})): LogRecord[] => Array.from({ length: n }, (_, i) => rec(`${name}${i}`, { message: `${name} ${i}`, ...over(i) }));
const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
afterAll(() => cleanupTempDirs());

describe('Elasticsearch sink under faults', () => {
  it('retries bulk requests answered 429 until every record is stored once', async () => {
    const es = await server();
    const s = sink(es);
    es.faults.bulk429 = 0.5;
    const written: LogRecord[] = [];
    for (let w = 0; w < 4; w++) {
      const b = batch(`w${w}-`, 25);
      written.push(...b);
      const r = await s.write(b);
      expect(ids(r.stored)).toEqual(ids(b));
      expect(r.duplicates).toBe(0);
    }
    expect(es.faults.counts.bulk429).toBeGreaterThanOrEqual(3);
    expect(ids(await everything(s))).toEqual(ids(written));
  });

  it('sends items answered 429 again and stores the rest at once, in input order with rising cursors', async () => {
    const es = await server();
    const s = sink(es);
    es.faults.item429 = 0.3;
    const b = batch('i', 40);
    const r = await s.write(b);
    expect(es.faults.counts.item429).toBeGreaterThan(0);
    expect(ids(r.stored)).toEqual(ids(b));
    const cursors = r.stored.map((x) => x.cursor);
    expect([...cursors].sort()).toEqual(cursors);
    expect((await everything(s)).map((x) => x.cursor)).toEqual(cursors);
  });

  it('returns item 400s as rejected with the reason and stores the rest; a resend is rejected again, never a duplicate', async () => {
    const es = await server();
    const s = sink(es);
    es.faults.reject = (item) => String(item.source.message).startsWith('poison');
    const b = [rec('ok1'), rec('bad', { message: 'poison pill' }), rec('ok2')];
    const r = await s.write(b);
    expect(ids(r.stored)).toEqual([logId('ok1'), logId('ok2')]);
    expect(r.duplicates).toBe(0);
    expect(r.rejected).toEqual([{ id: logId('bad'), reason: expect.stringContaining('document_parsing_exception') as string }]);
    const again = await s.write(b);
    expect(again.stored).toEqual([]);
    expect(again.duplicates).toBe(2);
    expect(ids(again.rejected ?? [])).toEqual([logId('bad')]);
  });

  it('sends a request again after a reset before it was applied', async () => {
    const es = await server();
    const s = sink(es);
    await s.connect();
    es.faults.resetNext(1, 'before');
    const b = batch('rb', 10);
    const r = await s.write(b);
    expect(es.faults.counts.resets).toBe(1);
    expect(ids(r.stored)).toEqual(ids(b));
    expect(ids(await everything(s))).toEqual(ids(b));
  });

  it('knows its own records after a reset that came once the request was applied: stored, not duplicates', async () => {
    const es = await server();
    const s = sink(es);
    await s.connect();
    es.faults.resetNext(1, 'after');
    const b = batch('ra', 10);
    const r = await s.write(b);
    expect(es.faults.counts.resets).toBe(1);
    expect(ids(r.stored)).toEqual(ids(b));
    expect(r.duplicates).toBe(0);
    expect((await everything(s)).map((x) => x.cursor)).toEqual(r.stored.map((x) => x.cursor));
    // What another write finds stored is a duplicate as usual.
    expect(await s.write(b)).toEqual({ stored: [], duplicates: 10, rejected: [] });
  });

  it('gives up by its deadline with a retry error, and reports what it had stored when the batch comes again', async () => {
    const es = await server();
    const s = sink(es, { retry: { initialMs: 5, maxMs: 20, writeDeadlineMs: 300 } });
    es.faults.throttle = (item) => String(item.source.message).startsWith('slow');
    const b = [rec('fast1'), rec('slow1', { message: 'slow one' }), rec('fast2')];
    await expect(s.write(b)).rejects.toMatchObject({ kind: 'retry' });
    const half = await everything(s);
    expect(ids(half)).toEqual([logId('fast1'), logId('fast2')]);
    es.faults.throttle = null;
    const r = await s.write(b);
    expect(ids(r.stored)).toEqual(ids(b));
    expect(r.duplicates).toBe(0);
    // The fast ones keep the cursor they were stored with.
    expect(r.stored.filter((x) => x.id !== logId('slow1')).map((x) => x.cursor)).toEqual(half.map((x) => x.cursor));
  });

  it('makes the index when the cluster does not create indices on write', async () => {
    const es = await server({ autoCreateIndex: false });
    const s = sink(es);
    const r = await s.write([rec('m1')]);
    expect(ids(r.stored)).toEqual([logId('m1')]);
    expect([...es.store.indices.keys()]).toEqual(['flotilla-logs-2026.03.01-00']);
    expect(es.requests.some((x) => x.method === 'PUT' && x.path === '/flotilla-logs-2026.03.01-00' && x.status === 200)).toBe(true);
  });

  it('starts while Elasticsearch is away, fails fast meanwhile, and writes once it is back', async () => {
    const es = await server();
    await es.pause();
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const s = sink(es, { now: () => clock });
    await s.connect();
    await expect(s.write([rec('a1')])).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining(es.url) as string });
    await expect(s.search({ query: q(), limit: 10 })).rejects.toMatchObject({ kind: 'unavailable' });
    await es.resume();
    // Within the backoff the last failure answers at once, without asking Elasticsearch.
    const asked = es.requests.length;
    await expect(s.write([rec('a1')])).rejects.toMatchObject({ kind: 'unavailable' });
    expect(es.requests.length).toBe(asked);
    clock += 60_000;
    expect(ids((await s.write([rec('a1')])).stored)).toEqual([logId('a1')]);
  });

  it('makes new indices with the configured settings', async () => {
    const es = await server();
    const s = sink(es, { indexSettings: { shards: 2, replicas: 0, refreshInterval: '50ms' } });
    await s.write([rec('s1')]);
    const index = es.store.indices.get('flotilla-logs-2026.03.01-00')!;
    expect(index.settings).toMatchObject({ number_of_shards: 2, number_of_replicas: 0, refresh_interval: '50ms' });
    expect(index.refreshMs).toBe(50);
  });

  it('keeps the index width the existing template pinned', async () => {
    const es = await server();
    const first = sink(es, { indexHours: 1 });
    await first.write([rec('p1')]);
    await first.close();
    const second = sink(es, { indexHours: 24 });
    await second.connect();
    expect(second.indexHours).toBe(1);
    expect(await second.write([rec('p1')])).toMatchObject({ stored: [], duplicates: 1 });
  });
});

describe('Elasticsearch sink misconfigured', () => {
  const refusal = async (s: ElasticsearchLogSink): Promise<FlotillaError> => {
    const e = await s.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('config');
    return e as FlotillaError;
  };

  it('refuses missing or wrong credentials, and works with an API key file or a user and password file', async () => {
    const es = await server({ auth: { apiKey: 'aWQ6a2V5', username: 'flotilla', password: 's3cret' } });
    expect((await refusal(sink(es))).next).toMatch(/logs\.sink\.auth/);
    const dir = tempDir();
    writeFileSync(join(dir, 'api-key'), 'aWQ6a2V5\n');
    writeFileSync(join(dir, 'wrong'), 'nope\n');
    writeFileSync(join(dir, 'password'), 's3cret\n');
    expect((await refusal(sink(es, { auth: { apiKeyFile: join(dir, 'wrong') } }))).message).toMatch(/401/);
    const byKey = sink(es, { auth: { apiKeyFile: join(dir, 'api-key') } });
    expect(ids((await byKey.write([rec('k1')])).stored)).toEqual([logId('k1')]);
    const byUser = sink(es, { auth: { username: 'flotilla', passwordFile: join(dir, 'password') } });
    expect(ids((await byUser.search({ query: q(), limit: 10 })).items)).toEqual([logId('k1')]);
    expect(() => sink(es, { auth: { apiKeyFile: join(dir, 'missing') } })).toThrow(expect.objectContaining({ kind: 'config', message: expect.stringContaining('logs.sink.auth.apiKeyFile') as string }));
  });

  it('refuses a server that does not answer as Elasticsearch 9', async () => {
    expect((await refusal(sink(await server({ productHeader: false })))).message).toMatch(/does not answer as Elasticsearch/);
    expect((await refusal(sink(await server({ version: '8.15.0' })))).message).toMatch(/version 8\.15\.0/);
  });

  it('refuses an index template of the same name that it did not make', async () => {
    const es = await server();
    es.store.putTemplate('flotilla-logs', { index_patterns: ['someone-*'], priority: 1 });
    expect((await refusal(sink(es))).next).toMatch(/indexPrefix/);
  });

  it('refuses a certificate it does not trust, and trusts it with caFile', async () => {
    const es = await server({ tls: true });
    expect((await refusal(sink(es))).next).toMatch(/caFile/);
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), es.ca!);
    const trusted = sink(es, { caFile: join(dir, 'ca.pem') });
    expect(ids((await trusted.write([rec('t1')])).stored)).toEqual([logId('t1')]);
  });
});
