// The simulated cluster's state: plain data, and how its objects and pods are made. Pure: no I/O, no
// clocks; time and randomness come in as arguments.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../actions.js';
import type { Rng } from './rng.js';

export type PodPhase = 'Running' | 'Pending' | 'Unknown';
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export type FaultKind = 'node-not-ready' | 'maintenance' | 'crashloop' | 'oom' | 'unschedulable';

export interface SimNode {
  name: string;
  ready: boolean;
  /** Cordoned: the scheduler places nothing new here. */
  unschedulable: boolean;
  /** Tick at which the node stopped being Ready, while it is not. */
  notReadySinceTick: number | null;
  capacity: { cpuMillis: number; memoryBytes: number; pods: number };
  /** Share of capacity the system daemons use; drifts a little. */
  systemShare: number;
}

export interface SimWorkload {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  desired: number;
  container: string;
  /** Hash of the pod template: pods with another hash are rolled out. */
  templateHash: string;
  /** The pod template's labels, which PodDisruptionBudget selectors match. */
  podLabels: Record<string, string>;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
}

/** A stored object as the API server keeps it, minus server-set fields. */
export interface SimObject {
  body: KubeObject;
  /** Leaf field paths each field manager owns, for server-side-apply merges. */
  managers: Record<string, string[]>;
}

export interface SimPod {
  namespace: string;
  name: string;
  /** Stable for the pod's life and new for a replacement, even one that keeps the name (a StatefulSet pod). */
  uid: string;
  /** Index into SimState.workloads. */
  workload: number;
  /** StatefulSet pods keep their ordinal (and so their name) when replaced. */
  ordinal: number;
  /** The workload's template hash when the pod was made. */
  template: string;
  node: string | null;
  phase: PodPhase;
  restarts: number;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  /** Fraction of the request in use; drifts. */
  cpuLoad: number;
  memoryLoad: number;
  problem: { reason: 'CrashLoopBackOff' | 'OOMKilled'; since: string } | null;
  /** When the pod went Pending, while it is. */
  pendingSince: string | null;
}

export interface SimFault {
  id: number;
  kind: FaultKind;
  /** A node name, or "<namespace>/<pod>". */
  target: string;
  endsTick: number;
}

export interface SimEvent {
  namespace: string;
  object: string;
  reason: string;
  message: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export interface SimState {
  tick: number;
  now: string;
  kubernetesVersion: string;
  faultRate: number;
  nodes: SimNode[];
  workloads: SimWorkload[];
  pods: SimPod[];
  /** Namespaces, workload manifests, Secrets, ServiceAccounts, PDBs and whatever else was applied. */
  objects: SimObject[];
  faults: SimFault[];
  events: SimEvent[];
  nextFaultId: number;
}

export function namespaceObject(name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

export function podName(workload: SimWorkload, ordinal: number, rng: Rng): string {
  if (workload.kind === 'StatefulSet') return `${workload.name}-${ordinal}`;
  if (workload.kind === 'DaemonSet') return `${workload.name}-${rng.token(5)}`;
  return `${workload.name}-${workload.templateHash}-${rng.token(5)}`;
}

/**
 * A UUID-shaped pod uid from what makes the pod unique (namespace, name, creation instant). Derived, not
 * drawn from the rng, so adding it left every seeded cluster as it was.
 */
export function podUid(namespace: string, name: string, createdAt: string): string {
  const h = createHash('sha256').update(`${namespace}/${name}@${createdAt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function newPod(workloads: SimWorkload[], index: number, ordinal: number, now: string, rng: Rng): SimPod {
  const w = workloads[index] as SimWorkload;
  const name = podName(w, ordinal, rng);
  return {
    namespace: w.namespace,
    name,
    uid: podUid(w.namespace, name, now),
    workload: index,
    ordinal,
    template: w.templateHash,
    node: null,
    phase: 'Pending',
    restarts: 0,
    cpuRequestMillis: w.cpuRequestMillis,
    memoryRequestBytes: w.memoryRequestBytes,
    cpuLoad: 0.2 + rng.next() * 0.6,
    memoryLoad: 0.4 + rng.next() * 0.4,
    problem: null,
    pendingSince: now,
  };
}

export function podKey(pod: Pick<SimPod, 'namespace' | 'name'>): string {
  return `${pod.namespace}/${pod.name}`;
}
