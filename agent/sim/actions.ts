// The job executors' effects on the simulated cluster, as reducers over a draft SimState. Each is
// idempotent: applied twice it leaves the state as applied once. A reducer that throws leaves the
// draft to be thrown away, so a failed action changes nothing.
import type { ActionOutcome, KubeObject } from '../actions.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobParams } from '../../core/jobs.js';
import { isDaemonPod, replacePod } from './faults.js';
import { namespaceObject, type SimNode, type SimPod, type SimState, type SimWorkload } from './state.js';
import { applyObject, deleteObjects, exportNamespace, findObject, isClusterScoped, namespaceOf, type ApplyEffect } from './objects.js';
import type { Rng } from './rng.js';
import { parseSelector } from './selector.js';
import { isReady, isWorkloadKind, parseQuantity, syncWorkloads } from './workloads.js';

export const RESTARTED_BY = 'flotilla.dev/restarted-by';
export const MANAGED_LABEL = 'flotilla.dev/managed';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function workloadObject(draft: SimState, kind: string, namespace: string, name: string): KubeObject {
  const found = findObject(draft, 'apps/v1', kind, namespace, name);
  if (!found) throw new FlotillaError('not_found', `${kind} ${namespace}/${name} does not exist on this cluster`, 'check the namespace, name and kind (Deployment or StatefulSet) against `flotilla cluster show`');
  return found.body;
}

function findNode(draft: SimState, name: string): SimNode {
  const node = draft.nodes.find((n) => n.name === name);
  if (!node) throw new FlotillaError('not_found', `node ${name} does not exist on this cluster`, 'pick a node listed by `flotilla cluster show`');
  return node;
}

export function scale(draft: SimState, p: JobParams<'scale'>): ActionOutcome {
  const obj = workloadObject(draft, p.kind, p.namespace, p.name);
  const spec = record(obj.spec);
  const previous = typeof spec.replicas === 'number' ? spec.replicas : 1;
  obj.spec = { ...spec, replicas: p.replicas };
  syncWorkloads(draft);
  const detail = previous === p.replicas ? `${p.kind} ${p.namespace}/${p.name} already wants ${p.replicas} replicas` : `scaled ${p.kind} ${p.namespace}/${p.name} from ${previous} to ${p.replicas} replicas`;
  return { detail, output: { previous, replicas: p.replicas } };
}

export function restart(draft: SimState, p: JobParams<'restart'>, jobId: string): ActionOutcome {
  const obj = workloadObject(draft, p.kind, p.namespace, p.name);
  const spec = record(obj.spec);
  const template = record(spec.template);
  const metadata = record(template.metadata);
  const annotations = record(metadata.annotations) as Record<string, string>;
  if (annotations[RESTARTED_BY] === jobId) return { detail: `${p.kind} ${p.namespace}/${p.name} was already restarted by this job`, output: { restarted: false } };
  obj.spec = { ...spec, template: { ...template, metadata: { ...metadata, annotations: { ...annotations, [RESTARTED_BY]: jobId } } } };
  syncWorkloads(draft);
  return { detail: `rolling restart of ${p.kind} ${p.namespace}/${p.name} started`, output: { restarted: true } };
}

export function setUnschedulable(draft: SimState, nodeName: string, unschedulable: boolean): ActionOutcome {
  const node = findNode(draft, nodeName);
  const changed = node.unschedulable !== unschedulable;
  node.unschedulable = unschedulable;
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  return { detail: changed ? `node ${nodeName} ${verb}` : `node ${nodeName} was already ${verb}`, output: { changed } };
}

interface Budget {
  name: string;
  namespace: string;
  /** Pods that may still go: healthy minus the budget's floor. */
  allowed: number;
  matches: (w: SimWorkload) => boolean;
}

function resolveCount(value: unknown, expected: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const share = (parseQuantity(value.slice(0, -1)) ?? 0) / 100;
    return roundUp ? Math.ceil(share * expected) : Math.floor(share * expected);
  }
  return undefined;
}

