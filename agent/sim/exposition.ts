// The simulated cluster as a real Prometheus would see it from the cluster's own exporters:
// kube-state-metrics' object series (kube_*) and the kubelets' cAdvisor container series
// (container_*, machine_*), with their names, label names and types, computed from the sim's state.
// Served by the agent at /metrics/cluster on the sim backend (docs/METRICS.md, "The agent's cluster
// series"). Pure: the state and the CPU counters (cpu-usage.ts) come in; text goes out.
import type { CpuUsage } from './cpu-usage.js';
import { ExpositionWriter, joinLabels, labelPairs } from './prom-text.js';
import type { SimNode, SimPod, SimState, SimWorkload } from './state.js';
import { isWorkloadKind } from './workloads.js';

const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
const CONDITION_STATUSES = ['true', 'false', 'unknown'] as const;
/** The conditions a kubelet reports; the sim's nodes feel no pressure, so only Ready ever changes. */
const NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

type Tri = (typeof CONDITION_STATUSES)[number];

function bool(b: boolean): number {
  return b ? 1 : 0;
}

function cores(millis: number): number {
  return millis / 1000;
}

/** The pod is Ready as the report counts it: running, and not crash-looping or OOM-killed. */
function isReady(pod: SimPod): boolean {
  return pod.phase === 'Running' && pod.problem === null;
}

/** The first container's image of each workload manifest, by "<kind>/<namespace>/<name>". */
function workloadImages(state: SimState): Map<string, string> {
  const images = new Map<string, string>();
  for (const { body } of state.objects) {
    if (body.apiVersion !== 'apps/v1' || !isWorkloadKind(body.kind)) continue;
    const template = (body.spec as { template?: { spec?: { containers?: unknown } } } | undefined)?.template;
    const containers = template?.spec?.containers;
    const first: unknown = Array.isArray(containers) ? containers[0] : undefined;
    const image = typeof first === 'object' && first !== null ? (first as { image?: unknown }).image : undefined;
    if (typeof image === 'string') images.set(`${body.kind}/${body.metadata.namespace ?? 'default'}/${body.metadata.name}`, image);
  }
  return images;
}

/** The controller that owns the pod: a Deployment's pods belong to its ReplicaSet for the pod template. */
function ownerOf(w: SimWorkload, pod: SimPod): [kind: string, name: string] {
  return w.kind === 'Deployment' ? ['ReplicaSet', `${w.name}-${pod.template}`] : [w.kind, w.name];
}

/** A Burstable pod's container cgroup under the cgroupfs driver: requests without limits. */
function cgroupPath(pod: SimPod, containerId: string): string {
  return `/kubepods/burstable/pod${pod.uid}/${containerId}`;
}

interface WorkloadCounts {
  pods: number;
  scheduled: number;
  ready: number;
  updated: number;
}

function countByWorkload(state: SimState): WorkloadCounts[] {
  const counts = state.workloads.map(() => ({ pods: 0, scheduled: 0, ready: 0, updated: 0 }));
  for (const pod of state.pods) {
    const c = counts[pod.workload];
    const w = state.workloads[pod.workload];
    if (!c || !w) continue;
    c.pods += 1;
    if (pod.node !== null) c.scheduled += 1;
    if (isReady(pod)) c.ready += 1;
    if (pod.template === w.templateHash) c.updated += 1;
  }
  return counts;
}

const one = (name: string, value: string): string => labelPairs([name], [value]);
const PHASE_LABELS = POD_PHASES.map((p) => one('phase', p));
const CONDITION_LABELS = CONDITION_STATUSES.map((s) => one('condition', s));
const NODE_CONDITION_LABELS = NODE_CONDITIONS.map((c) => CONDITION_STATUSES.map((s) => labelPairs(['condition', 'status'], [c, s])));
const RESOURCE = {
  cpu: labelPairs(['resource', 'unit'], ['cpu', 'core']),
  memory: labelPairs(['resource', 'unit'], ['memory', 'byte']),
  pods: labelPairs(['resource', 'unit'], ['pods', 'integer']),
};
const CPU_TOTAL = one('cpu', 'total');
const WAITING_CRASHLOOP = one('reason', 'CrashLoopBackOff');
const TERMINATED = { OOMKilled: one('reason', 'OOMKilled'), Error: one('reason', 'Error') };
const NOT_HOST_NETWORK = one('host_network', 'false');
const CONTROLLER = one('owner_is_controller', 'true');

