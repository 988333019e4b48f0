// What the simulated cluster looks like from outside: the same observation the Kubernetes backend
// produces from the API server and metrics-server.
import { ageSince } from '../../core/duration.js';
import type { ClusterObservation } from '../backend.js';
import type { NodeStatus, PodProblem, WorkloadStatus } from '../../core/status.js';
import type { SimPod, SimState } from './state.js';

function secondsBetween(fromIso: string, toIso: string): number {
  return Math.floor((ageSince(fromIso, Date.parse(toIso)) ?? 0) / 1000);
}

function isReady(pod: SimPod): boolean {
  return pod.phase === 'Running' && pod.problem === null;
}

function nodeStatuses(state: SimState): NodeStatus[] {
  const used = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const pod of state.pods) {
    if (pod.node === null) continue;
    const u = used.get(pod.node) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += pod.cpuRequestMillis * pod.cpuLoad;
    u.memory += pod.memoryRequestBytes * pod.memoryLoad;
    u.pods += 1;
    used.set(pod.node, u);
  }
  return state.nodes.map((node) => {
    const u = used.get(node.name) ?? { cpu: 0, memory: 0, pods: 0 };
    const cap = node.capacity;
    return {
      name: node.name,
      ready: node.ready,
      unschedulable: node.unschedulable,
      ...(node.ready ? {} : { reason: 'KubeletNotReady' }),
      capacity: { ...cap },
      usage: {
        cpuMillis: Math.min(cap.cpuMillis, Math.round(cap.cpuMillis * node.systemShare + u.cpu)),
        memoryBytes: Math.min(cap.memoryBytes, Math.round(cap.memoryBytes * node.systemShare + u.memory)),
        pods: Math.min(cap.pods, u.pods),
      },
    };
  });
}

export function observe(state: SimState): ClusterObservation {
  const ready = new Array<number>(state.workloads.length).fill(0);
  const pods = { running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 };
  const podProblems: PodProblem[] = [];
  let restarts = 0;
  for (const pod of state.pods) {
    pods.total += 1;
    if (pod.phase === 'Running') pods.running += 1;
    else if (pod.phase === 'Pending') pods.pending += 1;
    else pods.unknown += 1;
    restarts += pod.restarts;
    if (isReady(pod)) ready[pod.workload] = (ready[pod.workload] ?? 0) + 1;
    if (pod.phase === 'Pending') {
      podProblems.push({ namespace: pod.namespace, pod: pod.name, reason: 'Pending', restarts: pod.restarts, sinceSeconds: secondsBetween(pod.pendingSince ?? state.now, state.now) });
    } else if (pod.problem && pod.phase === 'Running') {
      podProblems.push({ namespace: pod.namespace, pod: pod.name, reason: pod.problem.reason, restarts: pod.restarts, sinceSeconds: secondsBetween(pod.problem.since, state.now) });
    }
  }
  const workloads: WorkloadStatus[] = state.workloads.map((w, i) => ({ namespace: w.namespace, name: w.name, kind: w.kind, desired: w.desired, ready: ready[i] ?? 0 }));
  return {
    observedAt: state.now,
    kubernetesVersion: state.kubernetesVersion,
    nodes: nodeStatuses(state),
    workloads,
    pods,
    restarts,
    podProblems,
    warningEvents: state.events.map((e) => ({ ts: e.lastSeen, namespace: e.namespace, object: e.object, reason: e.reason, message: e.message, count: e.count })),
  };
}
