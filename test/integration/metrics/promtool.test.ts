// Every generated Prometheus file through promtool: `check config` on the edge configs (both backends,
// both modes; agent mode checked as agent mode) and the central ones, `check rules` on both rule
// scopes, and `test rules` proving each cluster:* rule computes what it should from kube-state-metrics-
// and cAdvisor-shaped input: the sim's own exposition of a tiny cluster (the golden file of
// test/unit/agent/sim), a kube-shaped cluster with the cgroups a real kubelet adds (pod-level, pause,
// root) and a finished pod, and both at the center, each with its `cluster`, beside a series of the
// center's own. And every Grafana panel's query parses. The files are written as `flotilla metrics
// config` writes them (cli/metrics-files.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { centralFiles, edgeFiles, type OutFile } from '../../../cli/metrics-files.js';
import { dashboards } from '../../../core/metrics/dashboards.js';
import { centralPrometheusConfig, edgePrometheusConfig, fileSd, PROMETHEUS_FILES, type EdgePrometheusInput } from '../../../core/metrics/prometheus-config.js';
import { RECORDED_NAMES, recordingRules } from '../../../core/metrics/recording-rules.js';
import { parseExposition } from '../../harness/prom-exposition.js';
import { promtool, promtoolHasKubernetesSd } from '../../harness/promtool.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(() => cleanupTempDirs());

function writeAll(dir: string, files: OutFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.content);
}

function expectOk(r: { status: number | null; output: string }): void {
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.status, r.output).toBe(0);
}

const ctx = { version: 'test', command: 'flotilla metrics config (test)' };
const SIM: EdgePrometheusInput = { cluster: 'sim-eu-1', backend: 'sim', agentTarget: '127.0.0.1:9464' };
// promtool checks that the service account's token and CA files exist: here a stand-in of the pod's mount.
const SERVICE_ACCOUNT = tempDir('flotilla-sa-');
writeFileSync(join(SERVICE_ACCOUNT, 'token'), 'token\n');
writeFileSync(join(SERVICE_ACCOUNT, 'ca.crt'), 'not a certificate; promtool only checks that it exists\n');
const KUBE: EdgePrometheusInput = { cluster: 'prod-eu-1', backend: 'kube', agentTarget: '127.0.0.1:9464', kube: { kubeStateMetricsNamespace: 'monitoring', serviceAccountDir: SERVICE_ACCOUNT } };
const REMOTE = { mode: 'remote-write' as const, remoteWriteUrl: 'https://central.example:9090/api/v1/write' };

function edgeDir(input: EdgePrometheusInput): string {
  const dir = tempDir('flotilla-edge-');
  const mode = input.mode ?? 'federate';
  writeAll(dir, edgeFiles(edgePrometheusConfig(input), { ...ctx, cluster: input.cluster, backend: input.backend, mode }));
  return dir;
}

/**
 * Debian's promtool has no Kubernetes service discovery and refuses kubernetes_sd_configs as an
 * unknown key. For it, each kubernetes_sd_configs becomes a static target so the rest of the job
 * (relabelling, authorization, TLS) is still checked; a promtool with Kubernetes discovery checks
 * the file as generated (the test after this one).
 */
function withoutKubernetesSd(file: string): string {
  const text = readFileSync(file, 'utf8').replace(/kubernetes_sd_configs:\n(\s+)- role: \w+\n(?:\1 {2}namespaces:\n\1 {4}names:\n(?:\1 {6}- .+\n)+)?/g, (_m, indent: string) => `static_configs:\n${indent}- targets: ["kubernetes.default.svc:443"]\n`);
  expect(text).not.toContain('kubernetes_sd_configs');
  const out = file.replace(/\.yml$/, '.static-sd.yml');
  writeFileSync(out, text);
  return out;
}

