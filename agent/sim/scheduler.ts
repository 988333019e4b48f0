// Places Pending pods on nodes that are Ready, schedulable and have room for the pod's requests,
// spreading by least requested CPU; a pod that fits nowhere stays Pending with a FailedScheduling
// event that says why, like kube-scheduler's "0/N nodes are available" message.
import { recordEvent } from './events.js';
import type { SimNode, SimPod, SimState } from './state.js';

interface Room {
  node: SimNode;
  cpuFree: number;
  memoryFree: number;
  podsFree: number;
}

function roomOf(draft: SimState): Room[] {
  const rooms = new Map<string, Room>();
  for (const node of draft.nodes) {
    rooms.set(node.name, { node, cpuFree: node.capacity.cpuMillis, memoryFree: node.capacity.memoryBytes, podsFree: node.capacity.pods });
  }
  for (const pod of draft.pods) {
    const room = pod.node === null ? undefined : rooms.get(pod.node);
    if (!room) continue;
    room.cpuFree -= pod.cpuRequestMillis;
    room.memoryFree -= pod.memoryRequestBytes;
    room.podsFree -= 1;
  }
  return [...rooms.values()];
}

function whyNot(pod: SimPod, rooms: Room[]): string {
  let notReady = 0;
  let cordoned = 0;
  let cpu = 0;
  let memory = 0;
  let pods = 0;
  for (const r of rooms) {
    if (!r.node.ready) notReady += 1;
    else if (r.node.unschedulable) cordoned += 1;
    else if (r.podsFree < 1) pods += 1;
    else if (r.cpuFree < pod.cpuRequestMillis) cpu += 1;
    else if (r.memoryFree < pod.memoryRequestBytes) memory += 1;
  }
  const parts: string[] = [];
  if (notReady) parts.push(`${notReady} node(s) had untolerated taint {node.kubernetes.io/not-ready: }`);
  if (cordoned) parts.push(`${cordoned} node(s) were unschedulable`);
  if (pods) parts.push(`${pods} Too many pods`);
  if (cpu) parts.push(`${cpu} Insufficient cpu`);
  if (memory) parts.push(`${memory} Insufficient memory`);
  return `0/${rooms.length} nodes are available: ${parts.join(', ')}.`;
}

export function schedulePending(draft: SimState): void {
  const rooms = roomOf(draft);
  for (const pod of draft.pods) {
    if (pod.node !== null) continue;
    let best: Room | undefined;
    for (const r of rooms) {
      const fits = r.node.ready && !r.node.unschedulable && r.podsFree >= 1 && r.cpuFree >= pod.cpuRequestMillis && r.memoryFree >= pod.memoryRequestBytes;
      if (fits && (!best || r.cpuFree > best.cpuFree)) best = r;
    }
    if (!best) {
      pod.phase = 'Pending';
      pod.pendingSince ??= draft.now;
      recordEvent(draft, { namespace: pod.namespace, object: `pod/${pod.name}`, reason: 'FailedScheduling', message: whyNot(pod, rooms) });
      continue;
    }
    best.cpuFree -= pod.cpuRequestMillis;
    best.memoryFree -= pod.memoryRequestBytes;
    best.podsFree -= 1;
    pod.node = best.node.name;
    pod.phase = 'Running';
    pod.pendingSince = null;
  }
}
