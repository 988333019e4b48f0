/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The daemon with `logs.sink: {type: elasticsearch}` against the Elasticsearch test server: signed
// batches stored, searched, tailed by cursor and counted as on FTS5; records Elasticsearch refuses are
// counted as rejected and the batch acked; ingest answers 503 while Elasticsearch is away and takes
// the batch after. Then `flotilla daemon` itself (needs `npm run build`): a broken Elasticsearch
// setting stops it with exit 78 and what to fix; an unreachable Elasticsearch does not.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { startElasticsearch, type EsTestServer } from '../../harness/elasticsearch/server.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { killAll, runCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';
import { startFixture, type Fixture } from './fixture.js';

let es: EsTestServer;
let fx: Fixture;
let alpha: FakeAgent;

const esSink = (url: string, over: Record<string, unknown> = {}) => ({ type: 'elasticsearch', nodes: [url], indexHours: 1, retry: { initialMs: 10, maxMs: 100, writeDeadlineMs: 1000 }, ...over });

async function post(body: Buffer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fx.daemon.url}/api/v1/ingest/logs`, { method: 'POST', body });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  es = await startElasticsearch({ refreshIntervalMs: 20 });
  fx = await startFixture({ 'logs.sink': esSink(es.url) });
  alpha = new FakeAgent(await fx.addCluster('alpha'), fx.store);
  await alpha.register();
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });
});

afterAll(async () => {
  await fx.daemon.stop();
  await es.stop();
  killAll();
  cleanupTempDirs();
});

describe('daemon on the Elasticsearch sink', () => {
  it('stores, dedupes, searches and tails signed batches', async () => {
    const batch = makeBatch('alpha', makeLines('alpha', 0, 5, { level: 'error', message: (n) => `payment ${n} timeout` }));
    expect(await post(sealBatch(batch, alpha.key))).toEqual({ status: 200, body: { batchId: batch.batchId, stored: 5, duplicates: 0 } });
    expect((await post(sealBatch(batch, alpha.key))).body).toMatchObject({ stored: 0, duplicates: 5 });
    const r = await fx.api('GET', `/api/v1/logs?q=${encodeURIComponent('cluster:alpha timeout level:error')}&context=1`);
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.message)).toEqual([4, 3, 2, 1, 0].map((n) => `payment ${n} timeout`));
    expect(r.body.items[1].context.before.map((i: any) => i.message)).toEqual(['payment 2 timeout']);
    const tail = await fx.api('GET', `/api/v1/logs?q=cluster:alpha&after=${r.body.items[4].cursor}`);
    expect(tail.body.items.map((i: any) => i.message)).toEqual([1, 2, 3, 4].map((n) => `payment ${n} timeout`));
    const h = await fx.api('GET', `/api/v1/logs/histogram?q=${encodeURIComponent('cluster:alpha since:2000-01-01 until:2100-01-01')}&buckets=4`);
    expect(h.body.total).toBe(5);
    expect([...es.store.indices.keys()].every((n) => n.startsWith('flotilla-logs-'))).toBe(true);
  });

  it('acks a batch whose records Elasticsearch refuses one by one, counting them as rejected', async () => {
    es.faults.reject = (item) => String(item.source.message).includes('poison');
    try {
      const lines = makeLines('alpha', 100, 103, { message: (n) => (n === 101 ? 'poison' : `fine ${n}`) });
      expect((await post(sealBatch(makeBatch('alpha', lines), alpha.key))).body).toMatchObject({ stored: 2, duplicates: 0 });
      const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
      expect(metrics).toMatch(/flotilla_log_ingest_records_total\{result="rejected"\} 1/);
    } finally {
      es.faults.reject = null;
    }
  });

  it('answers 503 while Elasticsearch is away, and stores the batch when it is back', async () => {
    const batch = makeBatch('alpha', makeLines('alpha', 200, 203));
    await es.pause();
    try {
      const away = await post(sealBatch(batch, alpha.key));
      expect(away.status).toBe(503);
      const search = await fx.api('GET', '/api/v1/logs?q=cluster:alpha');
      expect(search.status).toBe(503);
      expect(search.body.error.message).toMatch(/Elasticsearch at http:\/\/127\.0\.0\.1:\d+ is unavailable/);
    } finally {
      await es.resume();
    }
    expect((await post(sealBatch(batch, alpha.key))).body).toMatchObject({ stored: 3 });
  });
});

describe('flotilla daemon with an Elasticsearch sink', () => {
  async function configured(sink: Record<string, unknown>): Promise<{ configPath: string; env: NodeJS.ProcessEnv }> {
    const env = isolatedEnv();
    const { configPath } = await initControlPlane(tempDir('flotilla-es-daemon-'), env);
    const doc = parse(readFileSync(configPath, 'utf8')) as Record<string, any>;
    doc.logs = { ...(doc.logs ?? {}), sink };
    writeFileSync(configPath, stringify(doc));
    return { configPath, env };
  }

  it('exits 78 naming the key when a secret file cannot be read', async () => {
    const { configPath, env } = await configured(esSink(es.url, { auth: { apiKeyFile: 'no-such-key-file' } }));
    const r = await runCli(['daemon', '--config', configPath], { env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/logs\.sink\.auth\.apiKeyFile: cannot read .*no-such-key-file/);
  });

  it('exits 78 with what to fix when Elasticsearch refuses the credentials', async () => {
    const secured = await startElasticsearch({ auth: { apiKey: 'aWQ6a2V5' } });
    try {
      const { configPath, env } = await configured(esSink(secured.url));
      const r = await runCli(['daemon', '--config', configPath], { env });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/refused the credentials \(401\)/);
      expect(r.stderr).toMatch(/logs\.sink\.auth/);
    } finally {
      await secured.stop();
    }
  });

  it('starts and serves while Elasticsearch is unreachable, saying so in its log', async () => {
    const gone = await startElasticsearch();
    const url = gone.url;
    await gone.stop();
    const { configPath, env } = await configured(esSink(url));
    const { daemon } = await startDaemonProcess(configPath, env);
    try {
      const log = join(configPath, '..', 'daemon.log');
      await waitUntil(() => readFileSync(log, 'utf8').includes('Elasticsearch is unavailable'), { what: 'the warning in daemon.log' });
    } finally {
      const stopped = await daemon.stop();
      // A CI run once saw no exit code here: say how it ended and what it said, to find out why.
      expect(stopped.code, `the daemon ended by ${String(stopped.signal)}; its stderr: ${daemon.stderr().slice(-2000)}`).toBe(0);
    }
  });
});
