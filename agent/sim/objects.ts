// The sim's object store: server-side-apply-like merges by field manager, deletion and export. Pure:
// reducers mutate a draft SimState.
import type { KubeObject } from '../actions.js';
import type { SimObject, SimState } from './state.js';

/** Objects that live outside namespaces (the sim stores only these of the cluster-scoped kinds). */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'PriorityClass']);
/** Metadata the API server sets; never part of an export or an applied intent. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'ownerReferences'];
/** Export order: what other objects refer to comes first. */
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'PodDisruptionBudget'];

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function namespaceOf(obj: KubeObject): string | undefined {
  return isClusterScoped(obj.kind) ? undefined : (obj.metadata.namespace ?? 'default');
}

export function sameObject(a: KubeObject, b: KubeObject): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.metadata.name === b.metadata.name && namespaceOf(a) === namespaceOf(b);
}

export function findObject(state: SimState, apiVersion: string, kind: string, namespace: string | undefined, name: string): SimObject | undefined {
  return state.objects.find((o) => o.body.apiVersion === apiVersion && o.body.kind === kind && o.body.metadata.name === name && namespaceOf(o.body) === namespace);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object as a client would hand it back: no status, no server-set metadata. */
export function stripServerFields(obj: KubeObject): KubeObject {
  const copy = structuredClone<KubeObject>(obj);
  delete copy.status;
  for (const key of SERVER_METADATA) delete copy.metadata[key];
  const ns = namespaceOf(copy);
  if (ns === undefined) delete copy.metadata.namespace;
  else copy.metadata.namespace = ns;
  return copy;
}

/** Leaf paths of an object; lists are atomic, as with `x-kubernetes-list-type: atomic`. */
function leafPaths(value: Record<string, unknown>, prefix: string[] = [], out: string[] = []): string[] {
  for (const [k, v] of Object.entries(value)) {
    const path = [...prefix, k];
    if (isPlainObject(v) && Object.keys(v).length > 0) leafPaths(v, path, out);
    else out.push(JSON.stringify(path));
  }
  return out;
}

function deletePath(target: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !(head in target)) return;
  if (rest.length === 0) {
    delete target[head];
    return;
  }
  const child = target[head];
  if (!isPlainObject(child)) return;
  deletePath(child, rest);
  if (Object.keys(child).length === 0) delete target[head];
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    const existing = target[k];
    if (isPlainObject(v) && isPlainObject(existing) && Object.keys(v).length > 0) mergeInto(existing, v);
    else target[k] = structuredClone(v);
  }
}

export type ApplyEffect = 'created' | 'configured' | 'unchanged';

/**
 * Server-side apply with force: the manager's fields are set, fields it applied before and dropped now
 * are removed unless another manager also owns them, and other managers' fields stay.
 */
export function applyObject(draft: SimState, input: KubeObject, manager: string): ApplyEffect {
  const intent = stripServerFields(input);
  const leaves = leafPaths(intent);
  const existing = draft.objects.find((o) => sameObject(o.body, intent));
  if (!existing) {
    draft.objects.push({ body: intent, managers: { [manager]: leaves } });
    return 'created';
  }
  const before = JSON.stringify(existing.body);
  const mine = new Set(leaves);
  const othersOwn = new Set(Object.entries(existing.managers).flatMap(([m, paths]) => (m === manager ? [] : paths)));
  for (const path of existing.managers[manager] ?? []) {
    if (!mine.has(path) && !othersOwn.has(path)) deletePath(existing.body, JSON.parse(path) as string[]);
  }
  mergeInto(existing.body, intent);
  for (const [m, paths] of Object.entries(existing.managers)) if (m !== manager) existing.managers[m] = paths.filter((p) => !mine.has(p));
  existing.managers[manager] = leaves;
  return JSON.stringify(existing.body) === before ? 'unchanged' : 'configured';
}

/** Removes the matching objects; a Namespace takes everything in it along. Returns what went. */
export function deleteObjects(draft: SimState, match: (o: KubeObject) => boolean): KubeObject[] {
  const namespaces = new Set(draft.objects.filter((o) => o.body.kind === 'Namespace' && match(o.body)).map((o) => o.body.metadata.name));
  const gone: KubeObject[] = [];
  draft.objects = draft.objects.filter((o) => {
    const ns = namespaceOf(o.body);
    const remove = match(o.body) || (ns !== undefined && namespaces.has(ns));
    if (remove) gone.push(o.body);
    return !remove;
  });
  return gone;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** A namespace's objects, the Namespace first, then by kind and name: a stable export. */
export function exportNamespace(state: SimState, namespace: string): KubeObject[] | undefined {
  const ns = findObject(state, 'v1', 'Namespace', undefined, namespace);
  if (!ns) return undefined;
  const members = state.objects
    .filter((o) => namespaceOf(o.body) === namespace)
    .map((o) => o.body)
    .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
  return [ns.body, ...members].map(stripServerFields);
}
