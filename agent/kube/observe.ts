// What the API server's objects say about a cluster, as a ClusterObservation. Pure: the backend
// fetches the lists, this maps them (timestamps arrive as Date from the client, or ISO strings).
import type { CoreV1Event, V1DaemonSet, V1Deployment, V1Node, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { ClusterObservation, PodPhaseCounts } from '../backend.js';
import type { ClusterEvent, NodeStatus, PodProblem, WorkloadStatus } from '../../core/status.js';
import { bytes, cpuMillis } from './quantity.js';

/** Warning events last seen longer ago than this are not "recent" (the sim uses the same hour). */
export const EVENT_WINDOW_MS = 60 * 60 * 1000;
/** A pod pending for less than this is starting, not stuck (unless the scheduler says it cannot place it). */
export const PENDING_GRACE_MS = 60 * 1000;

export interface ApiSnapshot {
  gitVersion: string;
  nodes: V1Node[];
  /** Usage per node name from metrics.k8s.io, when metrics-server answers. */
  nodeUsage?: Map<string, { cpuMillis: number; memoryBytes: number }>;
  deployments: V1Deployment[];
  statefulSets: V1StatefulSet[];
  daemonSets: V1DaemonSet[];
  pods: V1Pod[];
  warningEvents: CoreV1Event[];
}

type Time = Date | string | undefined | null;

function ms(t: Time): number | undefined {
  if (t === undefined || t === null) return undefined;
  const v = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

function since(t: Time, now: Date): number {
  const v = ms(t);
  return v === undefined ? 0 : Math.max(0, Math.floor((now.getTime() - v) / 1000));
}

function isTerminal(p: V1Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

export function nodeStatuses(snap: ApiSnapshot, pods: V1Pod[]): NodeStatus[] {
  const podsOn = new Map<string, number>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !isTerminal(p)) podsOn.set(n, (podsOn.get(n) ?? 0) + 1);
  }
  return snap.nodes.map((node) => {
    const name = node.metadata?.name ?? '';
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const isReady = ready?.status === 'True';
    const cap = node.status?.capacity ?? {};
    const usage = snap.nodeUsage?.get(name);
    return {
      name,
      ready: isReady,
      unschedulable: node.spec?.unschedulable === true,
      ...(isReady ? {} : { reason: ready?.reason ?? 'NodeStatusUnknown' }),
      capacity: { cpuMillis: cpuMillis(cap.cpu), memoryBytes: bytes(cap.memory), pods: Math.round(bytes(cap.pods)) },
      usage: { cpuMillis: usage?.cpuMillis ?? 0, memoryBytes: usage?.memoryBytes ?? 0, pods: podsOn.get(name) ?? 0 },
    };
  });
}

export function workloadStatuses(snap: ApiSnapshot): WorkloadStatus[] {
  const out: WorkloadStatus[] = [];
  for (const d of snap.deployments) out.push({ namespace: d.metadata?.namespace ?? '', name: d.metadata?.name ?? '', kind: 'Deployment', desired: d.spec?.replicas ?? 1, ready: d.status?.readyReplicas ?? 0 });
  for (const s of snap.statefulSets) out.push({ namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '', kind: 'StatefulSet', desired: s.spec?.replicas ?? 1, ready: s.status?.readyReplicas ?? 0 });
  for (const d of snap.daemonSets) out.push({ namespace: d.metadata?.namespace ?? '', name: d.metadata?.name ?? '', kind: 'DaemonSet', desired: d.status?.desiredNumberScheduled ?? 0, ready: d.status?.numberReady ?? 0 });
  return out;
}

export function podPhases(pods: V1Pod[]): PodPhaseCounts {
  const c: PodPhaseCounts = { running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 };
  for (const p of pods) {
    c.total += 1;
    switch (p.status?.phase) {
      case 'Running':
        c.running += 1;
        break;
      case 'Pending':
        c.pending += 1;
        break;
      case 'Succeeded':
        c.succeeded += 1;
        break;
      case 'Failed':
        c.failed += 1;
        break;
      default:
        c.unknown += 1;
    }
  }
  return c;
}

export function restartsOf(p: V1Pod): number {
  return [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/**
 * The one problem that best explains a pod, or none. An OOM kill wins over the CrashLoopBackOff it
 * causes (it says why), image pulls are named as such, and a pod is "Pending" only once it is stuck.
 */
export function podProblem(p: V1Pod, now: Date): PodProblem | undefined {
  const base = { namespace: p.metadata?.namespace ?? '', pod: p.metadata?.name ?? '', restarts: restartsOf(p) };
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const terminated = s.state?.terminated ?? s.lastState?.terminated;
    if (terminated?.reason === 'OOMKilled') return { ...base, reason: 'OOMKilled', sinceSeconds: since(terminated.finishedAt, now) };
  }
  for (const s of statuses) {
    const waiting = s.state?.waiting?.reason;
    if (waiting === 'CrashLoopBackOff') return { ...base, reason: 'CrashLoopBackOff', sinceSeconds: since(s.lastState?.terminated?.finishedAt ?? p.status?.startTime, now) };
    if (waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull') return { ...base, reason: 'ImagePullBackOff', sinceSeconds: since(p.status?.startTime ?? p.metadata?.creationTimestamp, now) };
  }
  if (p.status?.phase === 'Failed') return { ...base, reason: 'Error', sinceSeconds: since(p.status?.startTime ?? p.metadata?.creationTimestamp, now) };
  for (const s of statuses) {
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0 && p.spec?.restartPolicy !== 'Never') return { ...base, reason: 'Error', sinceSeconds: since(t.finishedAt, now) };
  }
  if (p.status?.phase === 'Pending' && !p.metadata?.deletionTimestamp) {
    const unschedulable = p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False');
    const age = since(p.metadata?.creationTimestamp, now);
    if (unschedulable || age * 1000 >= PENDING_GRACE_MS) return { ...base, reason: 'Pending', sinceSeconds: age };
  }
  return undefined;
}

export function recentWarnings(events: CoreV1Event[], now: Date): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  for (const e of events) {
    if (e.type !== undefined && e.type !== 'Warning') continue;
    // Old-style events carry lastTimestamp; events.k8s.io ones (the scheduler's) carry eventTime, the
    // first occurrence, and a series whose lastObservedTime is the latest one.
    const last = ms(e.lastTimestamp) ?? ms(e.series?.lastObservedTime) ?? ms(e.eventTime) ?? ms(e.metadata?.creationTimestamp);
    if (last === undefined || now.getTime() - last > EVENT_WINDOW_MS) continue;
    const obj = e.involvedObject;
    out.push({
      ts: new Date(last).toISOString(),
      namespace: e.metadata?.namespace ?? obj?.namespace ?? '',
      object: `${(obj?.kind ?? 'object').toLowerCase()}/${obj?.name ?? ''}`,
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count !== undefined && e.count > 0 ? e.count : (e.series?.count ?? 1),
    });
  }
  return out;
}

export function observeSnapshot(snap: ApiSnapshot, now: Date): ClusterObservation {
  const podProblems: PodProblem[] = [];
  let restarts = 0;
  for (const p of snap.pods) {
    restarts += restartsOf(p);
    const problem = podProblem(p, now);
    if (problem) podProblems.push(problem);
  }
  return {
    observedAt: now.toISOString(),
    kubernetesVersion: snap.gitVersion,
    nodes: nodeStatuses(snap, snap.pods),
    workloads: workloadStatuses(snap),
    pods: podPhases(snap.pods),
    restarts,
    podProblems,
    warningEvents: recentWarnings(snap.warningEvents, now),
  };
}
