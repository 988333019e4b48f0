// The status mapping from API lists, against a snapshot shaped as a Kubernetes 1.31 API server sends it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EVENT_WINDOW_MS, nodeStatuses, observeSnapshot, podPhases, podProblem, recentWarnings, restartsOf, workloadStatuses, type ApiSnapshot } from '../../../../agent/kube/observe.js';

const FIXTURE = join(import.meta.dirname, '../../../fixtures/kube/cluster-snapshot.json');
const NOW = new Date('2026-03-01T12:00:00Z');

function snapshot(): ApiSnapshot {
  const s = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ApiSnapshot & { _comment?: string };
  delete s._comment;
  return { ...s, nodeUsage: new Map([['node-1', { cpuMillis: 1200, memoryBytes: 3_000_000_000 }]]) };
}

function pod(snap: ApiSnapshot, name: string): V1Pod {
  const p = snap.pods.find((x) => x.metadata?.name === name);
  if (!p) throw new Error(`fixture has no pod ${name}`);
  return p;
}

describe('nodes', () => {
  it('reads readiness, cordons, capacity and usage, counting the pods that still hold a slot', () => {
    const snap = snapshot();
    expect(nodeStatuses(snap, snap.pods)).toEqual([
      { name: 'node-1', ready: true, unschedulable: false, capacity: { cpuMillis: 4000, memoryBytes: 16318956 * 1024, pods: 110 }, usage: { cpuMillis: 1200, memoryBytes: 3_000_000_000, pods: 3 } },
      { name: 'node-2', ready: false, unschedulable: true, reason: 'NodeStatusUnknown', capacity: { cpuMillis: 2000, memoryBytes: 8 * 2 ** 30, pods: 110 }, usage: { cpuMillis: 0, memoryBytes: 0, pods: 1 } },
      // No Ready condition at all: not ready, for the reason a node controller would give.
      { name: 'node-3', ready: false, unschedulable: false, reason: 'NodeStatusUnknown', capacity: { cpuMillis: 500, memoryBytes: 1e9, pods: 10 }, usage: { cpuMillis: 0, memoryBytes: 0, pods: 2 } },
    ]);
  });
});

describe('workloads, phases and restarts', () => {
  it('takes desired from the spec (1 when unset) and ready from the status, DaemonSets from their scheduling counts', () => {
    expect(workloadStatuses(snapshot())).toEqual([
      { namespace: 'payments', name: 'api', kind: 'Deployment', desired: 3, ready: 2 },
      { namespace: 'payments', name: 'worker', kind: 'Deployment', desired: 1, ready: 0 },
      { namespace: 'checkout', name: 'db', kind: 'StatefulSet', desired: 2, ready: 2 },
      { namespace: 'kube-system', name: 'log-agent', kind: 'DaemonSet', desired: 3, ready: 2 },
    ]);
  });

  it('counts every phase, an unrecognised one as unknown', () => {
    expect(podPhases(snapshot().pods)).toEqual({ running: 3, pending: 4, succeeded: 1, failed: 1, unknown: 1, total: 10 });
    expect(podPhases([])).toEqual({ running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 });
  });

  it('sums the restarts of containers and init containers', () => {
    const snap = snapshot();
    expect(restartsOf(pod(snap, 'api-2'))).toBe(6);
    expect(restartsOf(pod(snap, 'gpu-job'))).toBe(0);
  });
});