function renderNodes(out: ExpositionWriter, state: SimState): void {
  const info = out.family('kube_node_info', 'gauge', 'Information about a cluster node; always 1.');
  const unschedulable = out.family('kube_node_spec_unschedulable', 'gauge', 'Whether a node can schedule new pods (1 when cordoned).');
  const condition = out.family('kube_node_status_condition', 'gauge', 'The condition of a cluster node: 1 for the status it has, 0 for the others.');
  const capacity = out.family('kube_node_status_capacity', 'gauge', 'The total amount of resources of a node.');
  const allocatable = out.family('kube_node_status_allocatable', 'gauge', 'The amount of resources of a node allocatable for pods.');
  for (const node of state.nodes) {
    const n = one('node', node.name);
    info(labelPairs(['node', 'kubelet_version', 'provider_id'], [node.name, state.kubernetesVersion, `flotilla-sim://${node.name}`]), 1);
    unschedulable(n, bool(node.unschedulable));
    NODE_CONDITIONS.forEach((c, ci) => {
      const status: Tri = c === 'Ready' ? (node.ready ? 'true' : 'false') : 'false';
      CONDITION_STATUSES.forEach((s, si) => condition(joinLabels(n, NODE_CONDITION_LABELS[ci]?.[si] ?? ''), bool(s === status)));
    });
    // The sim reserves nothing for system daemons: its scheduler fills a node's whole capacity.
    for (const family of [capacity, allocatable]) {
      family(joinLabels(n, RESOURCE.cpu), cores(node.capacity.cpuMillis));
      family(joinLabels(n, RESOURCE.memory), node.capacity.memoryBytes);
      family(joinLabels(n, RESOURCE.pods), node.capacity.pods);
    }
  }
}

function renderNamespaces(out: ExpositionWriter, state: SimState): void {
  const phase = out.family('kube_namespace_status_phase', 'gauge', 'The phase of a namespace: 1 for the phase it is in, 0 for the other.');
  for (const { body } of state.objects) {
    if (body.apiVersion !== 'v1' || body.kind !== 'Namespace') continue;
    const ns = one('namespace', body.metadata.name);
    phase(joinLabels(ns, one('phase', 'Active')), 1);
    phase(joinLabels(ns, one('phase', 'Terminating')), 0);
  }
}

function renderWorkloads(out: ExpositionWriter, state: SimState): void {
  const d = {
    spec: out.family('kube_deployment_spec_replicas', 'gauge', 'Pods a deployment asks for (spec.replicas).'),
    replicas: out.family('kube_deployment_status_replicas', 'gauge', 'The number of replicas (pods) per deployment, old and new.'),
    ready: out.family('kube_deployment_status_replicas_ready', 'gauge', 'The number of ready replicas per deployment.'),
    available: out.family('kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.'),
    unavailable: out.family('kube_deployment_status_replicas_unavailable', 'gauge', 'The number of unavailable replicas per deployment (desired less available).'),
    updated: out.family('kube_deployment_status_replicas_updated', 'gauge', 'The number of replicas per deployment made from its current pod template.'),
  };
  const s = {
    spec: out.family('kube_statefulset_replicas', 'gauge', 'Pods a statefulset asks for (spec.replicas).'),
    replicas: out.family('kube_statefulset_status_replicas', 'gauge', 'The number of replicas (pods) per statefulset.'),
    ready: out.family('kube_statefulset_status_replicas_ready', 'gauge', 'The number of ready replicas per statefulset.'),
    available: out.family('kube_statefulset_status_replicas_available', 'gauge', 'The number of available replicas per statefulset.'),
    updated: out.family('kube_statefulset_status_replicas_updated', 'gauge', 'The number of replicas per statefulset at its update revision.'),
  };
  const ds = {
    desired: out.family('kube_daemonset_status_desired_number_scheduled', 'gauge', 'The number of nodes that should be running the daemon pod.'),
    current: out.family('kube_daemonset_status_current_number_scheduled', 'gauge', 'The number of nodes running at least one daemon pod that should.'),
    ready: out.family('kube_daemonset_status_number_ready', 'gauge', 'The number of nodes that should be running the daemon pod and have it ready.'),
    available: out.family('kube_daemonset_status_number_available', 'gauge', 'The number of nodes that should be running the daemon pod and have it available.'),
    unavailable: out.family('kube_daemonset_status_number_unavailable', 'gauge', 'The number of nodes that should be running the daemon pod and have none available.'),
    updated: out.family('kube_daemonset_status_updated_number_scheduled', 'gauge', 'The number of nodes running the current daemon pod template.'),
    misscheduled: out.family('kube_daemonset_status_number_misscheduled', 'gauge', 'The number of nodes running a daemon pod that should not.'),
  };
  const counts = countByWorkload(state);
  state.workloads.forEach((w, i) => {
    const c = counts[i] ?? { pods: 0, scheduled: 0, ready: 0, updated: 0 };
    // minReadySeconds is 0 in the sim: a ready pod is available at once.
    const unavailable = Math.max(0, w.desired - c.ready);
    if (w.kind === 'Deployment') {
      const id = labelPairs(['namespace', 'deployment'], [w.namespace, w.name]);
      d.spec(id, w.desired);
      d.replicas(id, c.pods);
      d.ready(id, c.ready);
      d.available(id, c.ready);
      d.unavailable(id, unavailable);
      d.updated(id, c.updated);
    } else if (w.kind === 'StatefulSet') {
      const id = labelPairs(['namespace', 'statefulset'], [w.namespace, w.name]);
      s.spec(id, w.desired);
      s.replicas(id, c.pods);
      s.ready(id, c.ready);
      s.available(id, c.ready);
      s.updated(id, c.updated);
    } else {
      const id = labelPairs(['namespace', 'daemonset'], [w.namespace, w.name]);
      ds.desired(id, w.desired);
      ds.current(id, c.scheduled);
      ds.ready(id, c.ready);
      ds.available(id, c.ready);
      ds.unavailable(id, unavailable);
      ds.updated(id, c.updated);
      ds.misscheduled(id, 0);
    }
  });
}

