// The generated configs run for real (Debian's /usr/bin/prometheus, with the generated flags as they
// are): a sim agent, its edge Prometheus scraping it and evaluating the cluster:* rules, and a central
// Prometheus federating the edge through the generated file_sd file; then the same edge in agent mode
// remote-writing to a central Prometheus with the receiver and the central-scope rules. At the center
// the cluster:* series carry the cluster's name and agree with the agent's status report, and nothing
// crosses but what the configs let through.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { centralFiles, edgeFiles, type OutFile } from '../../../cli/metrics-files.js';
import { AgentConfigSchema } from '../../../config/schemas.js';
import { generateSigningKey, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { centralPrometheusConfig, edgePrometheusConfig, fileSd, type CentralPrometheusInput, type EdgePrometheusInput } from '../../../core/metrics/prometheus-config.js';
import { RECORDED_NAMES, RULE_INPUTS } from '../../../core/metrics/recording-rules.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { freePort } from '../../harness/free-port.js';

const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const CLUSTER = 'sim-live';
const cpKey = generateSigningKey();
const ctx = { version: 'test', command: 'flotilla metrics config (test)' };

const agents: AgentHandle[] = [];
const servers: ChildProcess[] = [];

async function stopServers(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
          setTimeout(() => p.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
}

afterEach(stopServers);
afterAll(async () => {
  await stopServers();
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  cleanupTempDirs();
});

/** Writes the files and starts Prometheus in their directory with exactly the generated flags. */
async function runPrometheus(files: OutFile[], flags: string[], port: number): Promise<{ url: string; log: () => string }> {
  const dir = tempDir('flotilla-prometheus-');
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.content);
  const child = spawn(PROMETHEUS, flags, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${log.slice(-3000)}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    { what: `prometheus on ${port}`, timeoutMs: 30_000 },
  );
  return { url, log: () => log };
}

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(url: string, q: string): Promise<Vector[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q }).toString()}`);
  const body = (await res.json()) as { status: string; data?: { result: Vector[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** The value of a query that should answer one series, once it does. */
async function scalarOf(url: string, q: string, what = q): Promise<number> {
  const [v] = await waitUntil(async () => {
    const r = await query(url, q);
    return r.length === 1 ? r : null;
  }, { what, timeoutMs: 40_000, intervalMs: 250 });
  return Number(v?.value[1]);
}

async function startSimAgent(): Promise<{ port: number; report: StatusReport }> {
  const storePath = tempDir();
  const port = await freePort();
  const config = AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath },
    controlPlane: { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) },
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    // One report and no more ticks: the scraped state is the report's.
    status: { intervalSeconds: 3600 },
    agent: { backend: 'sim', metricsPort: port },
    sim: { nodes: 4, deployments: 10, faultRate: 1, seed: 5 },
  });
  agents.push(await startAgent(config, { dataDir: tempDir(), logger: silentLogger() }));
  const store = new DirStore(storePath);
  const report = await waitUntil(
    async () => {
      const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
      if (!obj) return null;
      const envelope = JSON.parse(obj.body.toString('utf8')) as { payload: string };
      return StatusReportSchema.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')));
    },
    { what: 'the first status report' },
  );
  return { port, report };
}

/** What the center holds of the cluster, by metric name, less the scrape_* series Prometheus adds to its own scrape of each edge. */
async function namesAtCenter(url: string): Promise<string[]> {
  const names = (await query(url, `group by (__name__) ({cluster="${CLUSTER}"})`)).map((v) => v.metric.__name__ ?? '');
  return names.filter((n) => !n.startsWith('scrape_')).sort();
}

describe.skipIf(!existsSync(PROMETHEUS))('generated Prometheus configs, running', () => {
  let agent: { port: number; report: StatusReport } | undefined;
  const sim = async () => (agent ??= await startSimAgent());

  async function expectReportAtCenter(url: string, report: StatusReport): Promise<void> {
    const sel = `{cluster="${CLUSTER}"}`;
    expect(await scalarOf(url, `cluster:nodes:count${sel}`)).toBe(report.nodes.length);
    expect(await scalarOf(url, `cluster:nodes_ready:count${sel}`)).toBe(report.nodes.filter((n) => n.ready).length);
    expect(await scalarOf(url, `cluster:pods_by_phase:count{cluster="${CLUSTER}", phase="Running"}`)).toBe(report.pods.running);
    expect(await scalarOf(url, `cluster:pods_by_phase:count{cluster="${CLUSTER}", phase="Pending"}`)).toBe(report.pods.pending);
    expect(await scalarOf(url, `cluster:container_restarts:count${sel}`)).toBe(report.restarts);
    expect(await scalarOf(url, `cluster:node_cpu_capacity:cores${sel}`)).toBeCloseTo(report.nodes.reduce((s, n) => s + n.capacity.cpuMillis, 0) / 1000, 9);
    // A rate needs two scrapes of the CPU counters: the containers use some CPU, less than the nodes have.
    const cpu = await scalarOf(url, `cluster:cpu_usage:ratio${sel}`);
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThan(1);
  }

  it('federation: the edge evaluates the rules; the center takes up and cluster:* only, labelled with the cluster', async () => {
    const { port: agentPort, report } = await sim();
    const edgePort = await freePort();
    const edgeInput: EdgePrometheusInput = { cluster: CLUSTER, backend: 'sim', agentTarget: `127.0.0.1:${agentPort}`, scrapeInterval: '1s', listenAddress: `127.0.0.1:${edgePort}` };
    const edge = edgePrometheusConfig(edgeInput);
    await runPrometheus(edgeFiles(edge, { ...ctx, cluster: CLUSTER, backend: 'sim', mode: 'federate' }), edge.flags, edgePort);

    const centralPort = await freePort();
    const centralInput: CentralPrometheusInput = { scrapeInterval: '1s', listenAddress: `127.0.0.1:${centralPort}` };
    const central = centralPrometheusConfig(centralInput);
    const sd = fileSd([{ name: CLUSTER, federateUrl: `127.0.0.1:${edgePort}` }]);
    const { url } = await runPrometheus(centralFiles(central, sd, ctx), central.flags, centralPort);

    expect(await scalarOf(url, `up{job="flotilla-federate", cluster="${CLUSTER}"}`)).toBe(1);
    for (const job of ['kube-state-metrics', 'kubelet', 'flotilla-agent']) expect(await scalarOf(url, `up{job="${job}", cluster="${CLUSTER}"}`)).toBe(1);
    await expectReportAtCenter(url, report);
    // The rate5m rules answer only after the edge holds two samples of their counters and the center
    // has federated since: wait for every recorded name rather than for one of them.
    const names = await waitUntil(
      async () => {
        const now = await namesAtCenter(url);
        return RECORDED_NAMES.every((n) => now.includes(n)) ? now : null;
      },
      { what: 'every cluster:* rule at the center', timeoutMs: 40_000, intervalMs: 250 },
    );
    expect(names.filter((n) => n !== 'up' && !n.startsWith('cluster:'))).toEqual([]);
    // No raw exporter series crossed.
    expect(await query(url, '{__name__=~"kube_.*|container_.*|machine_.*|flotilla_agent_.*"}')).toEqual([]);
  });

  it('remote-write: the edge in agent mode sends up and the rules\' inputs; the center evaluates the same rules over them', async () => {
    const { port: agentPort, report } = await sim();
    const centralPort = await freePort();
    const central = centralPrometheusConfig({ scrapeInterval: '1s', listenAddress: `127.0.0.1:${centralPort}`, remoteWriteReceiver: true });
    const { url } = await runPrometheus(centralFiles(central, fileSd([]), ctx), central.flags, centralPort);

    const edgePort = await freePort();
    const edge = edgePrometheusConfig({ cluster: CLUSTER, backend: 'sim', agentTarget: `127.0.0.1:${agentPort}`, scrapeInterval: '1s', listenAddress: `127.0.0.1:${edgePort}`, mode: 'remote-write', remoteWriteUrl: `${url}/api/v1/write` });
    expect(edge.rules).toBeNull();
    expect(edge.flags).toContain('--enable-feature=agent');
    await runPrometheus(edgeFiles(edge, { ...ctx, cluster: CLUSTER, backend: 'sim', mode: 'remote-write' }), edge.flags, edgePort);

    expect(await scalarOf(url, `up{job="kube-state-metrics", cluster="${CLUSTER}"}`)).toBe(1);
    await expectReportAtCenter(url, report);
    const names = await namesAtCenter(url);
    const allowed = new Set(['up', ...RULE_INPUTS, ...RECORDED_NAMES]);
    expect(names.filter((n) => !allowed.has(n))).toEqual([]);
    // A series no rule reads stayed at the edge.
    expect(await query(url, 'kube_deployment_spec_replicas')).toEqual([]);
  });
});
