/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
// The daemon's logs service end to end on a real daemon (in-process, real FTS5 sink, real HTTP and
// WebSocket): agents registered through the store post signed batches, which are searched over REST
// and tailed over WS; a resend counts as duplicates; forged, oversize, malformed and other-cluster
// batches are refused with their status and recorded; reported drops show in cluster detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../../core/keys.js';
import { waitUntil } from '../../harness/proc.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { makeBatch, makeDrop, makeLines, sealBatch } from '../../fixtures/logs/batches.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let alpha: FakeAgent;
let beta: FakeAgent;

async function register(name: string): Promise<FakeAgent> {
  const agent = new FakeAgent(await fx.addCluster(name), fx.store);
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return agent;
}

async function post(body: Buffer | string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fx.daemon.url}/api/v1/ingest/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const search = (q: string, extra = '') => fx.api('GET', `/api/v1/logs?q=${encodeURIComponent(q)}${extra}`);

beforeAll(async () => {
  fx = await startFixture({ 'logs.ingest.maxBatchBytes': 64 * 1024 });
  alpha = await register('alpha');
  beta = await register('beta');
});

afterAll(async () => {
  await fx.daemon.stop();
  cleanupTempDirs();
});

describe('log ingest and search', () => {
  it('stores a signed batch, acks it, and counts a resend as duplicates', async () => {
    const batch = makeBatch('alpha', makeLines('alpha', 0, 5, { level: 'error', message: (n) => `payment ${n} timeout` }));
    const first = await post(sealBatch(batch, alpha.key));
    expect(first).toEqual({ status: 200, body: { batchId: batch.batchId, stored: 5, duplicates: 0 } });
    const again = await post(sealBatch(batch, alpha.key));
    expect(again.body).toEqual({ batchId: batch.batchId, stored: 0, duplicates: 5 });

    const r = await search('cluster:alpha timeout');
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.message)).toEqual([4, 3, 2, 1, 0].map((n) => `payment ${n} timeout`));
    expect(r.body.items[0]).toMatchObject({ cluster: 'alpha', namespace: 'payments', level: 'error' });
    expect(typeof r.body.items[0].cursor).toBe('string');

    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/flotilla_log_ingest_records_total\{result="stored"\} 5/);
    expect(metrics).toMatch(/flotilla_log_ingest_records_total\{result="duplicate"\} 5/);
  });

  it('pages newest first, gives context, and reads forward from a cursor', async () => {
    await post(sealBatch(makeBatch('beta', makeLines('beta', 0, 20, { message: (n) => `beta line ${n}` })), beta.key));
    const page1 = await search('cluster:beta', '&limit=8');
    expect(page1.body.items.map((i: any) => i.message)).toEqual(Array.from({ length: 8 }, (_, i) => `beta line ${19 - i}`));
    const page2 = await search('cluster:beta', `&limit=8&before=${encodeURIComponent(page1.body.next)}`);
    expect(page2.body.items[0].message).toBe('beta line 11');

    const ctx = await search('cluster:beta "line 10"', '&context=2');
    expect(ctx.body.items).toHaveLength(1);
    expect(ctx.body.items[0].context.before.map((i: any) => i.message)).toEqual(['beta line 8', 'beta line 9']);
    expect(ctx.body.items[0].context.after.map((i: any) => i.message)).toEqual(['beta line 11', 'beta line 12']);

    const after = await search('cluster:beta', `&after=${encodeURIComponent(page1.body.items[3].cursor)}`);
    expect(after.body.items.map((i: any) => i.message)).toEqual(['beta line 17', 'beta line 18', 'beta line 19']);

    expect((await search('cluster:beta since:1h', '&limit=1000')).body.items).toHaveLength(20);
    const h = await fx.api('GET', `/api/v1/logs/histogram?q=${encodeURIComponent('cluster:beta since:2h')}&buckets=4`);
    expect(h.status).toBe(200);
    expect(h.body.buckets).toHaveLength(4);
    expect(h.body.total).toBe(20);
  });

  it('answers a query that does not parse with 400 and the position', async () => {
    const r = await search('cluster:alpha level:');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('usage');
    expect(r.body.error.details.position).toBe(20);
    expect(r.body.error.next).toMatch(/LOGS\.md/);
  });

  it('refuses forged, oversize, malformed and other-cluster batches with their status, and records them', async () => {
    const stranger = generateSigningKey();
    expect((await post(sealBatch(makeBatch('alpha', makeLines('alpha', 100, 101)), stranger))).status).toBe(401);
    expect((await post('{"payloadType": 1')).status).toBe(400);
    const big = await post(sealBatch(makeBatch('alpha', makeLines('alpha', 200, 300, { message: () => 'x'.repeat(1000) })), alpha.key));
    expect(big.status).toBe(413);
    const wrong = await post(sealBatch(makeBatch('beta', makeLines('beta', 500, 501)), alpha.key));
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.details.reason).toBe('wrong_cluster');
    // nothing of the refused batches was stored
    expect((await search('cluster:alpha', '&limit=1000')).body.items).toHaveLength(5);

    const rejections = (await fx.api('GET', '/api/v1/rejections?limit=100')).body.items.filter((r: any) => r.key === 'POST /api/v1/ingest/logs');
    expect(rejections.map((r: any) => r.reason).sort()).toEqual(['malformed_json', 'oversize', 'unknown_key', 'wrong_cluster']);
    const detail = (await fx.api('GET', '/api/v1/clusters/alpha')).body;
    expect(detail.rejections.map((r: any) => r.reason)).toContain('wrong_cluster');
    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
    for (const reason of ['unknown_key', 'malformed_json', 'oversize', 'wrong_cluster']) expect(metrics).toContain(`flotilla_log_ingest_rejected_total{reason="${reason}"} 1`);
  });

  it('records the drops an agent reports once, and shows them in cluster detail', async () => {
    const drop = makeDrop({ lines: 7, bytes: 700 });
    const batch = makeBatch('beta', [], [drop]);
    expect((await post(sealBatch(batch, beta.key))).status).toBe(200);
    expect((await post(sealBatch(batch, beta.key))).status).toBe(200);
    const detail = (await fx.api('GET', '/api/v1/clusters/beta')).body;
    expect(detail.logDrops).toEqual({ lines: 7, bytes: 700, recent: [drop] });
  });

  it('serves the pipeline per cluster: the agent’s last report beside what the center stored and refused', async () => {
    await alpha.report();
    await waitUntil(async () => ((await fx.api('GET', '/api/v1/clusters/alpha')).body.row.dataAgeSeconds !== null ? true : undefined), { what: 'alpha’s report' });
    const res = await fx.api('GET', '/api/v1/pipeline');
    expect(res.status).toBe(200);
    const rows = new Map<string, any>(res.body.rows.map((r: any) => [r.cluster, r]));
    const refusedAlpha = (await fx.api('GET', '/api/v1/rejections?limit=100')).body.items.filter((r: any) => r.key === 'POST /api/v1/ingest/logs' && r.cluster === 'alpha').length;
    expect(rows.get('alpha')).toMatchObject({
      health: refusedAlpha > 0 ? 'degraded' : 'healthy',
      transport: 'daemon',
      agent: { queueDepth: 0, bytesBehind: 0, oldestUnshippedSeconds: 0 },
      deadLetters: refusedAlpha,
      dropped: { lines: 0, bytes: 0 },
    });
    // The newest line stored for alpha is line 4 of the first batch (the later ones were refused).
    const newest = (await search('cluster:alpha', '&limit=1')).body.items[0];
    expect(rows.get('alpha').newestIngestedTs).toBe(newest.ts);
    expect(rows.get('alpha').lagSeconds).toBeGreaterThanOrEqual(0);
    // beta has not reported: its figures are unknown, its drops and ingest are the center's.
    expect(rows.get('beta')).toMatchObject({ health: 'unknown', transport: null, agent: null, dropped: { lines: 7, bytes: 700 } });
    expect(rows.get('beta').reasons[0]).toMatch(/no status report yet/);
    expect(res.body.totals).toMatchObject({ clusters: 2, droppedLines: 7, deadLetters: refusedAlpha + rows.get('beta').deadLetters });
  });

  it('serves the pipeline over WS: the snapshot on subscribe, then a fresh one every couple of seconds that follows ingest', async () => {
    const ws = await connectWs(fx.daemon.url, fx.adminToken);
    try {
      ws.send({ id: 1, op: 'subscribe', topic: 'pipeline' });
      const first = await ws.waitFrame((f) => f.topic === 'pipeline' && f.kind === 'snapshot', 'pipeline snapshot');
      expect(first.data.rows.map((r: any) => r.cluster).sort()).toEqual(['alpha', 'beta']);
      const before = first.data.rows.find((r: any) => r.cluster === 'beta').newestIngestedTs;
      const lines = makeLines('beta', 900, 901, { startMs: Date.now() });
      expect((await post(sealBatch(makeBatch('beta', lines), beta.key))).status).toBe(200);
      const next = await ws.waitFrame((f) => f.topic === 'pipeline' && f.rev > first.rev && f.data.rows.find((r: any) => r.cluster === 'beta').newestIngestedTs === lines[0]!.ts, 'a later snapshot with beta’s new line');
      expect(next.data.rows.find((r: any) => r.cluster === 'beta').newestIngestedTs).not.toBe(before);
      expect(next.data.totals.clusters).toBe(2);
    } finally {
      ws.ws.close();
    }
  });

  it('tails over WS: a snapshot of the newest matches, then live lines of each commit', async () => {
    const ws = await connectWs(fx.daemon.url, fx.adminToken);
    try {
      ws.send({ id: 1, op: 'subscribe', topic: 'logs', query: 'cluster:alpha level:error' });
      const reply = await ws.waitFrame((f) => f.id === 1, 'subscribe reply');
      expect(reply.result).toMatchObject({ subscribed: 'logs' });
      const snap = await ws.waitFrame((f) => f.topic === 'logs' && f.kind === 'snapshot', 'snapshot');
      expect(snap.data.map((r: any) => r.message)).toEqual([0, 1, 2, 3, 4].map((n) => `payment ${n} timeout`));
      expect(snap.more).toBe(false);

      const live = makeLines('alpha', 10, 14, { level: 'error', message: (n) => `live ${n}` });
      const quiet = makeLines('alpha', 20, 22, { source: 'other', level: 'info' });
      await post(sealBatch(makeBatch('alpha', [...live, ...quiet]), alpha.key));
      const lines = await ws.waitFrame((f) => f.topic === 'logs' && f.kind === 'lines', 'lines');
      expect(lines.lines.map((r: any) => r.message)).toEqual(['live 10', 'live 11', 'live 12', 'live 13']);
      expect(lines.rev).toBeGreaterThan(snap.rev);

      // resubscribing after the last line seen gives exactly what came after it
      await post(sealBatch(makeBatch('alpha', makeLines('alpha', 30, 32, { level: 'error', message: (n) => `later ${n}` })), alpha.key));
      ws.send({ id: 2, op: 'subscribe', topic: 'logs', query: 'cluster:alpha level:error', after: lines.lines[3].cursor });
      const resumed = await ws.waitFrame((f) => f.topic === 'logs' && f.kind === 'snapshot' && f.rev > snap.rev, 'resumed snapshot');
      expect(resumed.data.map((r: any) => r.message)).toEqual(['later 30', 'later 31']);

      ws.send({ id: 3, op: 'subscribe', topic: 'logs', query: 'level:' });
      const bad = await ws.waitFrame((f) => f.id === 3, 'bad query reply');
      expect(bad.error).toMatchObject({ code: 'usage', details: { position: 6 } });

      ws.send({ id: 4, op: 'call', method: 'logs.context', params: { id: live[1]!.id, lines: 1 } });
      const ctx = await ws.waitFrame((f) => f.id === 4, 'context reply');
      expect(ctx.result.hit.message).toBe('live 11');
      expect(ctx.result.before.map((r: any) => r.message)).toEqual(['live 10']);
    } finally {
      ws.ws.close();
    }
  });
});
