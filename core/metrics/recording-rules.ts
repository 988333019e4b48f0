// The `cluster:*` recording rules (docs/METRICS.md, "Edge and central Prometheus"): one catalogue, read
// by the edge Prometheus over its own cluster's exporters and, for edges in remote-write mode, by the
// central Prometheus over the raw series the edges write to it. Only these series (and `up`) cross from
// an edge to the center in federation mode, so they are what the console's panes and the Grafana
// dashboards are made of. Pure: the rules as data, and the rules file as an object to serialize.
//
// The rules read the series as kube-state-metrics and the kubelet's cAdvisor serve them, selected the
// kubernetes-mixin way: `job="kube-state-metrics"` and `job="kubelet", metrics_path="/metrics/cadvisor"`.
// The edge config gives both backends those labels (prometheus-config.ts): on kube they are the real
// exporters' scrape jobs, on sim the agent's /metrics/cluster scraped as both. So one rule set serves
// both backends.
//
// Each rule reads raw exporter series only, never another rule's output. A center that evaluates the
// rules (for its remote-write edges) also holds the federated `cluster:*` series of the other edges; a
// rule reading `cluster:*` there would compute them a second time under the same labels.

/** Where the rules are evaluated: on an edge (series without `cluster`, added later by external_labels) or at the center (series with it). */
export type RuleScope = 'edge' | 'central';

/** The job labels the rules select by; the edge scrape jobs are named so on both backends. */
export const JOBS = {
  kubeStateMetrics: 'kube-state-metrics',
  kubelet: 'kubelet',
  agent: 'flotilla-agent',
} as const;
/** The `metrics_path` target label of the kubelet's cAdvisor endpoint, as kubernetes-mixin selects it. */
export const CADVISOR_METRICS_PATH = '/metrics/cadvisor';

export const RULE_GROUP = 'flotilla.cluster';

export interface RecordingRuleDef {
  record: string;
  /** What the value means, for the docs and a reviewer. */
  help: string;
  unit: 'ratio' | 'cores' | 'bytes' | 'count' | 'per_second';
  /** Labels the result keeps beside `cluster`. */
  by: readonly string[];
  /** The raw series the rule reads: what a remote-write edge must send for the center to evaluate it. */
  inputs: readonly string[];
  /** The daemon's embedded series it stands for (core/metrics/series.ts), with the label that picks it out, if any. */
  embedded?: readonly { series: string; labels?: Readonly<Record<string, string>> }[];
  expr(sel: Selector): string;
}

/** A series selector: the metric and its matchers, with the scope's own matcher added. */
export type Selector = (metric: string, matchers: string) => string;

const KSM = `job="${JOBS.kubeStateMetrics}"`;
// container="" is a pod's or the node's own cgroup, POD the pause container of dockershim days: both would count a container twice.
const CADVISOR = `job="${JOBS.kubelet}", metrics_path="${CADVISOR_METRICS_PATH}", container!="", container!="POD"`;
const AGENT = `job="${JOBS.agent}"`;

const cpuUsage = (s: Selector): string => `sum by (cluster) (rate(${s('container_cpu_usage_seconds_total', CADVISOR)}[5m]))`;
const capacity = (s: Selector, resource: 'cpu' | 'memory' | 'pods', unit: 'core' | 'byte' | 'integer'): string =>
  `sum by (cluster) (${s('kube_node_status_capacity', `${KSM}, resource="${resource}", unit="${unit}"`)})`;
const workingSet = (s: Selector): string => `sum by (cluster) (${s('container_memory_working_set_bytes', CADVISOR)})`;
/** Requests of the containers of pods that hold them: Pending or Running (kubernetes-mixin's "active" requests). */
const requests = (s: Selector, resource: 'cpu' | 'memory', unit: 'core' | 'byte'): string =>
  [
    'sum by (cluster) (',
    `  ${s('kube_pod_container_resource_requests', `${KSM}, resource="${resource}", unit="${unit}"`)}`,
    '  * on (cluster, namespace, pod, uid) group_left ()',
    `  max by (cluster, namespace, pod, uid) (${s('kube_pod_status_phase', `${KSM}, phase=~"Pending|Running"`)} == 1)`,
    ')',
  ].join('\n');

