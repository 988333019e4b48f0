// Workload objects (Deployment, StatefulSet, DaemonSet manifests) and the controllers that make pods
// follow them: scaling, rolling restarts and one DaemonSet pod per node. Pure: the draft is mutated in
// place by the tick or by an action reducer, randomness comes from `rng`.
import type { KubeObject } from '../actions.js';
import { newPod, type SimPod, type SimState, type SimWorkload, type WorkloadKind } from './state.js';
import type { Rng } from './rng.js';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];
const DEFAULT_CPU_MILLIS = 100;
const DEFAULT_MEMORY_BYTES = 128 * 1024 * 1024;

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export interface WorkloadShape {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  replicas: number;
  container: string;
  cpuMillis: number;
  memoryMiB: number;
  labels?: Record<string, string>;
}

/** The manifest a cluster operator would have applied for a workload of this shape. */
export function workloadManifest(w: WorkloadShape): KubeObject {
  const labels = w.labels ?? { app: w.name };
  const spec: Record<string, unknown> = {
    ...(w.kind === 'DaemonSet' ? {} : { replicas: w.replicas }),
    ...(w.kind === 'StatefulSet' ? { serviceName: w.name } : {}),
    selector: { matchLabels: { ...labels } },
    template: {
      metadata: { labels: { ...labels } },
      spec: { containers: [{ name: w.container, image: `registry.example.com/${w.container}:1.0.0`, resources: { requests: { cpu: `${w.cpuMillis}m`, memory: `${w.memoryMiB}Mi` } } }] },
    },
  };
  return { apiVersion: 'apps/v1', kind: w.kind, metadata: { name: w.name, namespace: w.namespace, labels: { ...labels } }, spec };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity ("250m", "1.5", "512Mi", "1G") in base units, or undefined if unreadable. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === undefined) return n;
  if (unit === 'm') return n / 1000;
  return n * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
}

/** Canonical JSON (sorted keys), so equal objects hash and compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash-like tag: a change to the template gives new pod names and a rollout. */
export function templateHash(template: unknown): string {
  const text = canonicalJson(template);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  let out = '';
  let a = h1 >>> 0;
  let b = h2 >>> 0;
  for (let i = 0; i < 10; i += 1) {
    const src = i % 2 === 0 ? a : b;
    out += HASH_ALPHABET[src % HASH_ALPHABET.length] as string;
    if (i % 2 === 0) a = Math.floor(a / HASH_ALPHABET.length);
    else b = Math.floor(b / HASH_ALPHABET.length);
  }
  return out;
}

/** What the sim's controllers need from a workload manifest; unreadable fields fall back to defaults. */
export function workloadFromObject(obj: KubeObject, nodeCount: number): SimWorkload {
  const spec = record(obj.spec);
  const template = record(spec.template);
  const containers = record(template.spec).containers;
  const first = record(Array.isArray(containers) ? containers[0] : undefined);
  const requests = record(record(first.resources).requests);
  const cpu = parseQuantity(requests.cpu);
  const memory = parseQuantity(requests.memory);
  const kind = obj.kind as WorkloadKind;
  const replicas = typeof spec.replicas === 'number' && Number.isInteger(spec.replicas) && spec.replicas >= 0 ? spec.replicas : 1;
  return {
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
    kind,
    desired: kind === 'DaemonSet' ? nodeCount : replicas,
    container: typeof first.name === 'string' ? first.name : obj.metadata.name,
    templateHash: templateHash(template),
    podLabels: stringMap(record(template.metadata).labels),
    cpuRequestMillis: cpu === undefined ? DEFAULT_CPU_MILLIS : Math.round(cpu * 1000),
    memoryRequestBytes: memory === undefined ? DEFAULT_MEMORY_BYTES : Math.round(memory),
  };
}

function workloadId(w: Pick<SimWorkload, 'kind' | 'namespace' | 'name'>): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

/** Rebuilds the workload list from the stored workload objects; pods of workloads that are gone go too. */
export function syncWorkloads(draft: SimState): void {
  const derived = new Map<string, SimWorkload>();
  for (const { body } of draft.objects) {
    if (body.apiVersion === 'apps/v1' && isWorkloadKind(body.kind)) {
      const w = workloadFromObject(body, draft.nodes.length);
      derived.set(workloadId(w), w);
    }
  }
  // Existing workloads keep their place (and so the order the status lists them in).
  const next: SimWorkload[] = [];
  const remap = new Map<number, number>();
  draft.workloads.forEach((old, i) => {
    const w = derived.get(workloadId(old));
    if (!w) return;
    remap.set(i, next.length);
    next.push(w);
    derived.delete(workloadId(old));
  });
  next.push(...derived.values());
  draft.workloads = next;
  draft.pods = draft.pods.filter((p) => remap.has(p.workload));
  for (const pod of draft.pods) pod.workload = remap.get(pod.workload) as number;
}

