/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The metrics chain end to end, every part real: an in-process daemon (metrics.source prometheus,
// metrics.federation.fileSdPath), two sim agents each with its own edge Prometheus (Debian's 2.42,
// started with a minimal config), and a central Prometheus from the generated config. The operator's
// one step is POST /api/v1/clusters/:name/monitoring: the daemon signs the edge config and keeps the
// file_sd file, the agents write the config into their edge and reload it, the center federates both
// edges, and the daemon answers each cluster's series from the center, labelled by cluster. Removing a
// cluster takes it out of the file_sd at once and the center stops scraping it; a stopped edge is
// up == 0 at the center and the metrics pane says so. Then the same in remote-write mode: edges in
// agent mode writing to a central receiver, a stopped exporter (up == 0) and a stopped edge (its
// samples stop arriving) said by the pane.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { silentLogger } from '../../../core/log.js';
import { centralFiles } from '../../../core/metrics/files.js';
import { centralPrometheusConfig, fileSd } from '../../../core/metrics/prometheus-config.js';
import { MetricsRangeSchema } from '../../../tui/frames.js';
import { PANE_CHARTS } from '../../../tui/state/fleet-panes.js';
import { holdRange } from '../../../tui/state/metrics.js';
import { MetricsPane } from '../../../tui/views/fleet/MetricsPane.js';
import { makeTheme, ThemeContext } from '../../../tui/views/theme.js';
import { waitUntil } from '../../harness/proc.js';
import { startPrometheus, type PrometheusServer } from '../../harness/prometheus.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { freePort } from '../../harness/free-port.js';
import { startFixture, type Fixture } from '../daemon/fixture.js';

const MINIMAL = 'global:\n  scrape_interval: 5s\nscrape_configs: []\n';
const ctx = { version: 'test', command: 'federation-e2e' };
// Different node counts, so a series answered for the wrong cluster would show.
const NODES: Record<string, number> = { 'fed-a': 3, 'fed-b': 5, 'rw-a': 2, 'rw-b': 4 };

interface Edge {
  name: string;
  prom: PrometheusServer;
  agent: AgentHandle;
  metricsPort: number;
}

afterAll(cleanupTempDirs);

/** A central Prometheus from the generated config (and an empty file_sd file the daemon will own). */
async function startCentral(remoteWriteReceiver: boolean): Promise<PrometheusServer> {
  const files = centralFiles(centralPrometheusConfig({ scrapeInterval: '1s', remoteWriteReceiver }), fileSd([]), ctx);
  const config = files.find((f) => f.name === 'prometheus.yml')?.content ?? '';
  return startPrometheus({ config, files: Object.fromEntries(files.filter((f) => f.name !== 'prometheus.yml').map((f) => [f.name, f.content])), flags: remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : [] });
}

async function startEdge(fx: Fixture, name: string, agentMode: boolean): Promise<Edge> {
  const bundle: AgentConfig = await fx.addCluster(name);
  const prom = await startPrometheus({ config: MINIMAL, agent: agentMode });
  const metricsPort = await freePort();
  const config = AgentConfigSchema.parse({
    ...bundle,
    store: { ...bundle.store, pollIntervalMs: 100 },
    status: { intervalSeconds: 1 },
    agent: { backend: 'sim', metricsPort },
    sim: { nodes: NODES[name], deployments: 3, faultRate: 0, seed: 11, logs: { enabled: false } },
    logs: { enabled: false },
    monitoring: { configDir: prom.dir, reloadUrl: `${prom.url}/-/reload` },
  });
  const agent = await startAgent(config, { dataDir: tempDir(), logger: silentLogger() });
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered`, timeoutMs: 30_000 });
  return { name, prom, agent, metricsPort };
}

/** The operator's step: the settings, then the configure-monitoring job done by the agent. */
async function configure(fx: Fixture, name: string, settings: Record<string, unknown>): Promise<void> {
  const res = await fx.api('POST', `/api/v1/clusters/${name}/monitoring`, { body: settings });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const job = await waitUntil(
    async () => {
      const j = (await fx.api('GET', `/api/v1/jobs/${res.body.job.id as string}`)).body;
      return j.result ? j : null;
    },
    { what: `configure-monitoring of ${name}`, timeoutMs: 60_000, intervalMs: 200 },
  );
  expect(job.result.state, job.result.detail).toBe('succeeded');
}

async function vector(p: PrometheusServer, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  return (await p.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?${new URLSearchParams({ query: q }).toString()}`)).result;
}

