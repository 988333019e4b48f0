// A real agent on the sim backend serving its cluster's kube-state-metrics- and cAdvisor-shaped series
// at /metrics/cluster: scraped over HTTP, parsed strictly, passed through `promtool check metrics`,
// and compared with the status report the agent wrote for the same state. On the kube backend the
// path answers 404 and says where the cluster's series come from instead.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { NO_CLUSTER_SERIES } from '../../../agent/metrics.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { generateSigningKey, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { startKubeApiServer } from '../../harness/kube-api-server.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { parseExposition, samplesOf, sumOf, type Family } from '../../harness/prom-exposition.js';
import { freePort } from '../../harness/free-port.js';

const cpKey = generateSigningKey();
const CONTROL_PLANE = { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) };
const CLUSTER = 'sim-eu-1';
const PROMTOOL = '/usr/bin/promtool';

const running: AgentHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});
afterAll(() => cleanupTempDirs());

function agentConfig(storePath: string, over: Record<string, unknown>): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath },
    controlPlane: CONTROL_PLANE,
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    // One report (at start) and no more: the scrape then sees the very state the report was made from.
    status: { intervalSeconds: 3600 },
    ...over,
  });
}

/** The report's payload; its signature is lifecycle.test.ts's concern. */
async function firstReport(store: DirStore): Promise<StatusReport> {
  return waitUntil(
    async () => {
      const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
      if (!obj) return null;
      const envelope = JSON.parse(obj.body.toString('utf8')) as { payload: string };
      return StatusReportSchema.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')));
    },
    { what: 'the first status report' },
  );
}