export function isReady(pod: SimPod): boolean {
  return pod.phase === 'Running' && pod.problem === null;
}

function removePod(draft: SimState, pod: SimPod): void {
  draft.pods = draft.pods.filter((p) => p !== pod);
}

/** Deletes the extra pods a scale-down leaves: Pending first, then the newest. */
function scaleDown(draft: SimState, pods: SimPod[], excess: number): void {
  const order = [...pods].sort((a, b) => Number(a.phase !== 'Pending') - Number(b.phase !== 'Pending') || draft.pods.indexOf(b) - draft.pods.indexOf(a));
  for (const pod of order.slice(0, excess)) removePod(draft, pod);
}

/** Rolling update with maxSurge 1 and maxUnavailable 0; scaling creates or deletes at once. */
function reconcileDeployment(draft: SimState, index: number, w: SimWorkload, rng: Rng): void {
  const pods = draft.pods.filter((p) => p.workload === index);
  const current = pods.filter((p) => p.template === w.templateHash);
  const old = pods.filter((p) => p.template !== w.templateHash);
  if (w.desired === 0 || old.length === 0) {
    if (pods.length > w.desired) scaleDown(draft, pods, pods.length - w.desired);
    for (let i = pods.length; i < w.desired; i += 1) draft.pods.push(newPod(draft.workloads, index, i, draft.now, rng));
    return;
  }
  let total = pods.length;
  const victim = old.find((p) => !isReady(p)) ?? old[0];
  if (victim && total > w.desired && current.some(isReady)) {
    removePod(draft, victim);
    total -= 1;
  }
  if (total <= w.desired && current.length < w.desired) draft.pods.push(newPod(draft.workloads, index, current.length, draft.now, rng));
  else if (total > w.desired + 1) scaleDown(draft, old, total - w.desired - 1);
}

/** OrderedReady: one pod at a time, created from the lowest ordinal, removed and rolled from the highest. */
function reconcileStatefulSet(draft: SimState, index: number, w: SimWorkload, rng: Rng): void {
  const pods = draft.pods.filter((p) => p.workload === index).sort((a, b) => a.ordinal - b.ordinal);
  const surplus = pods.filter((p) => p.ordinal >= w.desired).at(-1);
  if (surplus) {
    removePod(draft, surplus);
    return;
  }
  if (!pods.every(isReady)) return;
  const have = new Set(pods.map((p) => p.ordinal));
  for (let ordinal = 0; ordinal < w.desired; ordinal += 1) {
    if (!have.has(ordinal)) {
      draft.pods.push(newPod(draft.workloads, index, ordinal, draft.now, rng));
      return;
    }
  }
  const outdated = pods.filter((p) => p.template !== w.templateHash).at(-1);
  if (outdated) draft.pods[draft.pods.indexOf(outdated)] = newPod(draft.workloads, index, outdated.ordinal, draft.now, rng);
}

/** One pod per node, placed by the controller itself (DaemonSets tolerate cordons); rolled one per tick. */
function reconcileDaemonSet(draft: SimState, index: number, w: SimWorkload, rng: Rng): void {
  const pods = draft.pods.filter((p) => p.workload === index);
  const byNode = new Map(pods.map((p) => [p.node, p]));
  for (const pod of pods) if (!draft.nodes.some((n) => n.name === pod.node)) removePod(draft, pod);
  let rolled = false;
  for (const node of draft.nodes) {
    const existing = byNode.get(node.name);
    if (existing && (existing.template === w.templateHash || rolled)) continue;
    const pod = newPod(draft.workloads, index, 0, draft.now, rng);
    pod.node = node.name;
    pod.phase = node.ready ? 'Running' : 'Unknown';
    pod.pendingSince = null;
    if (existing) {
      draft.pods[draft.pods.indexOf(existing)] = pod;
      rolled = true;
    } else {
      draft.pods.push(pod);
    }
  }
}

/** The controllers' step: pods follow each workload's desired count and template. */
export function reconcilePods(draft: SimState, rng: Rng): void {
  draft.workloads.forEach((w, index) => {
    if (w.kind === 'DaemonSet') {
      w.desired = draft.nodes.length;
      reconcileDaemonSet(draft, index, w, rng);
    } else if (w.kind === 'StatefulSet') {
      reconcileStatefulSet(draft, index, w, rng);
    } else {
      reconcileDeployment(draft, index, w, rng);
    }
  });
}
