// The Kubernetes API test server's storage: the resources it serves, objects by key with
// resourceVersions, what the API server does on every write (defaults, whole-second timestamps,
// generation, no-op detection), field ownership for managedFields, graceful deletion and events.
import { randomUUID } from 'node:crypto';
import { ApiError, clone, type Obj } from './common.js';
import { applyDefaults, GENERATION_KINDS } from './defaults.js';
import { changedPaths, fieldsV1, type FieldPath } from './patches.js';
import { matchesLabels, parseLabelSelector } from './selectors.js';
import { microTime, normaliseTimes, wholeSeconds } from './time.js';

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  subresources?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update'];
export const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['ns'] },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, verbs: ALL_VERBS, shortNames: ['no'] },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, verbs: ALL_VERBS, shortNames: ['po'], subresources: ['eviction', 'log'] },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, verbs: ALL_VERBS, shortNames: ['ev'] },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, verbs: ALL_VERBS, shortNames: ['sa'] },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ALL_VERBS, shortNames: ['cm'] },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'], shortNames: ['svc'] },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, verbs: ALL_VERBS, shortNames: ['deploy'], subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: ALL_VERBS, shortNames: ['rs'], subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true, verbs: ALL_VERBS, shortNames: ['sts'], subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true, verbs: ALL_VERBS, shortNames: ['ds'] },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, verbs: ALL_VERBS, shortNames: ['pdb'] },
];

export function groupVersion(def: ResourceDef): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

export function qualified(def: ResourceDef): string {
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

export function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.plural });
}

/** One managedFields entry: a manager's fields through one operation (and subresource). */
interface Ownership {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  paths: Set<FieldPath>;
  time: string;
}

export interface EventSpec {
  involved: Obj;
  involvedKind: string;
  involvedApiVersion: string;
  type: 'Warning' | 'Normal';
  reason: string;
  message: string;
  component: string;
  host?: string;
  /** `events`: written through events.k8s.io (eventTime, reportingComponent, no lastTimestamp), as the scheduler does; `core`: the old recorder (count, first/lastTimestamp), as the kubelet does. */
  api: 'events' | 'core';
  action?: string;
}

function ownershipKey(manager: string, operation: string, subresource: string | undefined): string {
  return JSON.stringify([manager, operation, subresource ?? '']);
}

export class Store {
  /** Per plural, objects by key. A stored object is never changed in place: every write stores a new one. */
  private objects = new Map<string, Map<string, Obj>>();
  /** Per object key: managedFields entries by (manager, operation, subresource). */
  private owners = new Map<string, Map<string, Ownership>>();
  private rv = 1000;
  private ips = 10;
  private eventSeq = 0;

  get resourceVersion(): number {
    return this.rv;
  }

  get size(): number {
    let n = 0;
    for (const m of this.objects.values()) n += m.size;
    return n;
  }

  private of(plural: string): Map<string, Obj> {
    let m = this.objects.get(plural);
    if (!m) this.objects.set(plural, (m = new Map()));
    return m;
  }

  def(plural: string): ResourceDef {
    return RESOURCES.find((r) => r.plural === plural)!;
  }