describe('promtool check config', () => {
  it('passes the sim edge config, federate mode, with its rules', () => {
    const dir = edgeDir(SIM);
    expectOk(promtool(['check', 'config', join(dir, PROMETHEUS_FILES.config)]));
  });

  it('passes the sim edge config, remote-write mode, as agent mode', () => {
    const dir = edgeDir({ ...SIM, ...REMOTE });
    expectOk(promtool(['check', 'config', '--agent', join(dir, PROMETHEUS_FILES.config)]));
  });

  it('passes the kube edge configs, both modes (kubernetes_sd_configs as static targets where promtool lacks Kubernetes discovery)', () => {
    for (const input of [KUBE, { ...KUBE, ...REMOTE }]) {
      const dir = edgeDir(input);
      const file = join(dir, PROMETHEUS_FILES.config);
      const agent = input.mode === 'remote-write' ? ['--agent'] : [];
      expectOk(promtool(['check', 'config', ...agent, promtoolHasKubernetesSd() ? file : withoutKubernetesSd(file)]));
    }
  });

  it.skipIf(!promtoolHasKubernetesSd())('passes the kube edge configs as generated, kubernetes_sd_configs included (needs a promtool with Kubernetes discovery: set $PROMTOOL)', () => {
    for (const input of [KUBE, { ...KUBE, ...REMOTE }]) {
      const dir = edgeDir(input);
      expectOk(promtool(['check', 'config', ...(input.mode === 'remote-write' ? ['--agent'] : []), join(dir, PROMETHEUS_FILES.config)]));
    }
  });

  it('the agent-mode check is strict: the federate config, with its rule_files, fails it', () => {
    const dir = edgeDir(SIM);
    const r = promtool(['check', 'config', '--agent', join(dir, PROMETHEUS_FILES.config)]);
    expect(r.status, r.output).not.toBe(0);
  });

  it('passes the central config with its file_sd file, with and without the remote-write receiver', () => {
    const sd = fileSd([
      { name: 'prod-eu-1', federateUrl: 'prom.prod-eu-1.example:9090' },
      { name: 'sim-eu-1', federateUrl: 'https://edge.example/sim-eu-1' },
    ]);
    for (const remoteWriteReceiver of [false, true]) {
      const dir = tempDir('flotilla-central-');
      const files = centralFiles(centralPrometheusConfig({ remoteWriteReceiver }), sd, ctx);
      expect(files.some((f) => f.name === PROMETHEUS_FILES.rules)).toBe(remoteWriteReceiver);
      writeAll(dir, files);
      const r = promtool(['check', 'config', join(dir, PROMETHEUS_FILES.config)]);
      expectOk(r);
      // promtool reads the file_sd file too: an unparseable one fails the check.
      writeFileSync(join(dir, PROMETHEUS_FILES.fileSd), '[{"targets": "not a list"}]');
      expect(promtool(['check', 'config', join(dir, PROMETHEUS_FILES.config)]).status).not.toBe(0);
    }
  });
});