/** The catalogue, in the order of the rules file. Appending is safe; a rename breaks every reader of the old name. */
export const RECORDING_RULES: readonly RecordingRuleDef[] = [
  {
    record: 'cluster:node_cpu_capacity:cores',
    help: 'CPU capacity of all nodes, Ready or not, in cores',
    unit: 'cores',
    by: [],
    inputs: ['kube_node_status_capacity'],
    expr: (s) => capacity(s, 'cpu', 'core'),
  },
  {
    record: 'cluster:node_memory_capacity:bytes',
    help: 'memory capacity of all nodes, in bytes',
    unit: 'bytes',
    by: [],
    inputs: ['kube_node_status_capacity'],
    expr: (s) => capacity(s, 'memory', 'byte'),
  },
  {
    record: 'cluster:node_pods_capacity:count',
    help: 'pods all nodes can hold',
    unit: 'count',
    by: [],
    inputs: ['kube_node_status_capacity'],
    expr: (s) => capacity(s, 'pods', 'integer'),
  },
  {
    record: 'cluster:nodes:count',
    help: 'nodes',
    unit: 'count',
    by: [],
    inputs: ['kube_node_info'],
    embedded: [{ series: 'nodes_total' }],
    expr: (s) => `sum by (cluster) (${s('kube_node_info', KSM)})`,
  },
  {
    record: 'cluster:nodes_ready:count',
    help: 'nodes whose Ready condition is true',
    unit: 'count',
    by: [],
    inputs: ['kube_node_status_condition'],
    embedded: [{ series: 'nodes_ready' }],
    expr: (s) => `sum by (cluster) (${s('kube_node_status_condition', `${KSM}, condition="Ready", status="true"`)})`,
  },
  {
    record: 'cluster:nodes_unschedulable:count',
    help: 'nodes cordoned (spec.unschedulable)',
    unit: 'count',
    by: [],
    inputs: ['kube_node_spec_unschedulable'],
    expr: (s) => `sum by (cluster) (${s('kube_node_spec_unschedulable', KSM)})`,
  },
  {
    record: 'cluster:cpu_usage:cores',
    help: "CPU the containers use, in cores (their cAdvisor counters' rate over 5 minutes)",
    unit: 'cores',
    by: [],
    inputs: ['container_cpu_usage_seconds_total'],
    expr: cpuUsage,
  },
  {
    record: 'cluster:cpu_usage:ratio',
    help: "CPU the containers use against the nodes' capacity",
    unit: 'ratio',
    by: [],
    inputs: ['container_cpu_usage_seconds_total', 'kube_node_status_capacity'],
    embedded: [{ series: 'cpu_used_ratio' }],
    expr: (s) => `${cpuUsage(s)}\n/\n${capacity(s, 'cpu', 'core')}`,
  },
  {
    record: 'cluster:cpu_requests:cores',
    help: 'CPU requested by the containers of Pending and Running pods, in cores',
    unit: 'cores',
    by: [],
    inputs: ['kube_pod_container_resource_requests', 'kube_pod_status_phase'],
    expr: (s) => requests(s, 'cpu', 'core'),
  },
  {
    record: 'cluster:memory_working_set:bytes',
    help: "the containers' memory working set, in bytes",
    unit: 'bytes',
    by: [],
    inputs: ['container_memory_working_set_bytes'],
    expr: workingSet,
  },
  {
    record: 'cluster:memory_working_set:ratio',
    help: "the containers' memory working set against the nodes' capacity",
    unit: 'ratio',
    by: [],
    inputs: ['container_memory_working_set_bytes', 'kube_node_status_capacity'],
    embedded: [{ series: 'memory_used_ratio' }],
    expr: (s) => `${workingSet(s)}\n/\n${capacity(s, 'memory', 'byte')}`,
  },
  {
    record: 'cluster:memory_requests:bytes',
    help: 'memory requested by the containers of Pending and Running pods, in bytes',
    unit: 'bytes',
    by: [],
    inputs: ['kube_pod_container_resource_requests', 'kube_pod_status_phase'],
    expr: (s) => requests(s, 'memory', 'byte'),
  },
  {
    record: 'cluster:pods_by_phase:count',
    help: 'pods in each phase (label phase: Pending, Running, Succeeded, Failed, Unknown)',
    unit: 'count',
    by: ['phase'],
    inputs: ['kube_pod_status_phase'],
    embedded: [
      { series: 'pods_running', labels: { phase: 'Running' } },
      { series: 'pods_pending', labels: { phase: 'Pending' } },
      { series: 'pods_failed', labels: { phase: 'Failed' } },
    ],
    expr: (s) => `sum by (cluster, phase) (${s('kube_pod_status_phase', KSM)})`,
  },
  {
    record: 'cluster:pod_density:ratio',
    help: "pods placed on a node and not finished (Succeeded or Failed), against the nodes' pod capacity",
    unit: 'ratio',
    by: [],
    inputs: ['kube_pod_status_scheduled', 'kube_pod_status_phase', 'kube_node_status_capacity'],
    embedded: [{ series: 'pod_density_ratio' }],
    expr: (s) =>
      [
        'sum by (cluster) (',
        `  ${s('kube_pod_status_scheduled', `${KSM}, condition="true"`)}`,
        '  * on (cluster, namespace, pod, uid)',
        `  max by (cluster, namespace, pod, uid) (${s('kube_pod_status_phase', `${KSM}, phase=~"Pending|Running|Unknown"`)})`,
        ')',
        '/',
        capacity(s, 'pods', 'integer'),
      ].join('\n'),
  },
  {
    record: 'cluster:container_restarts:count',
    help: 'container restarts of the pods that exist now (the sum of their counters)',
    unit: 'count',
    by: [],
    inputs: ['kube_pod_container_status_restarts_total'],
    embedded: [{ series: 'restarts' }],
    expr: (s) => `sum by (cluster) (${s('kube_pod_container_status_restarts_total', KSM)})`,
  },
  {
    record: 'cluster:container_restarts:rate5m',
    help: 'container restarts per second, over 5 minutes',
    unit: 'per_second',
    by: [],
    inputs: ['kube_pod_container_status_restarts_total'],
    expr: (s) => `sum by (cluster) (rate(${s('kube_pod_container_status_restarts_total', KSM)}[5m]))`,
  },
  {
    record: 'cluster:containers_crashlooping:count',
    help: 'containers waiting in CrashLoopBackOff; 0, not absent, while none is',
    unit: 'count',
    by: [],
    inputs: ['kube_pod_container_status_waiting_reason', 'kube_node_info'],
    // kube-state-metrics writes the reason only for a container that waits: the `or` gives a cluster without one a 0.
    expr: (s) =>
      `sum by (cluster) (${s('kube_pod_container_status_waiting_reason', `${KSM}, reason="CrashLoopBackOff"`)})\nor\n0 * sum by (cluster) (${s('kube_node_info', KSM)})`,
  },
  {
    record: 'cluster:log_lines_shipped:rate5m',
    help: "log lines the agent shipped per second, over 5 minutes (the agent's own /metrics)",
    unit: 'per_second',
    by: [],
    inputs: ['flotilla_agent_log_lines_shipped_total'],
    embedded: [{ series: 'log_lines_per_second' }],
    expr: (s) => `sum by (cluster) (rate(${s('flotilla_agent_log_lines_shipped_total', AGENT)}[5m]))`,
  },
];