  defFor(apiVersion: string, kind: string): ResourceDef {
    const def = RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
    if (!def) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${apiVersion}, Kind=${kind})`);
    return def;
  }

  key(plural: string, namespace: string | undefined, name: string): string {
    return `${plural}/${namespace ?? ''}/${name}`;
  }

  has(plural: string, namespace: string | undefined, name: string): boolean {
    return this.of(plural).has(this.key(plural, namespace, name));
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.of(plural).get(this.key(plural, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** The stored objects themselves, for a controller that only reads them (its writes go through update). Never to be changed. */
  view(plural: string, namespace?: string): readonly Obj[] {
    const all = [...this.of(plural).values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** A stored object itself, as `view` gives it. */
  peek(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.of(plural).get(this.key(plural, namespace, name));
  }

  mustGet(def: ResourceDef, namespace: string | undefined, name: string): Obj {
    const o = this.get(def.plural, namespace, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  list(plural: string, namespace?: string, labelSelector?: string): Obj[] {
    const reqs = labelSelector ? parseLabelSelector(labelSelector) : [];
    return this.view(plural, namespace)
      .filter((o) => matchesLabels(o, reqs))
      .map((o) => clone(o));
  }

  /** Stores a typed object (kind and apiVersion pick the resource) as new, filling uid and creationTimestamp. */
  put(obj: Obj): Obj {
    const def = this.defFor(obj.apiVersion as string, obj.kind as string);
    const o = clone(obj);
    o.metadata ??= {};
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= wholeSeconds();
    this.write(def, o);
    return this.mustGet(def, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string);
  }

  /**
   * What the API server does to every object it stores: defaults, whole-second timestamps, the
   * generation (bumped by a spec change), and a write that changes nothing keeps its resourceVersion.
   * Returns whether anything changed.
   */
  write(def: ResourceDef, o: Obj): boolean {
    const key = this.key(def.plural, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string);
    const prev = this.of(def.plural).get(key);
    delete o.kind;
    delete o.apiVersion;
    delete o.metadata.managedFields;
    normaliseTimes(o);
    applyDefaults(def.kind, o, prev);
    if (def.kind === 'Service' && o.spec.type !== 'ExternalName' && o.spec.clusterIP === undefined) {
      o.spec.clusterIP = `10.96.${Math.floor(this.ips / 250)}.${(this.ips % 250) + 1}`;
      o.spec.clusterIPs = [o.spec.clusterIP];
      this.ips += 1;
    }
    if (def.kind === 'Namespace') {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      o.status ??= { phase: 'Active' };
    }
    if (GENERATION_KINDS.has(def.kind)) {
      o.metadata.generation = prev ? (prev.metadata.generation as number) + (JSON.stringify(prev.spec) !== JSON.stringify(o.spec) ? 1 : 0) : 1;
    } else delete o.metadata.generation;
    const comparable = (x: Obj): string => JSON.stringify({ ...x, metadata: { ...x.metadata, resourceVersion: undefined } });
    if (prev && comparable(prev) === comparable(o)) return false;
    o.metadata.resourceVersion = String(++this.rv);
    this.of(def.plural).set(key, o);
    return true;
  }

  /** A controller's write: the object as `mutate` leaves it, if that changed anything. */
  update(plural: string, o: Obj, mutate: (o: Obj) => void): boolean {
    const next = clone(o);
    mutate(next);
    return JSON.stringify(next) !== JSON.stringify(o) && this.write(this.def(plural), next);
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string): void {
    const key = this.key(def.plural, namespace, name);
    this.of(def.plural).delete(key);
    this.owners.delete(key);
  }

  /** The object as a client sees it: kind, apiVersion and managedFields. */
  typed(def: ResourceDef, o: Obj): Obj {
    return { kind: def.kind, apiVersion: groupVersion(def), ...this.withManagedFields(def, o) };
  }

  /** The object with its managedFields, as in a list's items (which carry no kind or apiVersion). */
  withManagedFields(def: ResourceDef, o: Obj): Obj {
    const out = clone(o);
    const owners = this.owners.get(this.key(def.plural, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string));
    const entries = [...(owners?.values() ?? [])].filter((e) => e.paths.size > 0);
    if (entries.length > 0) {
      out.metadata.managedFields = entries.map((e) => ({ manager: e.manager, operation: e.operation, apiVersion: groupVersion(def), time: e.time, fieldsType: 'FieldsV1', fieldsV1: fieldsV1(e.paths), ...(e.subresource ? { subresource: e.subresource } : {}) }));
    }
    return out;
  }

  /** The paths each other manager owns, for server-side apply's conflict detection. */
  ownersOf(def: ResourceDef, namespace: string | undefined, name: string): { manager: string; operation: string; subresource?: string; paths: Set<FieldPath> }[] {
    return [...(this.owners.get(this.key(def.plural, namespace, name))?.values() ?? [])];
  }

  /**
   * Records who owns what after a write. An Apply sets the manager's applied fields (`paths`, the
   * whole set); an Update gives the manager the fields it changed (`paths`) and takes them from
   * every other manager, as the API server's managedFields updater does. `take` lists the fields
   * an Apply forced away from other managers.
   */
  own(def: ResourceDef, o: Obj, manager: string, operation: 'Apply' | 'Update', paths: readonly FieldPath[], opts: { subresource?: string; take?: readonly FieldPath[] } = {}): void {
    const key = this.key(def.plural, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string);
    const owners = this.owners.get(key) ?? new Map<string, Ownership>();
    const id = ownershipKey(manager, operation, opts.subresource);
    const entry = owners.get(id);
    const taken = new Set(operation === 'Update' ? paths : (opts.take ?? []));
    for (const [other, e] of owners) {
      if (other === id) continue;
      for (const p of taken) e.paths.delete(p);
      if (e.paths.size === 0) owners.delete(other);
    }
    const next = operation === 'Apply' ? new Set(paths) : new Set([...(entry?.paths ?? []), ...paths]);
    const same = entry !== undefined && entry.paths.size === next.size && [...next].every((p) => entry.paths.has(p));
    if (next.size > 0) owners.set(id, { manager, operation, ...(opts.subresource ? { subresource: opts.subresource } : {}), paths: next, time: same ? entry.time : wholeSeconds() });
    else owners.delete(id);
    this.owners.set(key, owners);
  }

  /** The fields an update changed: what the updater comes to own. Status and server-set metadata are nobody's through the main resource. */
  static changedFields(prev: Obj, next: Obj): FieldPath[] {
    const strip = (o: Obj): Obj => {
      const c = clone(o);
      delete c.status;
      for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete c.metadata?.[k];
      delete c.kind;
      delete c.apiVersion;
      return c;
    };
    return changedPaths(strip(prev), strip(next));
  }

  /**
   * Deletes an object: pods and namespaces gracefully (marked, gone once the kubelet or the namespace
   * finalizer is done), anything else at once. Returns the response body.
   */
  deleteOne(def: ResourceDef, namespace: string | undefined, name: string, graceSeconds?: number): Obj {
    const cur = this.mustGet(def, namespace, name);
    if (def.kind === 'Pod' || def.kind === 'Namespace') {
      if (!cur.metadata.deletionTimestamp) {
        const grace = graceSeconds ?? (def.kind === 'Pod' ? ((cur.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30) : 0);
        cur.metadata.deletionTimestamp = wholeSeconds(Date.now() + grace * 1000);
        cur.metadata.deletionGracePeriodSeconds = grace;
        if (def.kind === 'Namespace') cur.status = { phase: 'Terminating' };
        this.write(def, cur);
      }
      return this.typed(def, this.mustGet(def, namespace, name));
    }
    this.remove(def, namespace, name);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: cur.metadata.uid } };
  }

  /**
   * Records an event about an object. The old recorder aggregates a repeat into `count` and
   * `lastTimestamp`; the events.k8s.io one leaves those empty and sets `eventTime`.
   */
  event(e: EventSpec): void {
    const ns = (e.involved.metadata.namespace as string | undefined) ?? 'default';
    const involvedObject = { kind: e.involvedKind, namespace: e.involved.metadata.namespace, name: e.involved.metadata.name, uid: e.involved.metadata.uid, apiVersion: e.involvedApiVersion, resourceVersion: e.involved.metadata.resourceVersion };
    const now = wholeSeconds();
    if (e.api === 'core') {
      const same = this.list('events', ns).find((x) => x.involvedObject?.uid === involvedObject.uid && x.reason === e.reason && x.message === e.message && x.source?.component === e.component);
      if (same) {
        this.update('events', same, (x) => {
          x.count = ((x.count as number | undefined) ?? 1) + 1;
          x.lastTimestamp = now;
        });
        return;
      }
    }
    this.eventSeq += 1;
    const name = `${String(e.involved.metadata.name)}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.eventSeq)).toString(16)}`;
    const common = { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns }, involvedObject, reason: e.reason, message: e.message, type: e.type };
    if (e.api === 'core') {
      this.put({ ...common, source: { component: e.component, ...(e.host ? { host: e.host } : {}) }, firstTimestamp: now, lastTimestamp: now, count: 1, reportingComponent: e.component, reportingInstance: e.host ?? '' });
    } else {
      this.put({ ...common, source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: microTime(), action: e.action ?? '', reportingComponent: e.component, reportingInstance: `${e.component}-flotilla-test` });
    }
  }

  /** Everything as it is now; calling the result puts it back (a dry run leaves no trace). */
  snapshot(): () => void {
    const objects = new Map([...this.objects].map(([plural, m]) => [plural, new Map(m)]));
    const owners = new Map([...this.owners].map(([k, m]) => [k, new Map([...m].map(([id, e]) => [id, { ...e, paths: new Set(e.paths) }]))]));
    const { rv, ips, eventSeq } = this;
    return () => {
      this.objects = objects;
      this.owners = owners;
      this.rv = rv;
      this.ips = ips;
      this.eventSeq = eventSeq;
    };
  }
}
