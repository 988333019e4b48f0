// The simulation step: a pure reducer from one state to the next at `now`. Everything random comes
// from `rng`, so a seed and a sequence of instants give the same cluster every time.
import { expireEvents } from './events.js';
import { EVICT_AFTER_TICKS, progressFaults, recoverFaults, replacePod, startFault } from './faults.js';
import type { SimNode, SimState } from './state.js';
import type { Rng } from './rng.js';
import { schedulePending } from './scheduler.js';
import { reconcilePods } from './workloads.js';

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Pods on a NotReady node stop reporting (Unknown) and are evicted once the node stays down. */
function followNodes(draft: SimState, rng: Rng): void {
  const nodes = new Map<string, SimNode>(draft.nodes.map((n) => [n.name, n]));
  draft.pods.forEach((pod, i) => {
    const node = pod.node === null ? undefined : nodes.get(pod.node);
    if (!node) return;
    // DaemonSet pods belong to their node and wait there for it to come back.
    if (draft.workloads[pod.workload]?.kind === 'DaemonSet') {
      pod.phase = node.ready ? 'Running' : 'Unknown';
      return;
    }
    if (node.ready) {
      if (pod.phase === 'Unknown') pod.phase = 'Running';
      return;
    }
    if (draft.tick - (node.notReadySinceTick ?? draft.tick) >= EVICT_AFTER_TICKS) replacePod(draft, i, rng);
    else pod.phase = 'Unknown';
  });
}

function drift(draft: SimState, rng: Rng): void {
  for (const node of draft.nodes) node.systemShare = clamp(node.systemShare + (rng.next() - 0.5) * 0.01, 0.03, 0.1);
  for (const pod of draft.pods) {
    pod.cpuLoad = clamp(pod.cpuLoad + (rng.next() - 0.5) * 0.1, 0.05, 1.2);
    if (pod.problem?.reason !== 'OOMKilled') pod.memoryLoad = clamp(pod.memoryLoad + (rng.next() - 0.5) * 0.04, 0.3, 0.95);
  }
}

export function tick(state: SimState, now: Date, rng: Rng): SimState {
  const draft = structuredClone(state);
  draft.tick += 1;
  // The sim's clock never runs backwards, even if the host's does.
  draft.now = new Date(Math.max(now.getTime(), Date.parse(state.now))).toISOString();
  recoverFaults(draft, rng);
  progressFaults(draft, rng);
  if (rng.chance(draft.faultRate)) startFault(draft, rng);
  followNodes(draft, rng);
  reconcilePods(draft, rng);
  schedulePending(draft);
  drift(draft, rng);
  expireEvents(draft);
  return draft;
}