export const RECORDED_NAMES: readonly string[] = RECORDING_RULES.map((r) => r.record);

/** Every raw series some rule reads, sorted: what a remote-write edge sends beside `up`. */
export const RULE_INPUTS: readonly string[] = [...new Set(RECORDING_RULES.flatMap((r) => r.inputs))].sort();

function selectorFor(scope: RuleScope): Selector {
  // At the center the edges' series carry `cluster`; a series without it (the center's own exporters) is no cluster's.
  return scope === 'central' ? (metric, m) => `${metric}{${m}, cluster!=""}` : (metric, m) => `${metric}{${m}}`;
}

export interface RuleFile {
  groups: { name: string; rules: { record: string; expr: string }[] }[];
}

/** The rules file (Prometheus `rule_files` format) for the scope. */
export function recordingRules(o: { scope?: RuleScope } = {}): RuleFile {
  const sel = selectorFor(o.scope ?? 'edge');
  return { groups: [{ name: RULE_GROUP, rules: RECORDING_RULES.map((r) => ({ record: r.record, expr: r.expr(sel) })) }] };
}

/** A regex that matches exactly the names a remote-write edge sends: `up` and every rule input. */
export function remoteWriteKeepRegex(): string {
  return ['up', ...RULE_INPUTS].join('|');
}
