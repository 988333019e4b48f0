// The cluster the executor contract suite (test/contract/executors.ts) expects, built as sim state.
// Pods are placed by hand so drains meet the same layout on every backend.
import type { KubeObject } from '../actions.js';
import { namespaceObject, newPod, type SimNode, type SimState } from './model.js';
import type { Rng } from './rng.js';
import { reconcilePods, syncWorkloads, workloadManifest } from './workloads.js';

const GiB = 1024 * 1024 * 1024;

function node(name: string): SimNode {
  return { name, ready: true, unschedulable: false, notReadySinceTick: null, capacity: { cpuMillis: 4000, memoryBytes: 16 * GiB, pods: 110 }, systemShare: 0.05 };
}

export function contractFixtureObjects(): KubeObject[] {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [
    namespaceObject('kube-system'),
    namespaceObject('payments', { team: 'payments' }),
    namespaceObject('checkout', { team: 'checkout' }),
    workloadManifest({ namespace: 'kube-system', name: 'log-agent', kind: 'DaemonSet', replicas: 0, container: 'log-agent', cpuMillis: 50, memoryMiB: 64 }),
    workloadManifest({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 3, container: 'api', cpuMillis: 250, memoryMiB: 256 }),
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api', namespace: 'payments' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'api' } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'payments', labels: { app: 'api' } }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'payments', labels: { app: 'api' } }, data: { LOG_LEVEL: 'info' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-credentials', namespace: 'payments' }, type: 'Opaque', data: { username: b64('api'), password: b64('initial') } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'payments' } },
    workloadManifest({ namespace: 'checkout', name: 'db', kind: 'StatefulSet', replicas: 2, container: 'db', cpuMillis: 500, memoryMiB: 1024 }),
  ];
}

/** Where the fixture's pods run: `api` one per node, `db-0` on node-1, `db-1` on node-2, `log-agent` everywhere. */
const PLACEMENT: Record<string, string[]> = { 'payments/api': ['node-1', 'node-2', 'node-3'], 'checkout/db': ['node-1', 'node-2'] };

export function contractFixtureState(now: Date, rng: Rng): SimState {
  const iso = now.toISOString();
  const state: SimState = {
    tick: 0,
    now: iso,
    kubernetesVersion: 'v1.31.4',
    faultRate: 0,
    nodes: ['node-1', 'node-2', 'node-3'].map(node),
    workloads: [],
    pods: [],
    objects: contractFixtureObjects().map((body) => ({ body, managers: {} })),
    faults: [],
    events: [],
    nextFaultId: 1,
  };
  syncWorkloads(state);
  state.workloads.forEach((w, index) => {
    (PLACEMENT[`${w.namespace}/${w.name}`] ?? []).forEach((nodeName, ordinal) => {
      const pod = newPod(state.workloads, index, ordinal, iso, rng);
      pod.node = nodeName;
      pod.phase = 'Running';
      pod.pendingSince = null;
      state.pods.push(pod);
    });
  });
  reconcilePods(state, rng);
  return state;
}