function budgets(draft: SimState, namespace: string): Budget[] {
  const out: Budget[] = [];
  for (const { body } of draft.objects) {
    if (body.kind !== 'PodDisruptionBudget' || namespaceOf(body) !== namespace) continue;
    const spec = record(body.spec);
    const matchLabels = record(record(spec.selector).matchLabels);
    const matches = (w: SimWorkload): boolean => w.namespace === namespace && Object.entries(matchLabels).every(([k, v]) => w.podLabels[k] === v);
    const covered = draft.workloads.map((w, i) => ({ w, i })).filter(({ w }) => matches(w));
    const indexes = new Set(covered.map(({ i }) => i));
    const expected = covered.reduce((sum, { w }) => sum + w.desired, 0);
    const healthy = draft.pods.filter((pod) => indexes.has(pod.workload) && isReady(pod)).length;
    const minAvailable = resolveCount(spec.minAvailable, expected, true);
    const maxUnavailable = resolveCount(spec.maxUnavailable, expected, false);
    const floor = minAvailable ?? (maxUnavailable === undefined ? 0 : expected - maxUnavailable);
    out.push({ name: body.metadata.name, namespace, allowed: healthy - floor, matches });
  }
  return out;
}

export interface DrainStep {
  evicted: string[];
  /** Evictions refused (HTTP 429 on a real API server), with the budget that refused them. */
  blocked: { pod: string; budget: string }[];
  /** Pods still on the node that a drain must move. */
  remaining: number;
}

/** Cordons the node and evicts what the PodDisruptionBudgets allow right now; DaemonSet pods stay. */
export function drainStep(draft: SimState, nodeName: string, rng: Rng): DrainStep {
  findNode(draft, nodeName).unschedulable = true;
  const step: DrainStep = { evicted: [], blocked: [], remaining: 0 };
  draft.pods.forEach((pod: SimPod, index) => {
    if (pod.node !== nodeName || isDaemonPod(draft, pod)) return;
    const workload = draft.workloads[pod.workload] as SimWorkload;
    const refusing = isReady(pod) ? budgets(draft, pod.namespace).find((b) => b.matches(workload) && b.allowed <= 0) : undefined;
    if (refusing) {
      step.blocked.push({ pod: `${pod.namespace}/${pod.name}`, budget: `${refusing.namespace}/${refusing.name}` });
      step.remaining += 1;
      return;
    }
    step.evicted.push(`${pod.namespace}/${pod.name}`);
    // The controller replaces an evicted pod at once; the scheduler places it off the cordoned node.
    replacePod(draft, index, rng);
  });
  return step;
}

function secretObject(namespace: string, name: string, data: Record<string, string>, extra: { type?: string; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    ...(extra.type ? { type: extra.type } : {}),
    data: encode(data),
  };
}

function encode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}

/** Replaces the whole of a Secret's data; the outcome names keys, never values. */
export function writeCredentials(draft: SimState, p: Omit<JobParams<'rotate-credentials'>, 'sealed'>, data: Record<string, string>, manager: string): ActionOutcome {
  const keys = Object.keys(data).sort();
  if (p.target === 'secret') {
    const secret = findObject(draft, 'v1', 'Secret', p.namespace, p.name);
    if (!secret) throw new FlotillaError('not_found', `Secret ${p.namespace}/${p.name} does not exist on this cluster`, 'create the Secret first (e.g. with an apply job), then rotate it');
    secret.body.data = encode(data);
    delete secret.body.stringData;
    secret.managers[manager] = [...new Set([...(secret.managers[manager] ?? []), JSON.stringify(['data'])])];
    return { detail: `Secret ${p.namespace}/${p.name} now holds new values for ${keys.join(', ')}`, output: { secret: p.name, keys } };
  }
  if (!findObject(draft, 'v1', 'ServiceAccount', p.namespace, p.name)) {
    throw new FlotillaError('not_found', `ServiceAccount ${p.namespace}/${p.name} does not exist on this cluster`, 'check the namespace and service-account name');
  }
  const existing = draft.objects.find((o) => o.body.kind === 'Secret' && namespaceOf(o.body) === p.namespace && o.body.type === 'kubernetes.io/service-account-token' && record(o.body.metadata.annotations)[SA_NAME_ANNOTATION] === p.name);
  const secretName = existing?.body.metadata.name ?? `${p.name}-token`;
  if (existing) existing.body.data = encode(data);
  else applyObject(draft, secretObject(p.namespace, secretName, data, { type: 'kubernetes.io/service-account-token', annotations: { [SA_NAME_ANNOTATION]: p.name } }), manager);
  return { detail: `token Secret ${p.namespace}/${secretName} of ServiceAccount ${p.name} now holds new values for ${keys.join(', ')}`, output: { secret: secretName, keys } };
}