async function scrape(port: number, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function cpuById(families: Family[]): Map<string, number> {
  return new Map(samplesOf(families, 'container_cpu_usage_seconds_total').map((s) => [s.labels.id ?? '', s.value]));
}

describe('agent cluster series on the sim backend', () => {
  it('has promtool to lint the exposition with (Debian package "prometheus")', () => {
    expect(existsSync(PROMTOOL), `${PROMTOOL} is missing: apt-get install -y prometheus`).toBe(true);
  });

  // Seeds whose first tick starts a node-not-ready fault, a crash loop and an oversized rollout (a Pending pod).
  it.each([
    { seed: 6, fault: 'node-not-ready' },
    { seed: 5, fault: 'crashloop' },
    { seed: 4, fault: 'unschedulable' },
  ])('serves /metrics/cluster that parses, passes promtool and agrees with the status report ($fault)', async ({ seed, fault }) => {
    const storePath = tempDir();
    const port = await freePort();
    const store = new DirStore(storePath);
    const agent = await startAgent(agentConfig(storePath, { agent: { backend: 'sim', metricsPort: port }, sim: { nodes: 5, deployments: 24, faultRate: 1, seed } }), { dataDir: tempDir(), logger: silentLogger() });
    running.push(agent);
    const report = await firstReport(store);

    const first = await scrape(port, '/metrics/cluster');
    expect(first.status).toBe(200);
    expect(first.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(first.body);

    const lint = promtoolCheck(first.body);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);

    // Pods by phase, restarts, nodes: the same cluster the report describes.
    expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Running' })).toBe(report.pods.running);
    expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Pending' })).toBe(report.pods.pending);
    expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Unknown' })).toBe(report.pods.unknown);
    expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Succeeded' })).toBe(report.pods.succeeded);
    expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Failed' })).toBe(report.pods.failed);
    expect(sumOf(families, 'kube_pod_status_phase')).toBe(report.pods.total);
    expect(sumOf(families, 'kube_pod_container_status_restarts_total')).toBe(report.restarts);
    expect(sumOf(families, 'kube_node_status_condition', { condition: 'Ready', status: 'true' })).toBe(report.nodes.filter((n) => n.ready).length);
    expect(sumOf(families, 'kube_node_status_condition', { condition: 'Ready', status: 'false' })).toBe(report.nodes.filter((n) => !n.ready).length);
    expect(sumOf(families, 'kube_node_spec_unschedulable')).toBe(report.nodes.filter((n) => n.unschedulable).length);
    for (const n of report.nodes) {
      expect(sumOf(families, 'kube_node_status_capacity', { node: n.name, resource: 'cpu', unit: 'core' }) * 1000).toBe(n.capacity.cpuMillis);
      expect(sumOf(families, 'kube_node_status_capacity', { node: n.name, resource: 'memory', unit: 'byte' })).toBe(n.capacity.memoryBytes);
      expect(sumOf(families, 'kube_node_status_capacity', { node: n.name, resource: 'pods', unit: 'integer' })).toBe(n.capacity.pods);
      expect(sumOf(families, 'container_memory_working_set_bytes', { node: n.name })).toBeLessThanOrEqual(n.usage.memoryBytes + 1);
    }
    for (const w of report.workloads) {
      if (w.kind === 'Deployment') {
        expect(sumOf(families, 'kube_deployment_spec_replicas', { namespace: w.namespace, deployment: w.name })).toBe(w.desired);
        expect(sumOf(families, 'kube_deployment_status_replicas_available', { namespace: w.namespace, deployment: w.name })).toBe(w.ready);
      } else if (w.kind === 'StatefulSet') {
        expect(sumOf(families, 'kube_statefulset_replicas', { namespace: w.namespace, statefulset: w.name })).toBe(w.desired);
        expect(sumOf(families, 'kube_statefulset_status_replicas_ready', { namespace: w.namespace, statefulset: w.name })).toBe(w.ready);
      }
    }
    const deployments = report.workloads.filter((w) => w.kind === 'Deployment').length;
    expect(samplesOf(families, 'kube_deployment_spec_replicas')).toHaveLength(deployments);
    // The fault the seed was chosen for shows.
    if (fault === 'node-not-ready') expect(report.pods.unknown).toBeGreaterThan(0);
    if (fault === 'crashloop') expect(samplesOf(families, 'kube_pod_container_status_waiting_reason', { reason: 'CrashLoopBackOff' })).toHaveLength(1);
    if (fault === 'unschedulable') expect(report.pods.pending).toBe(1);

    // The cluster's series carry no agent or cluster labels; the edge Prometheus adds `cluster` as an external label.
    for (const f of families) {
      expect(f.name.startsWith('flotilla_')).toBe(false);
      for (const s of f.samples) expect(s.labels.cluster).toBeUndefined();
    }
    // The agent's own series stay at /metrics, apart.
    const own = await scrape(port, '/metrics');
    expect(own.status).toBe(200);
    expect(own.body).toContain('flotilla_agent_reports_written_total');
    expect(own.body).not.toContain('kube_pod_status_phase');

    // A later scrape: no tick in between, so the kube-state-metrics side is the same and every CPU
    // counter has grown with the time that passed.
    await new Promise((r) => setTimeout(r, 300));
    const second = parseExposition((await scrape(port, '/metrics/cluster')).body);
    const kube = (fs: Family[]) => fs.filter((f) => f.name.startsWith('kube_'));
    expect(kube(second)).toEqual(kube(families));
    const before = cpuById(families);
    const after = cpuById(second);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(before.size).toBeGreaterThan(0);
    for (const [id, v] of after) expect(v).toBeGreaterThan(before.get(id) ?? Infinity);
  });
});

describe('agent cluster series on the kube backend', () => {
  it('answers /metrics/cluster with 404 and says the cluster’s own exporters are scraped instead', async () => {
    const api = await startKubeApiServer({ tickMs: 50 });
    try {
      const kubeconfig = join(tempDir(), 'kubeconfig');
      writeFileSync(kubeconfig, api.kubeconfig('edge'));
      const port = await freePort();
      const storePath = tempDir();
      const agent = await startAgent(agentConfig(storePath, { agent: { backend: 'kube', metricsPort: port }, kube: { kubeconfig, context: 'edge' } }), { dataDir: tempDir(), logger: silentLogger() });
      running.push(agent);
      const res = await scrape(port, '/metrics/cluster');
      expect(res.status).toBe(404);
      expect(res.body).toBe(NO_CLUSTER_SERIES);
      expect(res.body).toContain('kubernetes_sd_configs');
      expect((await scrape(port, '/metrics')).status).toBe(200);
      await Promise.all(running.splice(0).map((a) => a.stop()));
    } finally {
      await api.close();
    }
  });
});