describe('pod problems', () => {
  it('names the one problem that explains each pod', () => {
    const snap = snapshot();
    const problems = Object.fromEntries(snap.pods.map((p) => [p.metadata?.name, podProblem(p, NOW)]));
    expect(problems).toEqual({
      'api-1': undefined,
      // The OOM kill says why the CrashLoopBackOff happens.
      'api-2': { namespace: 'payments', pod: 'api-2', restarts: 6, reason: 'OOMKilled', sinceSeconds: 120 },
      'worker-1': { namespace: 'payments', pod: 'worker-1', restarts: 3, reason: 'CrashLoopBackOff', sinceSeconds: 30 },
      puller: { namespace: 'checkout', pod: 'puller', restarts: 0, reason: 'ImagePullBackOff', sinceSeconds: 290 },
      // Unschedulable is stuck at once; a scheduled pod 30 s old is only starting; unscheduled for 2 min is stuck.
      'gpu-job': { namespace: 'checkout', pod: 'gpu-job', restarts: 0, reason: 'Pending', sinceSeconds: 10 },
      starting: undefined,
      slow: { namespace: 'checkout', pod: 'slow', restarts: 0, reason: 'Pending', sinceSeconds: 120 },
      evicted: { namespace: 'checkout', pod: 'evicted', restarts: 0, reason: 'Error', sinceSeconds: 10795 },
      'job-done': undefined,
      mystery: undefined,
    });
  });

  it('a non-zero exit is an error where the pod restarts, not for a pod that never restarts; a deleting pod is not stuck', () => {
    const exited = (restartPolicy: string): V1Pod => ({ metadata: { name: 'x', namespace: 'n' }, spec: { restartPolicy, containers: [] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 2, finishedAt: new Date('2026-03-01T11:59:00Z') } } }] } });
    expect(podProblem(exited('Always'), NOW)).toMatchObject({ reason: 'Error', sinceSeconds: 60 });
    expect(podProblem(exited('Never'), NOW)).toBeUndefined();
    const deleting: V1Pod = { metadata: { name: 'd', namespace: 'n', creationTimestamp: new Date('2026-03-01T11:00:00Z'), deletionTimestamp: new Date('2026-03-01T11:59:00Z') }, status: { phase: 'Pending' } };
    expect(podProblem(deleting, NOW)).toBeUndefined();
  });

  it('reads timestamps as the client hands them over (Date) the same as ISO strings', () => {
    const asString = pod(snapshot(), 'worker-1');
    const asDate = structuredClone(asString);
    asDate.status!.containerStatuses![0]!.lastState!.terminated!.finishedAt = new Date('2026-03-01T11:59:30Z');
    expect(podProblem(asDate, NOW)).toEqual(podProblem(asString, NOW));
  });
});

describe('warning events', () => {
  it('keeps Warning events last seen within the hour, whichever events API wrote them', () => {
    expect(recentWarnings(snapshot().warningEvents, NOW)).toEqual([
      { ts: '2026-03-01T11:58:00.000Z', namespace: 'payments', object: 'pod/api-2', reason: 'BackOff', message: 'Back-off restarting failed container api in pod api-2', count: 14 },
      { ts: '2026-03-01T11:59:50.123Z', namespace: 'checkout', object: 'pod/gpu-job', reason: 'FailedScheduling', message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", count: 1 },
      // First seen three hours ago, last seen three minutes ago: the series decides, not eventTime.
      { ts: '2026-03-01T11:57:00.500Z', namespace: 'checkout', object: 'pod/stuck-for-hours', reason: 'FailedScheduling', message: '0/3 nodes are available: 1 Insufficient cpu.', count: 40 },
      { ts: '2026-03-01T11:40:00.000Z', namespace: 'checkout', object: 'pod/evicted', reason: 'Evicted', message: 'The node was low on resource: memory. ', count: 1 },
    ]);
  });

  it('counts the window inclusively and falls back to creationTimestamp', () => {
    const at = (iso: string): CoreV1Event => ({ metadata: { name: 'e', namespace: 'default', creationTimestamp: new Date(iso) }, involvedObject: { kind: 'Node', name: 'node-1' }, reason: 'R', message: 'm', type: 'Warning' });
    expect(recentWarnings([at(new Date(NOW.getTime() - EVENT_WINDOW_MS).toISOString())], NOW)).toHaveLength(1);
    expect(recentWarnings([at(new Date(NOW.getTime() - EVENT_WINDOW_MS - 1000).toISOString())], NOW)).toHaveLength(0);
    expect(recentWarnings([at('2026-03-01T11:59:00Z')], NOW)[0]).toMatchObject({ object: 'node/node-1', namespace: 'default', count: 1 });
  });
});

describe('the whole observation', () => {
  it('puts it together', () => {
    const obs = observeSnapshot(snapshot(), NOW);
    expect(obs).toMatchObject({ observedAt: '2026-03-01T12:00:00.000Z', kubernetesVersion: 'v1.31.4', restarts: 9, pods: { total: 10 } });
    expect(obs.nodes).toHaveLength(3);
    expect(obs.workloads).toHaveLength(4);
    expect(obs.podProblems.map((p) => `${p.pod}:${p.reason}`)).toEqual(['api-2:OOMKilled', 'worker-1:CrashLoopBackOff', 'puller:ImagePullBackOff', 'gpu-job:Pending', 'slow:Pending', 'evicted:Error']);
    expect(obs.warningEvents).toHaveLength(4);
  });
});