describe('promtool check rules', () => {
  it('passes both rule scopes, lint included', () => {
    const dir = tempDir('flotilla-rules-');
    for (const scope of ['edge', 'central'] as const) {
      const file = join(dir, `${scope}.yml`);
      writeFileSync(file, stringify(recordingRules({ scope }), { lineWidth: 0 }));
      const r = promtool(['check', 'rules', '--lint=all', '--lint-fatal', file]);
      expectOk(r);
      expect(r.output).toContain(`${RECORDED_NAMES.length} rules found`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// promtool test rules

interface InputSeries {
  series: string;
  values: string;
}

function seriesText(name: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}{${body}}`;
}

const KSM_LABELS = { job: 'kube-state-metrics', instance: '127.0.0.1:9464' };
const KUBELET_LABELS = { job: 'kubelet', metrics_path: '/metrics/cadvisor', instance: '127.0.0.1:9464' };

/**
 * The sim's exposition of a tiny cluster as the edge's two jobs store it: kube_* with the
 * kube-state-metrics job's labels, container_* and machine_* with the kubelet job's. Gauges hold
 * their value for 10 minutes; each CPU counter grows 15 s a minute (0.25 cores), and the
 * crash-looping postgres container restarts once a minute.
 */
function simInput(extra: Record<string, string> = {}): InputSeries[] {
  const text = readFileSync(new URL('../../unit/agent/sim/cluster-series.tiny.prom', import.meta.url), 'utf8');
  const out: InputSeries[] = [];
  for (const family of parseExposition(text)) {
    for (const s of family.samples) {
      const job = s.name.startsWith('kube_') ? KSM_LABELS : KUBELET_LABELS;
      let values = `${s.value}+0x10`;
      if (s.name === 'container_cpu_usage_seconds_total') values = `${s.value}+15x10`;
      if (s.name === 'kube_pod_container_status_restarts_total' && s.labels.container === 'postgres') values = `${s.value}+1x10`;
      out.push({ series: seriesText(s.name, { ...s.labels, ...job, ...extra }), values });
    }
  }
  // The agent's own counter carries `cluster` itself (a default label of its registry): 600 lines a minute.
  out.push({ series: seriesText('flotilla_agent_log_lines_shipped_total', { cluster: extra.cluster ?? 'sim-eu-1', job: 'flotilla-agent', instance: '127.0.0.1:9464' }), values: '0+600x10' });
  return out;
}

/**
 * A kube-shaped cluster: one node (2 cores, 8 GiB, 110 pods), pod `app` Running with one container
 * using 0.5 cores and 1 GiB, pod `done` Succeeded; cAdvisor also reports app's pod-level cgroup
 * (container=""), its pause container (container="POD") and the node's root cgroup, none of which
 * may be counted, and no container waits (kube-state-metrics then writes no waiting_reason at all).
 */
function kubeInput(extra: Record<string, string> = {}): InputSeries[] {
  const k = (name: string, labels: Record<string, string>, values: string): InputSeries => ({ series: seriesText(name, { ...labels, job: 'kube-state-metrics', instance: '10.0.0.5:8080', ...extra }), values });
  const c = (name: string, labels: Record<string, string>, values: string): InputSeries => ({ series: seriesText(name, { ...labels, job: 'kubelet', metrics_path: '/metrics/cadvisor', instance: 'node-a', node: 'node-a', ...extra }), values });
  const pod = (name: string, uid: string) => ({ namespace: 'web', pod: name, uid });
  const app = pod('app', 'uid-app');
  const done = pod('done', 'uid-done');
  const phases = (p: Record<string, string>, phase: string) => ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].map((ph) => k('kube_pod_status_phase', { ...p, phase: ph }, ph === phase ? '1+0x10' : '0+0x10'));
  const GiB = 2 ** 30;
  return [
    k('kube_node_info', { node: 'node-a' }, '1+0x10'),
    k('kube_node_spec_unschedulable', { node: 'node-a' }, '0+0x10'),
    k('kube_node_status_condition', { node: 'node-a', condition: 'Ready', status: 'true' }, '1+0x10'),
    k('kube_node_status_condition', { node: 'node-a', condition: 'Ready', status: 'false' }, '0+0x10'),
    k('kube_node_status_capacity', { node: 'node-a', resource: 'cpu', unit: 'core' }, '2+0x10'),
    k('kube_node_status_capacity', { node: 'node-a', resource: 'memory', unit: 'byte' }, `${8 * GiB}+0x10`),
    k('kube_node_status_capacity', { node: 'node-a', resource: 'pods', unit: 'integer' }, '110+0x10'),
    ...phases(app, 'Running'),
    ...phases(done, 'Succeeded'),
    k('kube_pod_status_scheduled', { ...app, condition: 'true' }, '1+0x10'),
    k('kube_pod_status_scheduled', { ...done, condition: 'true' }, '1+0x10'),
    k('kube_pod_container_resource_requests', { ...app, container: 'app', node: 'node-a', resource: 'cpu', unit: 'core' }, '0.5+0x10'),
    k('kube_pod_container_resource_requests', { ...app, container: 'app', node: 'node-a', resource: 'memory', unit: 'byte' }, `${GiB}+0x10`),
    k('kube_pod_container_resource_requests', { ...done, container: 'job', node: 'node-a', resource: 'cpu', unit: 'core' }, '1+0x10'),
    k('kube_pod_container_resource_requests', { ...done, container: 'job', node: 'node-a', resource: 'memory', unit: 'byte' }, `${2 * GiB}+0x10`),
    k('kube_pod_container_status_restarts_total', { ...app, container: 'app' }, '2+0x10'),
    k('kube_pod_container_status_restarts_total', { ...done, container: 'job' }, '0+0x10'),
    c('container_cpu_usage_seconds_total', { container: 'app', cpu: 'total', id: '/kubepods/burstable/poduid-app/c1', image: 'web:1', name: 'c1', namespace: 'web', pod: 'app' }, '100+30x10'),
    c('container_cpu_usage_seconds_total', { container: '', cpu: 'total', id: '/kubepods/burstable/poduid-app', namespace: 'web', pod: 'app' }, '100+30x10'),
    c('container_cpu_usage_seconds_total', { container: 'POD', cpu: 'total', id: '/kubepods/burstable/poduid-app/p1', image: 'pause:3.9', name: 'p1', namespace: 'web', pod: 'app' }, '0+6x10'),
    c('container_cpu_usage_seconds_total', { cpu: 'total', id: '/' }, '5000+90x10'),
    c('container_memory_working_set_bytes', { container: 'app', id: '/kubepods/burstable/poduid-app/c1', image: 'web:1', name: 'c1', namespace: 'web', pod: 'app' }, `${GiB}+0x10`),
    c('container_memory_working_set_bytes', { container: '', id: '/kubepods/burstable/poduid-app', namespace: 'web', pod: 'app' }, `${GiB}+0x10`),
    c('container_memory_working_set_bytes', { id: '/' }, `${4 * GiB}+0x10`),
  ];
}

type Expected = Record<string, { labels?: Record<string, string>; value: number }[]>;

const GiB = 2 ** 30;

/** The tiny sim cluster: 2 nodes of 4 cores / 16 GiB / 110 pods, one NotReady and cordoned; web-aaaaa and db-0 Running on worker-01, web-bbbbb Pending; db-0 crash-looping. */
const SIM_EXPECTED: Expected = {
  'cluster:node_cpu_capacity:cores': [{ value: 8 }],
  'cluster:node_memory_capacity:bytes': [{ value: 32 * GiB }],
  'cluster:node_pods_capacity:count': [{ value: 220 }],
  'cluster:nodes:count': [{ value: 2 }],
  'cluster:nodes_ready:count': [{ value: 1 }],
  'cluster:nodes_unschedulable:count': [{ value: 1 }],
  'cluster:cpu_usage:cores': [{ value: 0.5 }],
  'cluster:cpu_usage:ratio': [{ value: 0.5 / 8 }],
  // 0.25 + 0.25 + 0.5: the Pending pod's request counts, as the scheduler holds room for it.
  'cluster:cpu_requests:cores': [{ value: 1 }],
  'cluster:memory_working_set:bytes': [{ value: 128 * 2 ** 20 + 768 * 2 ** 20 }],
  'cluster:memory_working_set:ratio': [{ value: (896 * 2 ** 20) / (32 * GiB) }],
  'cluster:memory_requests:bytes': [{ value: 256 * 2 ** 20 * 2 + GiB }],
  'cluster:pods_by_phase:count': [
    { labels: { phase: 'Failed' }, value: 0 },
    { labels: { phase: 'Pending' }, value: 1 },
    { labels: { phase: 'Running' }, value: 2 },
    { labels: { phase: 'Succeeded' }, value: 0 },
    { labels: { phase: 'Unknown' }, value: 0 },
  ],
  // web-aaaaa and db-0 are on a node; web-bbbbb is not.
  'cluster:pod_density:ratio': [{ value: 2 / 220 }],
  // 3 restarts in the golden file, one more a minute for 10 minutes.
  'cluster:container_restarts:count': [{ value: 13 }],
  'cluster:container_restarts:rate5m': [{ value: 1 / 60 }],
  'cluster:containers_crashlooping:count': [{ value: 1 }],
  'cluster:log_lines_shipped:rate5m': [{ labels: { cluster: 'sim-eu-1' }, value: 10 }],
};

const KUBE_EXPECTED: Expected = {
  'cluster:node_cpu_capacity:cores': [{ value: 2 }],
  'cluster:nodes:count': [{ value: 1 }],
  'cluster:nodes_ready:count': [{ value: 1 }],
  'cluster:nodes_unschedulable:count': [{ value: 0 }],
  // Only container "app": not its pod's cgroup, not the pause container, not the node's root.
  'cluster:cpu_usage:cores': [{ value: 0.5 }],
  'cluster:cpu_usage:ratio': [{ value: 0.25 }],
  'cluster:memory_working_set:bytes': [{ value: GiB }],
  'cluster:memory_working_set:ratio': [{ value: 0.125 }],
  // The Succeeded pod's requests no longer hold anything.
  'cluster:cpu_requests:cores': [{ value: 0.5 }],
  'cluster:memory_requests:bytes': [{ value: GiB }],
  'cluster:pods_by_phase:count': [
    { labels: { phase: 'Failed' }, value: 0 },
    { labels: { phase: 'Pending' }, value: 0 },
    { labels: { phase: 'Running' }, value: 1 },
    { labels: { phase: 'Succeeded' }, value: 1 },
    { labels: { phase: 'Unknown' }, value: 0 },
  ],
  'cluster:pod_density:ratio': [{ value: 1 / 110 }],
  'cluster:container_restarts:count': [{ value: 2 }],
  'cluster:container_restarts:rate5m': [{ value: 0 }],
  // No waiting_reason series at all, and still a 0 rather than nothing.
  'cluster:containers_crashlooping:count': [{ value: 0 }],
};

function exprTests(expected: Expected, extra: Record<string, string> = {}) {
  return Object.entries(expected).map(([record, samples]) => ({
    expr: record,
    eval_time: '10m',
    exp_samples: samples.map((s) => ({ labels: seriesText(record, { ...extra, ...(s.labels ?? {}) }).replace(/\{\}$/, ''), value: s.value })),
  }));
}

function runRuleTests(scope: 'edge' | 'central', tests: unknown[]): { status: number | null; output: string } {
  const dir = tempDir('flotilla-rule-test-');
  writeFileSync(join(dir, 'rules.yml'), stringify(recordingRules({ scope }), { lineWidth: 0 }));
  writeFileSync(join(dir, 'test.yml'), stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
  return promtool(['test', 'rules', join(dir, 'test.yml')]);
}

describe('promtool test rules', () => {
  it('every rule is tested below', () => {
    expect(Object.keys(SIM_EXPECTED).sort()).toEqual([...RECORDED_NAMES].sort());
  });

  it('edge scope: each cluster:* rule over the sim exposition of a tiny cluster', () => {
    const r = runRuleTests('edge', [{ name: 'sim tiny cluster', interval: '1m', input_series: simInput(), promql_expr_test: exprTests(SIM_EXPECTED) }]);
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('edge scope: a kube-shaped cluster, with the cgroups a kubelet adds and a finished pod', () => {
    const r = runRuleTests('edge', [{ name: 'kube-shaped cluster', interval: '1m', input_series: kubeInput(), promql_expr_test: exprTests(KUBE_EXPECTED) }]);
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('central scope: the same rules over remote-written series keep each cluster apart and ignore series without a cluster', () => {
    const input = [
      ...simInput({ cluster: 'alpha' }),
      ...kubeInput({ cluster: 'beta' }),
      // The center's own kube-state-metrics (no cluster label): not any edge's.
      { series: seriesText('kube_node_info', { job: 'kube-state-metrics', instance: 'central:8080', node: 'central-node' }), values: '1+0x10' },
      { series: seriesText('kube_node_status_capacity', { job: 'kube-state-metrics', instance: 'central:8080', node: 'central-node', resource: 'cpu', unit: 'core' }), values: '64+0x10' },
    ];
    const both = (record: string): { labels: Record<string, string>; value: number }[] => [
      ...(SIM_EXPECTED[record] ?? []).map((s) => ({ labels: { cluster: 'alpha', ...(s.labels ?? {}) }, value: s.value })),
      ...(KUBE_EXPECTED[record] ?? []).map((s) => ({ labels: { cluster: 'beta', ...(s.labels ?? {}) }, value: s.value })),
    ];
    const records = ['cluster:nodes:count', 'cluster:node_cpu_capacity:cores', 'cluster:cpu_usage:ratio', 'cluster:containers_crashlooping:count', 'cluster:pods_by_phase:count', 'cluster:pod_density:ratio', 'cluster:cpu_requests:cores'];
    const expected: Expected = Object.fromEntries(records.map((r) => [r, both(r)]));
    const r = runRuleTests('central', [{ name: 'two remote-write clusters', interval: '1m', input_series: input, promql_expr_test: exprTests(expected) }]);
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('a wrong expectation fails (the harness can fail)', () => {
    const r = runRuleTests('edge', [{ name: 'wrong', interval: '1m', input_series: simInput(), promql_expr_test: exprTests({ 'cluster:nodes:count': [{ value: 3 }] }) }]);
    expect(r.status).not.toBe(0);
  });
});

describe('Grafana dashboards', () => {
  it("every panel's query parses as PromQL", () => {
    const rules: { record: string; expr: string }[] = [];
    for (const d of dashboards()) {
      for (const p of d.dashboard.panels) {
        for (const t of p.targets ?? []) rules.push({ record: `flotilla_dashboard_check_${rules.length}`, expr: t.expr.replaceAll('$cluster', '.+') });
      }
    }
    expect(rules.length).toBeGreaterThan(20);
    const dir = tempDir('flotilla-dashboards-');
    const file = join(dir, 'panels.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }, { lineWidth: 0 }));
    const r = promtool(['check', 'rules', file]);
    expectOk(r);
    expect(r.output).toContain(`${rules.length} rules found`);
  });
});
