// Faults that start at random and recover after a few ticks: a node going NotReady, a node cordoned
// and drained for maintenance, a pod crash-looping, a pod OOM-killed, and a rollout whose pod asks
// for more CPU than any node has (Pending). Each leaves the Warning events Kubernetes would.
import { recordEvent } from './events.js';
import { newPod, podKey, type FaultKind, type SimPod, type SimState } from './state.js';
import type { Rng } from './rng.js';

const MIN_TICKS = 3;
const MAX_TICKS = 10;
/** Ticks a node may stay NotReady before its pods are evicted and rescheduled. */
export const EVICT_AFTER_TICKS = 3;

const KINDS: readonly FaultKind[] = ['crashloop', 'crashloop', 'crashloop', 'oom', 'oom', 'unschedulable', 'unschedulable', 'node-not-ready', 'node-not-ready', 'maintenance'];

/** Replaces a pod by a fresh Pending one of the same workload, in the same slot so order stays stable. */
export function replacePod(draft: SimState, index: number, rng: Rng, cpuRequestMillis?: number): SimPod {
  const old = draft.pods[index] as SimPod;
  const pod = newPod(draft.workloads, old.workload, old.ordinal, draft.now, rng);
  if (cpuRequestMillis !== undefined) pod.cpuRequestMillis = cpuRequestMillis;
  if (isDaemonPod(draft, old)) {
    pod.node = old.node;
    pod.phase = 'Running';
    pod.pendingSince = null;
  }
  draft.pods[index] = pod;
  return pod;
}

export function isDaemonPod(draft: SimState, pod: SimPod): boolean {
  return draft.workloads[pod.workload]?.kind === 'DaemonSet';
}

function podIndex(draft: SimState, key: string): number {
  return draft.pods.findIndex((p) => podKey(p) === key);
}

function healthyPodIndexes(draft: SimState, faulted: Set<string>): number[] {
  const out: number[] = [];
  draft.pods.forEach((p, i) => {
    if (p.phase === 'Running' && p.problem === null && !faulted.has(podKey(p))) out.push(i);
  });
  return out;
}

function oomMessage(draft: SimState, pod: SimPod, rng: Rng): string {
  return `Memory cgroup out of memory: Killed process ${rng.int(1000, 65_000)} (${draft.workloads[pod.workload]?.container ?? 'app'})`;
}

function backOff(draft: SimState, pod: SimPod): void {
  const container = draft.workloads[pod.workload]?.container ?? 'app';
  recordEvent(draft, { namespace: pod.namespace, object: `pod/${pod.name}`, reason: 'BackOff', message: `Back-off restarting failed container ${container} in pod ${pod.name}_${pod.namespace}` });
}

/** Starts one fault of a random kind, if the cluster has something it can hit. */
export function startFault(draft: SimState, rng: Rng): void {
  const kind = rng.pick(KINDS);
  const faulted = new Set(draft.faults.map((f) => f.target));
  const endsTick = draft.tick + rng.int(MIN_TICKS, MAX_TICKS);
  const id = draft.nextFaultId;

  if (kind === 'node-not-ready' || kind === 'maintenance') {
    // Never more than a third of the nodes at once (at least one): a sim should degrade, not vanish.
    const nodeFaults = draft.faults.filter((f) => f.kind === 'node-not-ready' || f.kind === 'maintenance').length;
    if (nodeFaults >= Math.max(1, Math.floor(draft.nodes.length / 3))) return;
    const candidates = draft.nodes.filter((n) => n.ready && !n.unschedulable && !faulted.has(n.name));
    if (candidates.length === 0) return;
    const node = rng.pick(candidates);
    if (kind === 'node-not-ready') {
      node.ready = false;
      node.notReadySinceTick = draft.tick;
      recordEvent(draft, { namespace: 'default', object: `node/${node.name}`, reason: 'NodeNotReady', message: `Node ${node.name} status is now: NodeNotReady` });
    } else {
      node.unschedulable = true;
      draft.pods.forEach((p, i) => {
        if (p.node === node.name && !isDaemonPod(draft, p)) replacePod(draft, i, rng);
      });
    }
    draft.faults.push({ id, kind, target: node.name, endsTick });
    draft.nextFaultId += 1;
    return;
  }

  // A DaemonSet pod cannot move, so an oversized rollout is only simulated on the other workloads.
  const candidates = healthyPodIndexes(draft, faulted).filter((i) => kind !== 'unschedulable' || !isDaemonPod(draft, draft.pods[i] as SimPod));
  if (candidates.length === 0) return;
  const index = rng.pick(candidates);
  let pod = draft.pods[index] as SimPod;
  if (kind === 'crashloop') {
    pod.problem = { reason: 'CrashLoopBackOff', since: draft.now };
    pod.restarts += 1;
    backOff(draft, pod);
  } else if (kind === 'oom') {
    pod.problem = { reason: 'OOMKilled', since: draft.now };
    pod.restarts += 1;
    pod.memoryLoad = 1;
    recordEvent(draft, { namespace: 'default', object: `node/${pod.node ?? 'unknown'}`, reason: 'OOMKilling', message: oomMessage(draft, pod, rng) });
  } else {
    const largest = Math.max(...draft.nodes.map((n) => n.capacity.cpuMillis));
    pod = replacePod(draft, index, rng, largest + 1000);
  }
  draft.faults.push({ id, kind, target: podKey(pod), endsTick });
  draft.nextFaultId += 1;
}

/** Ongoing faults keep hurting: crash loops and OOM kills restart the container again. */
export function progressFaults(draft: SimState, rng: Rng): void {
  for (const fault of draft.faults) {
    if (fault.kind !== 'crashloop' && fault.kind !== 'oom') continue;
    const pod = draft.pods[podIndex(draft, fault.target)];
    if (!pod?.problem || pod.phase !== 'Running') continue;
    pod.restarts += 1;
    if (fault.kind === 'crashloop') backOff(draft, pod);
    else recordEvent(draft, { namespace: 'default', object: `node/${pod.node ?? 'unknown'}`, reason: 'OOMKilling', message: oomMessage(draft, pod, rng) });
  }
}

/** Ends the faults whose time is up; a target that has gone away in the meantime needs nothing. */
export function recoverFaults(draft: SimState, rng: Rng): void {
  const due = draft.faults.filter((f) => f.endsTick <= draft.tick);
  draft.faults = draft.faults.filter((f) => f.endsTick > draft.tick);
  for (const fault of due) {
    if (fault.kind === 'node-not-ready' || fault.kind === 'maintenance') {
      const node = draft.nodes.find((n) => n.name === fault.target);
      if (!node) continue;
      if (fault.kind === 'node-not-ready') {
        node.ready = true;
        node.notReadySinceTick = null;
      } else {
        node.unschedulable = false;
      }
      continue;
    }
    const index = podIndex(draft, fault.target);
    const pod = draft.pods[index];
    if (!pod) continue;
    if (fault.kind === 'unschedulable') {
      // The bad rollout is rolled back: a pod with the workload's own requests replaces it.
      replacePod(draft, index, rng);
    } else {
      pod.problem = null;
      pod.memoryLoad = Math.min(pod.memoryLoad, 0.7);
    }
  }
}