export function exportObjects(state: SimState, namespaces: readonly string[]): KubeObject[] {
  return namespaces.flatMap((ns) => {
    const objects = exportNamespace(state, ns);
    if (!objects) throw new FlotillaError('not_found', `namespace ${ns} does not exist on this cluster`, 'back up namespaces that exist; `flotilla cluster show` lists them by workload');
    return objects;
  });
}

function checkObject(raw: KubeObject, i: number): void {
  const ok = typeof raw.apiVersion === 'string' && raw.apiVersion !== '' && typeof raw.kind === 'string' && raw.kind !== '' && typeof record(raw.metadata).name === 'string' && raw.metadata.name !== '';
  if (!ok) throw new FlotillaError('usage', `object ${i + 1} needs apiVersion, kind and metadata.name`, 'fix the manifest and submit the job again');
  if (raw.apiVersion === 'apps/v1' && isWorkloadKind(raw.kind) && record(record(raw.spec).template).spec === undefined) {
    throw new FlotillaError('usage', `${raw.kind} ${raw.metadata.name} has no spec.template.spec`, 'give the workload a pod template');
  }
}

/** Namespaces first; a namespace an object needs is created, labelled as Flotilla's for teardown. */
export function applyObjects(draft: SimState, objects: readonly KubeObject[], manager: string): ActionOutcome {
  objects.forEach(checkObject);
  const ordered = [...objects.filter((o) => o.kind === 'Namespace'), ...objects.filter((o) => o.kind !== 'Namespace')];
  const counts: Record<ApplyEffect, number> = { created: 0, configured: 0, unchanged: 0 };
  for (const obj of ordered) {
    const ns = isClusterScoped(obj.kind) ? undefined : (obj.metadata.namespace ?? 'default');
    if (ns !== undefined && !findObject(draft, 'v1', 'Namespace', undefined, ns)) applyObject(draft, namespaceObject(ns, { [MANAGED_LABEL]: 'true' }), manager);
    counts[applyObject(draft, obj, manager)] += 1;
  }
  syncWorkloads(draft);
  return { detail: `applied ${objects.length} object(s): ${counts.created} created, ${counts.configured} configured, ${counts.unchanged} unchanged`, output: { applied: objects.length, ...counts } };
}

export function cleanup(draft: SimState, p: JobParams<'cleanup'>): ActionOutcome {
  let gone: KubeObject[];
  let what: string;
  if (p.teardown) {
    gone = deleteObjects(draft, (o) => o.kind === 'Namespace' && o.metadata.labels?.[MANAGED_LABEL] === 'true');
    what = `namespaces labelled ${MANAGED_LABEL}=true`;
  } else if (p.selector !== undefined) {
    const matches = parseSelector(p.selector);
    gone = deleteObjects(draft, (o) => o.kind !== 'Namespace' && (p.namespace === undefined || namespaceOf(o) === p.namespace) && matches(o.metadata.labels));
    what = `objects matching ${p.selector}${p.namespace === undefined ? '' : ` in namespace ${p.namespace}`}`;
  } else {
    gone = deleteObjects(draft, (o) => o.kind === 'Namespace' && o.metadata.name === p.namespace);
    what = `namespace ${p.namespace ?? ''}`;
  }
  syncWorkloads(draft);
  const namespaces = gone.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const detail = gone.length === 0 ? `nothing to delete: no ${what}` : `deleted ${gone.length} object(s): ${what}`;
  return { detail, output: { deleted: gone.length, namespaces } };
}