function renderPods(out: ExpositionWriter, state: SimState, cpu: CpuUsage, images: Map<string, string>): void {
  const info = out.family('kube_pod_info', 'gauge', 'Information about a pod; always 1.');
  const owner = out.family('kube_pod_owner', 'gauge', "Information about a pod's owner; always 1.");
  const phase = out.family('kube_pod_status_phase', 'gauge', "The pod's current phase: 1 for the phase it is in, 0 for the others.");
  const ready = out.family('kube_pod_status_ready', 'gauge', 'Whether the pod is ready to serve requests: 1 for the status of its Ready condition, 0 for the others.');
  const scheduled = out.family('kube_pod_status_scheduled', 'gauge', 'Whether the pod is scheduled to a node: 1 for the status of its PodScheduled condition, 0 for the others.');
  const cInfo = out.family('kube_pod_container_info', 'gauge', 'Information about a container in a pod; always 1.');
  const cReady = out.family('kube_pod_container_status_ready', 'gauge', "Whether the container's readiness check succeeded.");
  const cRunning = out.family('kube_pod_container_status_running', 'gauge', 'Whether the container is in the running state.');
  const cWaiting = out.family('kube_pod_container_status_waiting', 'gauge', 'Whether the container is in the waiting state.');
  const cTerminated = out.family('kube_pod_container_status_terminated', 'gauge', 'Whether the container is in the terminated state.');
  const cWaitingReason = out.family('kube_pod_container_status_waiting_reason', 'gauge', 'Why the container is waiting, for a container that is.');
  const cLastTerminated = out.family('kube_pod_container_status_last_terminated_reason', 'gauge', 'Why the container last terminated, while the sim remembers it.');
  const restarts = out.family('kube_pod_container_status_restarts_total', 'counter', 'The number of restarts of the container.');
  const requests = out.family('kube_pod_container_resource_requests', 'gauge', 'The resources a container requests.');

  const cpuUsage = out.family('container_cpu_usage_seconds_total', 'counter', 'CPU time the container has used, in seconds summed over all cores, since it started.');
  const workingSet = out.family('container_memory_working_set_bytes', 'gauge', 'Memory the container is actively using (its working set), in bytes.');

  const nodes = new Map<string, SimNode>(state.nodes.map((n) => [n.name, n]));
  for (const pod of state.pods) {
    const w = state.workloads[pod.workload];
    if (!w) continue;
    const id = labelPairs(['namespace', 'pod', 'uid'], [pod.namespace, pod.name, pod.uid]);
    const onNode = one('node', pod.node ?? '');
    const [ownerKind, ownerName] = ownerOf(w, pod);
    info(joinLabels(id, onNode, labelPairs(['created_by_kind', 'created_by_name'], [ownerKind, ownerName]), NOT_HOST_NETWORK), 1);
    owner(joinLabels(id, labelPairs(['owner_kind', 'owner_name'], [ownerKind, ownerName]), CONTROLLER), 1);
    POD_PHASES.forEach((p, i) => phase(joinLabels(id, PHASE_LABELS[i] ?? ''), bool(p === pod.phase)));
    const readyStatus: Tri = isReady(pod) ? 'true' : 'false';
    CONDITION_STATUSES.forEach((s, i) => ready(joinLabels(id, CONDITION_LABELS[i] ?? ''), bool(s === readyStatus)));
    const scheduledStatus: Tri = pod.node !== null ? 'true' : 'false';
    CONDITION_STATUSES.forEach((s, i) => scheduled(joinLabels(id, CONDITION_LABELS[i] ?? ''), bool(s === scheduledStatus)));
    const container = one('container', w.container);
    const c = joinLabels(id, container);
    requests(joinLabels(c, onNode, RESOURCE.cpu), cores(pod.cpuRequestMillis));
    requests(joinLabels(c, onNode, RESOURCE.memory), pod.memoryRequestBytes);
    // An unscheduled pod has no container statuses yet, so kube-state-metrics has no container series for it.
    if (pod.node === null) continue;
    const image = images.get(`${w.kind}/${w.namespace}/${w.name}`) ?? '';
    const run = cpu.run(pod);
    cInfo(joinLabels(c, labelPairs(['image_spec', 'image', 'container_id'], [image, image, run ? `containerd://${run.containerId}` : ''])), 1);
    cReady(c, bool(isReady(pod)));
    cRunning(c, bool(pod.problem === null));
    cWaiting(c, bool(pod.problem !== null));
    cTerminated(c, 0);
    if (pod.problem) {
      // A container that keeps dying waits in back-off between runs, whatever killed it.
      cWaitingReason(joinLabels(c, WAITING_CRASHLOOP), 1);
      cLastTerminated(joinLabels(c, pod.problem.reason === 'OOMKilled' ? TERMINATED.OOMKilled : TERMINATED.Error), 1);
    }
    restarts(c, pod.restarts);
    // cAdvisor runs in the kubelet: a pod on a node that is not Ready (phase Unknown) is not scraped.
    if (pod.phase !== 'Running' || !run || nodes.get(pod.node)?.ready !== true) continue;
    // Labels in cAdvisor's (sorted) order; `node` is what a kubelet scrape job adds from its target.
    const rest = labelPairs(['id', 'image', 'name', 'namespace', 'node', 'pod'], [cgroupPath(pod, run.containerId), image, run.containerId, pod.namespace, pod.node, pod.name]);
    // Microseconds, like a cgroup's usage in nanoseconds without the noise; rounding keeps the order, so the count still never falls.
    cpuUsage(joinLabels(container, CPU_TOTAL, rest), Math.round(run.seconds * 1e6) / 1e6);
    workingSet(joinLabels(container, rest), Math.round(pod.memoryRequestBytes * pod.memoryLoad));
  }
}

function renderMachines(out: ExpositionWriter, state: SimState): void {
  const cpuCores = out.family('machine_cpu_cores', 'gauge', 'Logical CPU cores of the node.');
  const memory = out.family('machine_memory_bytes', 'gauge', 'Memory of the node, in bytes.');
  for (const node of state.nodes) {
    if (!node.ready) continue;
    const n = one('node', node.name);
    cpuCores(n, cores(node.capacity.cpuMillis));
    memory(n, node.capacity.memoryBytes);
  }
}

/**
 * The exposition of the sim's current state. `cpu` must have observed `state` at the instant the
 * scrape stands for (CpuUsage.observe), so the CPU counters are brought up to it.
 */
export function renderClusterSeries(state: SimState, cpu: CpuUsage): string {
  const out = new ExpositionWriter();
  renderNodes(out, state);
  renderNamespaces(out, state);
  renderWorkloads(out, state);
  renderPods(out, state, cpu, workloadImages(state));
  renderMachines(out, state);
  return out.text();
}