/** The daemon's answer for the pane's series over the last 5 minutes, once `until` holds of it. */
async function paneAnswer(fx: Fixture, name: string, until: (body: any) => boolean, what: string): Promise<any> {
  const series = PANE_CHARTS.map((c) => c.series).concat('nodes_ready').join(',');
  return waitUntil(
    async () => {
      const res = await fx.api('GET', `/api/v1/metrics/range?cluster=${name}&series=${series}&since=5m&step=1s`);
      return res.status === 200 && until(res.body) ? res.body : null;
    },
    { what, timeoutMs: 60_000, intervalMs: 500 },
  );
}

const lastValue = (body: any, series: string): number | null => {
  const points = (body.series as any[]).find((s) => s.name === series).points.filter((p: any) => p[1] !== null);
  return points.at(-1)?.[1] ?? null;
};

/** The fleet view's metrics pane as it draws this answer, in plain text. */
async function drawPane(fx: Fixture, name: string, body: unknown): Promise<string> {
  const row = (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row;
  const held = holdRange(MetricsRangeSchema.parse(body), PANE_CHARTS.map((c) => c.series));
  const metrics = { cluster: name, held, pending: null, answered: true, answeredAt: Date.now(), failedAt: null, error: null };
  const pane = createElement(MetricsPane, { row, metrics, now: Date.now(), title: [{ text: `Metrics · ${name}` }], framed: true, width: 100, height: 24 });
  const view = render(createElement(ThemeContext.Provider, { value: makeTheme(false) }, pane));
  const frame = view.lastFrame() ?? '';
  view.unmount();
  return frame;
}

describe.sequential('federation: two edges, the daemon keeping the file_sd, the daemon answering from the center', () => {
  let central: PrometheusServer;
  let fx: Fixture;
  const edges: Edge[] = [];
  const fileSdPath = () => join(central.dir, 'clusters.json');
  const fileSdClusters = () => (JSON.parse(readFileSync(fileSdPath(), 'utf8')) as { labels: { cluster: string } }[]).map((g) => g.labels.cluster);

  beforeAll(async () => {
    central = await startCentral(false);
    fx = await startFixture({ 'metrics.source': 'prometheus', 'metrics.prometheus': { url: central.url, timeoutMs: 3000 }, 'metrics.federation': { fileSdPath: fileSdPath() } });
    for (const name of ['fed-a', 'fed-b']) edges.push(await startEdge(fx, name, false));
  }, 120_000);

  afterAll(async () => {
    await fx?.daemon.stop();
    await Promise.all(edges.map(async (e) => Promise.all([e.agent.stop(), e.prom.stop()])));
    await central?.stop();
  });

  it('configures both edges; each appears in the file_sd as its settings are stored; the center federates both; the daemon answers each from the center', { timeout: 180_000 }, async () => {
    expect(fileSdClusters()).toEqual([]);
    for (const e of edges) {
      await configure(fx, e.name, { mode: 'federate', federateTarget: `127.0.0.1:${e.prom.port}`, backend: 'sim', agentTarget: `127.0.0.1:${e.metricsPort}`, scrapeInterval: '1s' });
      expect(fileSdClusters()).toContain(e.name);
    }
    expect(fileSdClusters()).toEqual(['fed-a', 'fed-b']);
    for (const e of edges) {
      await waitUntil(async () => (await vector(central, `up{job="flotilla-federate", cluster="${e.name}"}`))[0]?.value[1] === '1', { what: `the center scraping ${e.name}`, timeoutMs: 60_000, intervalMs: 250 });
      const body = await paneAnswer(fx, e.name, (b) => lastValue(b, 'nodes_ready') !== null && lastValue(b, 'cpu_used_ratio') !== null, `${e.name}'s series from the center`);
      expect(body).toMatchObject({ cluster: e.name, source: 'prometheus' });
      expect(body.warning).toBeUndefined();
      expect(body.edge).toBeUndefined();
      expect((body.series as any[]).find((s) => s.name === 'nodes_ready').source).toBe('prometheus');
      expect(lastValue(body, 'nodes_ready')).toBe(NODES[e.name]);
    }
  });

  it('removing a cluster takes it out of the file_sd at once, and the center stops scraping its edge', { timeout: 120_000 }, async () => {
    const b = edges.find((e) => e.name === 'fed-b') as Edge;
    await b.agent.stop();
    expect((await fx.api('DELETE', '/api/v1/clusters/fed-b')).status).toBe(200);
    await waitUntil(() => (fileSdClusters().join(',') === 'fed-a' ? true : null), { what: 'fed-b out of the file_sd', timeoutMs: 10_000, intervalMs: 50 });
    // Prometheus watches the file: the target goes without waiting for the 1 m refresh.
    await waitUntil(
      async () => {
        const t = await central.api<{ activeTargets: { labels: Record<string, string> }[] }>('targets?state=active');
        const clusters = t.activeTargets.map((x) => x.labels.cluster).sort();
        return clusters.join(',') === 'fed-a' ? true : null;
      },
      { what: 'the center scraping fed-a only', timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  it('a stopped edge is up == 0 at the center, and the metrics pane says so with the age of its data', { timeout: 120_000 }, async () => {
    const a = edges.find((e) => e.name === 'fed-a') as Edge;
    await a.prom.kill();
    await waitUntil(async () => (await vector(central, `up{job="flotilla-federate", cluster="fed-a"}`))[0]?.value[1] === '0', { what: 'up == 0 for fed-a', timeoutMs: 30_000, intervalMs: 250 });
    const body = await paneAnswer(fx, 'fed-a', (x) => x.edge !== undefined, 'the answer saying the edge is down');
    expect(body).toMatchObject({ source: 'prometheus', edge: { down: ['flotilla-federate'], stale: false } });
    expect(body.edge.newestData).not.toBeNull();
    const frame = await drawPane(fx, 'fed-a', body);
    expect(frame).toMatch(/! edge Prometheus down \(up == 0\) · data \d+s old/);
    // The rest of the pane works: the summary from the status reports, the charts.
    expect(frame).toContain('nodes 3/3 ready');
    expect(frame).toContain('CPU used');
  });
});

describe.sequential('remote-write: edges in agent mode writing to the center, the daemon answering from it', () => {
  let central: PrometheusServer;
  let fx: Fixture;
  const edges: Edge[] = [];

  beforeAll(async () => {
    // staleSeconds over three of the edges' remote-write batch deadlines (Prometheus's default 5 s):
    // a healthy edge's newest sample at the center is up to one deadline and a scrape old.
    central = await startCentral(true);
    fx = await startFixture({ 'metrics.source': 'prometheus', 'metrics.prometheus': { url: central.url, timeoutMs: 3000, staleSeconds: 15 }, 'metrics.federation': { fileSdPath: join(central.dir, 'clusters.json') } });
    for (const name of ['rw-a', 'rw-b']) edges.push(await startEdge(fx, name, true));
  }, 120_000);

  afterAll(async () => {
    await fx?.daemon.stop();
    await Promise.all(edges.map(async (e) => Promise.all([e.agent.stop(), e.prom.stop()])));
    await central?.stop();
  });

  it('configures both edges to write to the center; nothing goes into the file_sd; the daemon answers each from the center', { timeout: 180_000 }, async () => {
    for (const e of edges) await configure(fx, e.name, { mode: 'remote-write', remoteWriteUrl: `${central.url}/api/v1/write`, backend: 'sim', agentTarget: `127.0.0.1:${e.metricsPort}`, scrapeInterval: '1s' });
    expect(JSON.parse(readFileSync(join(central.dir, 'clusters.json'), 'utf8'))).toEqual([]);
    for (const e of edges) {
      const body = await paneAnswer(fx, e.name, (b) => lastValue(b, 'nodes_ready') !== null && lastValue(b, 'cpu_used_ratio') !== null && b.edge === undefined, `${e.name}'s series from the center`);
      expect(body).toMatchObject({ cluster: e.name, source: 'prometheus' });
      expect(lastValue(body, 'nodes_ready')).toBe(NODES[e.name]);
    }
  });

  it('a stopped exporter is up == 0, written by its edge, and the pane names the failing scrapes', { timeout: 120_000 }, async () => {
    const a = edges.find((e) => e.name === 'rw-a') as Edge;
    await a.agent.stop();
    const body = await paneAnswer(fx, 'rw-a', (x) => (x.edge?.down.length ?? 0) > 0, 'the answer naming the failing scrapes');
    expect(body.edge).toMatchObject({ down: expect.arrayContaining(['kube-state-metrics', 'kubelet']), stale: false });
    expect(await drawPane(fx, 'rw-a', body)).toMatch(/! edge scrape failing: .*kube-state-metrics, kubelet · data \d+s old/);
  });

  it('a stopped edge sends nothing more: after staleSeconds the pane says for how long', { timeout: 120_000 }, async () => {
    const b = edges.find((e) => e.name === 'rw-b') as Edge;
    await b.prom.kill();
    const body = await paneAnswer(fx, 'rw-b', (x) => x.edge?.stale === true, 'the answer saying the edge is silent');
    expect(body.edge).toMatchObject({ down: [], stale: true });
    expect(Date.now() - Date.parse(body.edge.newestSample)).toBeGreaterThan(15_000);
    expect(await drawPane(fx, 'rw-b', body)).toMatch(/! nothing from the edge for \d+s · data \d+s old/);
  });
});
