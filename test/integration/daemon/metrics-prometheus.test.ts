/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// metrics.source: prometheus against a real Prometheus (Debian's): the panes' ranges come from the
// cluster:* recording rules where one records the series, the embedded series for the rest; an edge
// whose /federate answers garbage and one that stops answering are said down (up == 0); with
// Prometheus gone the answer is the embedded series and says why.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../harness/fake-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { startPrometheus, type PrometheusServer } from '../../harness/prometheus.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

let target: Server;
let garbage: Server;
let prom: PrometheusServer;
let fx: Fixture;

// What a federation scrape of an edge hands the center: recording-rule series labelled by cluster.
const EXPOSITION = [
  '# TYPE cluster:nodes_ready:count gauge',
  'cluster:nodes_ready:count{cluster="alpha"} 5',
  '# TYPE cluster:pods_by_phase:count gauge',
  'cluster:pods_by_phase:count{cluster="alpha",phase="Running"} 40',
  'cluster:pods_by_phase:count{cluster="alpha",phase="Pending"} 2',
  '',
].join('\n');

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(EXPOSITION);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as { port: number }).port;
  // An edge whose /federate answers garbage: the center's scrape of it fails.
  garbage = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('<html>\x00\x01 not { an exposition\ncluster:nodes_ready:count{cluster="beta" 5 5 5\n');
  });
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  const garbagePort = (garbage.address() as { port: number }).port;
  prom = await startPrometheus({
    config: `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: flotilla-federate\n    honor_labels: true\n    static_configs: [{targets: ['127.0.0.1:${port}'], labels: {cluster: alpha}}, {targets: ['127.0.0.1:${garbagePort}'], labels: {cluster: beta}}]\n`,
  });
  fx = await startFixture({ 'metrics.source': 'prometheus', 'metrics.prometheus': { url: prom.url, timeoutMs: 2000 } });
  await fx.addCluster('beta');
  const alpha = new FakeAgent(await fx.addCluster('alpha'), fx.store);
  await alpha.register();
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });
  await alpha.report({ nodes: 3 });
  await waitUntil(async () => ((await fx.api('GET', '/api/v1/clusters/alpha')).body.row.reportedAt ? true : undefined), { what: 'the first report' });
}, 120_000);

afterAll(async () => {
  await fx?.daemon.stop();
  await prom?.stop();
  if (target.listening) await new Promise<void>((r) => target.close(() => r()));
  garbage.closeAllConnections();
  await new Promise<void>((r) => garbage.close(() => r()));
  cleanupTempDirs();
});

const values = (s: any) => s.points.map((p: any) => p[1]).filter((v: any) => v !== null);

describe('metrics from the central Prometheus', () => {
  it('answers the series a recording rule records from Prometheus and the rest from the embedded series', async () => {
    const r = await waitUntil(async () => {
      const res = await fx.api('GET', '/api/v1/metrics/range?cluster=alpha&series=nodes_ready,pods_running,pods_pending,warning_events,nodes_total&since=5m&step=1s');
      return values(res.body.series[0]).length > 0 ? res : undefined;
    }, { what: 'points from Prometheus', timeoutMs: 30_000, intervalMs: 500 });
    expect(r.body).toMatchObject({ cluster: 'alpha', source: 'prometheus', stepSeconds: 1 });
    expect(r.body.warning).toBeUndefined();
    const [ready, running, pending, warnings, total] = r.body.series;
    expect({ source: ready.source, values: [...new Set(values(ready))] }).toEqual({ source: 'prometheus', values: [5] });
    expect([...new Set(values(running))]).toEqual([40]);
    expect([...new Set(values(pending))]).toEqual([2]);
    // No rule records warning events: the daemon's own series, from the report.
    expect(warnings.source).toBe('embedded');
    expect(total).toMatchObject({ source: 'prometheus' });
    // The center scrapes the edge: nothing to say of it.
    expect(r.body.edge).toBeUndefined();
  });

  it('says the edge is down when its /federate answers garbage: the scrape fails, nothing of it is stored', async () => {
    const r = await waitUntil(async () => {
      const res = await fx.api('GET', '/api/v1/metrics/range?cluster=beta&series=nodes_ready&since=5m&step=1s');
      // Before the center's first scrape of beta the answer has an edge with nothing down yet.
      return res.body.edge?.down?.length > 0 ? res : undefined;
    }, { what: "beta's edge said down", timeoutMs: 30_000, intervalMs: 500 });
    expect(r.body).toMatchObject({ source: 'prometheus', edge: { down: ['flotilla-federate'], newestData: null } });
    expect(values(r.body.series[0])).toEqual([]);
  });

  it('says the edge is down, with the age of its data, once the center cannot scrape it (up == 0)', async () => {
    target.closeAllConnections();
    await new Promise<void>((r) => target.close(() => r()));
    const r = await waitUntil(async () => {
      const res = await fx.api('GET', '/api/v1/metrics/range?cluster=alpha&series=nodes_ready&since=5m&step=1s');
      return res.body.edge?.down?.length > 0 ? res : undefined;
    }, { what: 'the edge said down', timeoutMs: 30_000, intervalMs: 500 });
    expect(r.body).toMatchObject({ source: 'prometheus', edge: { down: ['flotilla-federate'], stale: false } });
    expect(r.body.warning).toBeUndefined();
    expect(Date.parse(r.body.edge.newestSample)).toBeGreaterThan(Date.now() - 30_000);
    // The last point before the scrapes failed: what the pane gives as the data's age.
    const lastPoint = r.body.series[0].points.filter((p: any) => p[1] !== null).at(-1)[0];
    expect(r.body.edge.newestData).toBe(new Date(lastPoint).toISOString());
  });

  it('answers from the embedded series, saying so, when Prometheus is gone', async () => {
    await prom.kill();
    const r = await fx.api('GET', '/api/v1/metrics/range?cluster=alpha&series=nodes_ready&since=5m&step=1s');
    expect(r.status).toBe(200);
    expect(r.body.source).toBe('embedded');
    expect(r.body.warning).toMatch(/^the central Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer: ECONNREFUSED; showing the daemon's own series$/);
    expect([...new Set(values(r.body.series[0]))]).toEqual([3]);
  });
});
