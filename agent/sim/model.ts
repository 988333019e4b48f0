// How the simulated cluster starts: a catalogue of workloads sized to a seed, on nodes with headroom.
// Pure data: no I/O, no clocks; time and randomness come in as arguments so a seed and a sequence of
// instants replay the same cluster.
import type { KubeObject } from '../actions.js';
import type { Rng } from './rng.js';
import { schedulePending } from './scheduler.js';
import { namespaceObject, newPod, type SimNode, type SimObject, type SimPod, type SimState, type SimWorkload, type WorkloadKind } from './state.js';
import { workloadManifest, workloadFromObject } from './workloads.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface SimShape {
  nodes: number;
  deployments: number;
  faultRate: number;
  kubernetesVersion: string;
}

interface CatalogueEntry {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  replicas: [number, number];
  cpu: [number, number];
  memoryMiB: [number, number];
}

// What a small production cluster tends to run; repeated with suffixes when more are asked for.
const CATALOGUE: CatalogueEntry[] = [
  { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: [2, 2], cpu: [100, 100], memoryMiB: [70, 170] },
  { namespace: 'payments', name: 'payments-api', kind: 'Deployment', replicas: [2, 4], cpu: [250, 500], memoryMiB: [256, 512] },
  { namespace: 'checkout', name: 'checkout-web', kind: 'Deployment', replicas: [2, 4], cpu: [200, 400], memoryMiB: [256, 384] },
  { namespace: 'monitoring', name: 'prometheus', kind: 'StatefulSet', replicas: [1, 2], cpu: [500, 1000], memoryMiB: [1024, 2048] },
  { namespace: 'kube-system', name: 'metrics-server', kind: 'Deployment', replicas: [1, 1], cpu: [100, 100], memoryMiB: [200, 200] },
  { namespace: 'payments', name: 'ledger', kind: 'StatefulSet', replicas: [3, 3], cpu: [300, 600], memoryMiB: [512, 1024] },
  { namespace: 'checkout', name: 'cart', kind: 'Deployment', replicas: [2, 3], cpu: [100, 250], memoryMiB: [128, 256] },
  { namespace: 'monitoring', name: 'grafana', kind: 'Deployment', replicas: [1, 1], cpu: [100, 200], memoryMiB: [128, 256] },
  { namespace: 'ingress-nginx', name: 'ingress-nginx-controller', kind: 'Deployment', replicas: [2, 3], cpu: [100, 250], memoryMiB: [90, 256] },
  { namespace: 'payments', name: 'fraud-scorer', kind: 'Deployment', replicas: [1, 3], cpu: [250, 750], memoryMiB: [512, 1536] },
  { namespace: 'checkout', name: 'pricing', kind: 'Deployment', replicas: [2, 3], cpu: [100, 200], memoryMiB: [128, 256] },
  { namespace: 'monitoring', name: 'alertmanager', kind: 'StatefulSet', replicas: [1, 2], cpu: [50, 100], memoryMiB: [64, 128] },
  { namespace: 'identity', name: 'auth-gateway', kind: 'Deployment', replicas: [2, 3], cpu: [150, 300], memoryMiB: [128, 256] },
  { namespace: 'search', name: 'search-api', kind: 'Deployment', replicas: [2, 4], cpu: [200, 500], memoryMiB: [384, 768] },
  { namespace: 'search', name: 'indexer', kind: 'Deployment', replicas: [1, 2], cpu: [300, 800], memoryMiB: [512, 1024] },
  { namespace: 'identity', name: 'session-store', kind: 'StatefulSet', replicas: [1, 3], cpu: [100, 250], memoryMiB: [256, 512] },
];

/** Node sizes are chosen so the workloads use about half the cluster: a healthy sim has headroom. */
const TARGET_FILL = 0.5;

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function makeWorkloadObjects(count: number, rng: Rng): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i += 1) {
    const entry = CATALOGUE[i % CATALOGUE.length] as CatalogueEntry;
    const round = Math.floor(i / CATALOGUE.length);
    out.push(
      workloadManifest({
        namespace: entry.namespace,
        name: round === 0 ? entry.name : `${entry.name}-${round + 1}`,
        kind: entry.kind,
        replicas: rng.int(entry.replicas[0], entry.replicas[1]),
        container: entry.name,
        cpuMillis: roundUp(rng.int(entry.cpu[0], entry.cpu[1]), 10),
        memoryMiB: roundUp(rng.int(entry.memoryMiB[0], entry.memoryMiB[1]), 16),
      }),
    );
  }
  return out;
}

function makeNodes(count: number, workloads: SimWorkload[], rng: Rng): SimNode[] {
  let cpu = 0;
  let memory = 0;
  let pods = 0;
  for (const w of workloads) {
    cpu += w.cpuRequestMillis * w.desired;
    memory += w.memoryRequestBytes * w.desired;
    pods += w.desired;
  }
  // Spare room for one node's share, so losing a node still fits when there is more than one.
  const share = count > 1 ? count - 1 : 1;
  const capacity = {
    cpuMillis: Math.max(4000, roundUp(cpu / share / TARGET_FILL, 2000)),
    memoryBytes: Math.max(16 * GiB, roundUp(memory / share / TARGET_FILL, 8 * GiB)),
    pods: Math.max(110, roundUp(pods / share / TARGET_FILL, 10)),
  };
  const width = String(count).length < 2 ? 2 : String(count).length;
  return Array.from({ length: count }, (_, i) => ({
    name: `worker-${String(i + 1).padStart(width, '0')}`,
    ready: true,
    unschedulable: false,
    notReadySinceTick: null,
    capacity: { ...capacity },
    systemShare: 0.04 + rng.next() * 0.04,
  }));
}

/** A fresh, settled cluster at `now`: every pod created and placed where it fits. */
export function createSimState(shape: SimShape, now: Date, rng: Rng): SimState {
  const iso = now.toISOString();
  const manifests = makeWorkloadObjects(shape.deployments, rng);
  const workloads = manifests.map((m) => workloadFromObject(m, shape.nodes));
  const nodes = makeNodes(shape.nodes, workloads, rng);
  const pods: SimPod[] = [];
  workloads.forEach((w, index) => {
    for (let ordinal = 0; ordinal < w.desired; ordinal += 1) pods.push(newPod(workloads, index, ordinal, iso, rng));
  });
  const namespaces = [...new Set(workloads.map((w) => w.namespace))].map((ns) => namespaceObject(ns));
  const objects: SimObject[] = [...namespaces, ...manifests].map((body) => ({ body, managers: {} }));
  const state: SimState = { tick: 0, now: iso, kubernetesVersion: shape.kubernetesVersion, faultRate: shape.faultRate, nodes, workloads, pods, objects, faults: [], events: [], nextFaultId: 1 };
  schedulePending(state);
  return state;
}
