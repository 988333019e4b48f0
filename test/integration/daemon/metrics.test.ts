/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The embedded series end to end: signed status reports through the store become points the daemon
// answers by range (REST), streams live (WS `metrics:<cluster>`) and `flotilla metrics query` prints;
// an absurd value in a report that passes the schema (the schema refuses NaN, infinities and
// unsafe integers itself) is no point; unknown clusters and series, and
// ranges the series do not keep, are refused with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatusReport, FakeAgent } from '../../harness/fake-agent.js';
import { assertBuilt, runCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { storeKeys } from '../../../core/store/types.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let alpha: FakeAgent;

beforeAll(async () => {
  assertBuilt();
  fx = await startFixture();
  alpha = new FakeAgent(await fx.addCluster('alpha'), fx.store);
  await alpha.register();
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });
});

afterAll(async () => {
  await fx.daemon.stop();
  cleanupTempDirs();
});

const range = (q: string) => fx.api('GET', `/api/v1/metrics/range?${q}`);

describe('embedded series', () => {
  it('answers a cluster\'s reports by range, with an absurd value left out', async () => {
    await alpha.report({ nodes: 4, notReady: 1 });
    await waitUntil(async () => {
      const r = await range('cluster=alpha&series=nodes_ready,nodes_total&since=5m&step=1s');
      return r.body.series?.[0].points.some((p: any) => p[1] !== null) ? r : undefined;
    }, { what: 'the first point' });
    // restarts of 2^53 - 1 passes the report schema (a safe integer; 10^300 would not) but is no point of the series. A second
    // later, so the two reports fall in two steps of 1 s.
    await new Promise((r) => setTimeout(r, 1100));
    alpha.seq += 1;
    await fx.store.put(storeKeys.status('alpha'), alpha.statusEnvelope({ ...makeStatusReport('alpha', alpha.seq, { nodes: 4 }), restarts: Number.MAX_SAFE_INTEGER }));
    const r = await waitUntil(async () => {
      const res = await range('cluster=alpha&series=nodes_ready,restarts&since=5m&step=1s');
      const ready = res.body.series[0].points.filter((p: any) => p[1] !== null);
      return ready.length >= 2 ? res : undefined;
    }, { what: 'the second point' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cluster: 'alpha', source: 'embedded', resolution: 'raw', stepSeconds: 1 });
    const [ready, restarts] = r.body.series;
    expect(ready).toMatchObject({ name: 'nodes_ready', unit: 'count' });
    expect(ready.points.filter((p: any) => p[1] !== null).map((p: any) => p[1])).toEqual([3, 4]);
    // The first report had 0 restarts; the second's absurd value is not there.
    expect(restarts.points.filter((p: any) => p[1] !== null).map((p: any) => p[1])).toEqual([0]);
    const listed = await fx.api('GET', '/api/v1/metrics/series');
    expect(listed.body.map((s: any) => s.name)).toContain('error_lines_per_minute');
  });

  it('refuses an unknown cluster (404), an unknown series and ten years (400), each saying what to do', async () => {
    const unknown = await range('cluster=nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.next).toMatch(/flotilla cluster list/);
    const series = await range('cluster=alpha&series=cpu');
    expect(series.status).toBe(400);
    expect(series.body.error.message).toBe('unknown series "cpu"');
    const years = await range('cluster=alpha&since=3650d');
    expect(years.status).toBe(400);
    expect(years.body.error.next).toBe('Ask for at most 90d.');
  });

  it('streams each report\'s values on metrics:<cluster> after the last hour as its snapshot', async () => {
    const ws = await connectWs(fx.daemon.url, fx.adminToken);
    ws.send({ id: 1, op: 'subscribe', topic: 'metrics:alpha' });
    const snap = await ws.waitFrame((f) => f.topic === 'metrics:alpha' && f.kind === 'snapshot', 'the snapshot').catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(ws.frames).slice(0, 500)}`);
    });
    expect(snap.data.series.find((s: any) => s.name === 'nodes_total').points.some((p: any) => p[1] === 4)).toBe(true);
    // In a second of its own, so the CLI's 1 s steps below keep it apart from the 4.
    await new Promise((r) => setTimeout(r, 1100));
    await alpha.report({ nodes: 7 });
    const live = await ws.waitFrame((f) => f.topic === 'metrics:alpha' && f.kind === 'points' && f.data.some((p: any) => p.values.nodes_total === 7), 'the live point');
    expect(live.data[0]).toMatchObject({ cluster: 'alpha', values: { nodes_ready: 7, restarts: 0 } });
    ws.send({ id: 3, op: 'call', method: 'metrics.range', params: { cluster: 'alpha', series: ['nodes_total'], since: '10m', step: '1s' } });
    const called = await ws.waitFrame((f) => f.id === 3, 'the metrics.range answer');
    expect(called.result).toMatchObject({ cluster: 'alpha', resolution: 'raw', series: [{ name: 'nodes_total' }] });
    ws.send({ id: 4, op: 'call', method: 'metrics.range', params: { cluster: 'nobody' } });
    expect((await ws.waitFrame((f) => f.id === 4, 'the refusal')).error.code).toBe('not_found');
    ws.send({ id: 2, op: 'subscribe', topic: 'metrics:Not_A_Name' });
    const refused = await ws.waitFrame((f) => f.id === 2, 'the refusal');
    expect(refused.error.code).toBe('usage');
    ws.ws.close();
  });

  it('prints a series with flotilla metrics query, and its JSON', async () => {
    const env = { FLOTILLA_SERVER: fx.daemon.url, FLOTILLA_TOKEN: fx.adminToken, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
    const text = await runCli(['metrics', 'query', 'alpha', 'nodes_total', '--since', '10m', '--step', '1s'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^alpha {2}\S+ \.\. \S+ {2}step 1s {2}\(embedded, raw\)\n\nnodes_total \(count\) {2}last 7 {2}min 4 {2}max 7\n/);
    expect(text.stdout).toMatch(/TIME +VALUE +MAX/);
    const json = await runCli(['metrics', 'query', 'alpha', 'nodes_total,pods_running', '--since', '10m', '--json'], { env });
    expect(JSON.parse(json.stdout).series.map((s: any) => s.name)).toEqual(['nodes_total', 'pods_running']);
    const bad = await runCli(['metrics', 'query', 'alpha', 'nope'], { env });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/error: unknown series "nope"\nnext: Ask for one of/);
  });
});
