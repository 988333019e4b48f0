// A Kubernetes API test server: node:http answering the endpoints Flotilla's kube backend uses with the
// JSON, content types and Status objects a real API server sends, plus a small controller loop
// (deployment → replicaset → pods, statefulsets, daemonsets, scheduler, kubelet, namespace
// finalizer, garbage collector, PDB status) so a scale, a restart or an eviction is observable.
// Time is compressed: a pod becomes Ready one controller tick after it is scheduled, and a deleted pod
// is gone one tick later, whatever its grace period.
import { createHash, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml, stringify as toYaml } from 'yaml';

// Kubernetes objects here are arbitrary JSON, walked by path like the API server's unstructured code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update'];
const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'] },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, verbs: ALL_VERBS, subresources: ['eviction'] },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ALL_VERBS },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'] },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, verbs: ALL_VERBS, subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true, verbs: ALL_VERBS, subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true, verbs: ALL_VERBS, subresources: ['scale'] },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true, verbs: ALL_VERBS },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, verbs: ALL_VERBS },
];

const JSON_TYPE = 'application/json';
const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'];

function groupVersion(def: ResourceDef): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

function qualified(def: ResourceDef): string {
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
  status(): Obj {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.plural });
}

// ---- label and field selectors -------------------------------------------------------------------

type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.map((raw) => {
    const p = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((s) => s.trim());
      return op === 'in' ? (l) => l[key] !== undefined && values.includes(l[key]) : (l) => l[key] === undefined || !values.includes(l[key]);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (p.startsWith('!')) return (l) => l[p.slice(1).trim()] === undefined;
    if (/^[A-Za-z0-9_./-]+$/.test(p)) return (l) => l[p] !== undefined;
    throw new ApiError(400, 'BadRequest', `unable to parse requirement: invalid label selector "${selector}"`);
  });
}

function matchesLabels(obj: Obj, reqs: Requirement[]): boolean {
  const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
  return reqs.every((r) => r(labels));
}

function matchSelector(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const ml = (selector.matchLabels ?? {}) as Record<string, string>;
  const exprs = (selector.matchExpressions ?? []) as Obj[];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return true;
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const v = labels[e.key as string];
    const values = (e.values ?? []) as string[];
    switch (e.operator) {
      case 'In':
        return v !== undefined && values.includes(v);
      case 'NotIn':
        return v === undefined || !values.includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
      default:
        return false;
    }
  });
}

function fieldValue(obj: Obj, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur === undefined || cur === null ? '' : typeof cur === 'string' ? cur : JSON.stringify(cur);
}

function parseFieldSelector(selector: string): ((o: Obj) => boolean)[] {
  return selector
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p) => {
      const m = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(p.trim());
      if (!m) throw new ApiError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${p}'`);
      const [, path, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (o: Obj) => fieldValue(o, path) !== value : (o: Obj) => fieldValue(o, path) === value;
    });
}

// ---- patches -------------------------------------------------------------------------------------

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge for the lists Flotilla touches: lists of objects keyed by `name` (containers, env, ports, volumes) merge by that key. */
function strategicMerge(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target) && patch.every((p) => isPlainObject(p) && typeof p.name === 'string')) {
    const out = clone(target) as unknown[];
    for (const item of patch as Obj[]) {
      const i = out.findIndex((t) => isPlainObject(t) && t.name === item.name);
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(clone(item));
    }
    return out;
  }
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function jsonPatch(doc: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'the body of a json patch must be an array of operations');
  const out = clone(doc);
  for (const op of ops as Obj[]) {
    const segs = pointer(String(op.path));
    const last = segs.pop();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let parent: any = out;
    for (const s of segs) parent = parent?.[Array.isArray(parent) ? Number(s) : s];
    if (last === undefined || parent === undefined || parent === null) throw new ApiError(422, 'Invalid', `doc is missing path: "${String(op.path)}"`);
    const key = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(key as number, 0, clone(op.value));
        else parent[key] = clone(op.value);
        break;
      case 'replace':
        if (parent[key] === undefined) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${String(op.path)}`);
        parent[key] = clone(op.value);
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'test':
        if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) throw new ApiError(422, 'Invalid', `testing value ${String(op.path)} failed`);
        break;
      default:
        throw new ApiError(400, 'BadRequest', `unsupported json patch operation "${String(op.op)}"`);
    }
  }
  return out;
}

/** Leaf paths of an applied configuration (arrays count as one field, as atomic lists do). */
function leafPaths(v: unknown, prefix = ''): string[] {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return [prefix];
  return Object.entries(v).flatMap(([k, child]) => leafPaths(child, prefix === '' ? k : `${prefix}.${k}`));
}

function getPath(o: Obj, path: string): unknown {
  let cur: unknown = o;
  for (const seg of path.split('.')) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur;
}

function deletePath(o: Obj, path: string): void {
  const segs = path.split('.');
  const last = segs.pop()!;
  let cur: unknown = o;
  for (const seg of segs) cur = isPlainObject(cur) ? cur[seg] : undefined;
  if (isPlainObject(cur)) delete cur[last];
}

function fieldsV1(paths: string[]): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p.split('.')) cur = (cur[`f:${seg}`] ??= {}) as Obj;
  }
  return root;
}

// ---- the server ----------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
  status: number;
}

export interface KubeApiServerOptions {
  /** Controller loop period; every tick moves pods one step. */
  tickMs?: number;
  /** Serve metrics.k8s.io node metrics (usage = the requests of the pods on each node). */
  metricsServer?: boolean;
  tls?: { key: string; cert: string };
  gitVersion?: string;
}

export interface DenyRule {
  verb: string;
  /** Plural, or plural/subresource (e.g. "pods/eviction"). */
  resource: string;
  namespace?: string;
}

export const TEST_TOKEN = 'flotilla-test-token';
export const TEST_USER = 'system:serviceaccount:flotilla:agent';

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Obj>();
  /** Per object key: field manager → the leaf paths it owns. */
  private readonly owners = new Map<string, Map<string, { operation: string; paths: Set<string> }>>();
  private readonly denies: DenyRule[] = [];
  private rv = 1000;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private port = 0;
  private kubeletPaused = false;

  constructor(private readonly opts: KubeApiServerOptions = {}) {}

  get url(): string {
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.handle(req, res);
    };
    this.server = this.opts.tls ? createHttpsServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 20);
    return this;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A kubeconfig for this server with the given context name (the token is the only credential accepted). */
  kubeconfig(context = 'flotilla-test'): string {
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain HTTP unless TLS verification is explicitly skipped.
      clusters: [{ name: 'test', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'agent', user: { token: TEST_TOKEN } }],
      contexts: [
        { name: context, context: { cluster: 'test', user: 'agent' } },
        { name: 'wrong', context: { cluster: 'test', user: 'nobody' } },
      ],
      'current-context': 'wrong',
    });
  }

  /** Answer 403 Forbidden, as RBAC would, for a verb on a resource. */
  deny(rule: DenyRule): void {
    this.denies.push(rule);
  }

  /** While paused, scheduled pods stay Pending: a test can hold a PodDisruptionBudget at its limit without racing the controllers. */
  pauseKubelet(paused = true): void {
    this.kubeletPaused = paused;
  }

  allowAll(): void {
    this.denies.length = 0;
  }

  /** Stores an object as given (kind and apiVersion pick the resource); fills uid, resourceVersion and creationTimestamp. */
  put(obj: Obj): Obj {
    const def = this.defFor(obj.apiVersion as string, obj.kind as string);
    const o = clone(obj);
    o.metadata ??= {};
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= new Date().toISOString();
    if (def.kind === 'Namespace') {
      o.status ??= { phase: 'Active' };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    }
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(def.kind)) o.metadata.generation ??= 1;
    this.write(def, o);
    return clone(o);
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.objects.get(this.key(plural, namespace, name));
    return o ? clone(o) : undefined;
  }

  list(plural: string, namespace?: string, labelSelector?: string): Obj[] {
    const reqs = labelSelector ? parseLabelSelector(labelSelector) : [];
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(`${plural}/`) && (namespace === undefined || o.metadata.namespace === namespace) && matchesLabels(o, reqs))
      .map(([, o]) => clone(o));
  }

  /** Runs controller ticks until nothing changes (or a bound is hit): the cluster has converged. */
  settle(maxTicks = 100): void {
    for (let i = 0; i < maxTicks; i++) if (!this.tick()) return;
  }

  // ---- storage ----

  private key(plural: string, namespace: string | undefined, name: string): string {
    return `${plural}/${namespace ?? ''}/${name}`;
  }

  private defFor(apiVersion: string, kind: string): ResourceDef {
    const def = RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
    if (!def) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${apiVersion}, Kind=${kind})`);
    return def;
  }

  private write(def: ResourceDef, o: Obj): void {
    const key = this.key(def.plural, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string);
    const prev = this.objects.get(key);
    if (def.kind === 'Namespace') o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    const same = (a: Obj, b: Obj): boolean => JSON.stringify({ ...a, kind: undefined, apiVersion: undefined, metadata: { ...a.metadata, resourceVersion: undefined } }) === JSON.stringify({ ...b, kind: undefined, apiVersion: undefined, metadata: { ...b.metadata, resourceVersion: undefined } });
    // A write that changes nothing keeps the resourceVersion, as the API server's no-op detection does.
    if (prev && same(prev, o)) return;
    if (prev && prev.spec !== undefined && JSON.stringify(prev.spec) !== JSON.stringify(o.spec) && o.metadata.generation !== undefined) o.metadata.generation = (prev.metadata.generation as number) + 1;
    o.metadata.resourceVersion = String(++this.rv);
    delete o.kind;
    delete o.apiVersion;
    this.objects.set(key, o);
  }

  private remove(def: ResourceDef, namespace: string | undefined, name: string): void {
    const key = this.key(def.plural, namespace, name);
    this.objects.delete(key);
    this.owners.delete(key);
  }

  private typed(def: ResourceDef, o: Obj): Obj {
    const out: Obj = { kind: def.kind, apiVersion: groupVersion(def), ...clone(o) };
    const owners = this.owners.get(this.key(def.plural, o.metadata.namespace as string | undefined, o.metadata.name as string));
    if (owners) {
      out.metadata.managedFields = [...owners.entries()].map(([manager, m]) => ({ manager, operation: m.operation, apiVersion: groupVersion(def), time: new Date().toISOString(), fieldsType: 'FieldsV1', fieldsV1: fieldsV1([...m.paths]) }));
    }
    return out;
  }

  // ---- http ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    let status = 500;
    let body: unknown;
    let parsed: unknown;
    try {
      if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      if (raw !== '') {
        try {
          parsed = contentType === 'application/apply-patch+yaml' ? parseYaml(raw) : JSON.parse(raw);
        } catch (e) {
          throw new ApiError(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`);
        }
      }
      [status, body] = this.route(req.method ?? 'GET', url.pathname, query, contentType, parsed);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      status = err.code;
      body = err.status();
    }
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, contentType, body: parsed, status });
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-cache, private' });
    res.end(JSON.stringify(body));
  }

  private route(method: string, path: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, unknown] {
    if (method === 'GET' && path === '/version') {
      return [200, { major: '1', minor: '31', gitVersion: this.opts.gitVersion ?? 'v1.31.4', gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b', gitTreeState: 'clean', buildDate: '2024-12-10T11:36:45Z', goVersion: 'go1.22.9', compiler: 'gc', platform: 'linux/amd64' }];
    }
    if (method === 'GET' && path === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] }];
    if (method === 'GET' && path === '/apis') {
      const groups = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))];
      return [200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })) }];
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/(.*))?$/.exec(path);
    if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const group = m[2] ?? '';
    const version = m[1] ?? m[3] ?? '';
    const rest = (m[4] ?? '').split('/').filter((s) => s !== '');
    if (group === 'metrics.k8s.io' && this.opts.metricsServer !== false && method === 'GET' && rest.join('/') === 'nodes') return [200, this.nodeMetrics()];
    const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (defs.length === 0) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      return [200, this.discovery(group, version, defs)];
    }
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    let sub: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      [, namespace, plural, name, sub] = rest as [string, string, string, string?, string?];
    } else {
      [plural, name, sub] = rest as [string, string?, string?];
    }
    const def = defs.find((d) => d.plural === plural);
    if (!def || (namespace !== undefined && !def.namespaced)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const verb = this.verbOf(method, name, sub);
    this.authorize(verb, def, sub, namespace, name);
    if (sub !== undefined) return this.subresource(method, def, namespace, name!, sub, query, contentType, body);
    if (name === undefined) {
      if (method === 'GET') {
        if (query.watch === 'true' || query.watch === '1') throw new ApiError(405, 'MethodNotAllowed', 'watch is not served by this test server');
        return [200, this.listResponse(def, namespace, query)];
      }
      if (method === 'POST') return [201, this.typed(def, this.create(def, namespace, body, query))];
      if (method === 'DELETE') return [200, this.deleteCollection(def, namespace, query)];
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    switch (method) {
      case 'GET':
        return [200, this.typed(def, this.mustGet(def, namespace, name))];
      case 'PUT':
        return [200, this.typed(def, this.replace(def, namespace, name, body))];
      case 'PATCH':
        return this.patch(def, namespace, name, query, contentType, body);
      case 'DELETE':
        return [200, this.deleteOne(def, namespace, name, query, body)];
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private verbOf(method: string, name: string | undefined, sub: string | undefined): string {
    if (sub === 'eviction') return 'create';
    switch (method) {
      case 'GET':
        return name === undefined ? 'list' : 'get';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      default:
        return name === undefined ? 'deletecollection' : 'delete';
    }
  }

  private authorize(verb: string, def: ResourceDef, sub: string | undefined, namespace: string | undefined, name: string | undefined): void {
    const resource = sub ? `${def.plural}/${sub}` : def.plural;
    const denied = this.denies.some((d) => d.verb === verb && d.resource === resource && (d.namespace === undefined || d.namespace === namespace));
    if (!denied) return;
    const what = name ? `${qualified(def)} "${name}" is forbidden` : `${qualified(def)} is forbidden`;
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw new ApiError(403, 'Forbidden', `${what}: User "${TEST_USER}" cannot ${verb} resource "${resource}" in API group "${def.group}" ${scope}`, { ...(name ? { name } : {}), group: def.group, kind: def.plural });
  }

  private discovery(group: string, version: string, defs: ResourceDef[]): Obj {
    const resources = defs.flatMap((d) => [
      { name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs: d.verbs },
      ...(d.subresources ?? []).map((s) => ({ name: `${d.plural}/${s}`, singularName: '', namespaced: true, group: s === 'eviction' ? 'policy' : s === 'scale' ? 'autoscaling' : undefined, version: 'v1', kind: s === 'eviction' ? 'Eviction' : 'Scale', verbs: s === 'eviction' ? ['create'] : ['get', 'patch', 'update'] })),
    ]);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
  }

  private select(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj[] {
    const labels = query.labelSelector ? parseLabelSelector(query.labelSelector) : [];
    const fields = query.fieldSelector ? parseFieldSelector(query.fieldSelector) : [];
    return this.list(def.plural, namespace)
      .filter((o) => matchesLabels(o, labels) && fields.every((f) => f(o)))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }

  private listResponse(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj {
    // Items of a typed list carry no kind or apiVersion, as a real API server sends them.
    return { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: String(this.rv) }, items: this.select(def, namespace, query) };
  }

  private mustGet(def: ResourceDef, namespace: string | undefined, name: string): Obj {
    const o = this.objects.get(this.key(def.plural, namespace, name));
    if (!o) throw notFound(def, name);
    return clone(o);
  }

  private checkBody(def: ResourceDef, namespace: string | undefined, name: string | undefined, body: unknown): Obj {
    if (!isPlainObject(body) || !isPlainObject(body.metadata)) throw new ApiError(400, 'BadRequest', 'the body of the request must be an object with metadata');
    if (body.kind !== undefined && body.kind !== def.kind) throw new ApiError(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${groupVersion(def)})`);
    if (name !== undefined && body.metadata.name !== undefined && body.metadata.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    if (def.namespaced && body.metadata.namespace !== undefined && body.metadata.namespace !== namespace) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    const o = clone(body);
    if (name !== undefined) o.metadata.name = name;
    if (def.namespaced) o.metadata.namespace = namespace;
    this.validate(def, o);
    return o;
  }

  private validate(def: ResourceDef, o: Obj): void {
    if (def.kind === 'Secret') {
      if (isPlainObject(o.stringData)) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
      for (const [k, v] of Object.entries((o.data ?? {}) as Obj)) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
          throw new ApiError(422, 'Invalid', `Secret "${String(o.metadata.name)}" is invalid: data[${k}]: Invalid value: illegal base64 data`);
        }
      }
    }
    if (typeof o.metadata.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.metadata.name)) {
      throw new ApiError(422, 'Invalid', `${def.kind} "${String(o.metadata.name)}" is invalid: metadata.name: Invalid value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
    }
  }

  private requireNamespace(def: ResourceDef, namespace: string | undefined): void {
    if (!def.namespaced) return;
    const ns = this.objects.get(this.key('namespaces', undefined, namespace!));
    if (!ns) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.status?.phase === 'Terminating') throw new ApiError(403, 'Forbidden', `${def.plural} "x" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
  }

  private create(def: ResourceDef, namespace: string | undefined, body: unknown, query: Record<string, string>): Obj {
    const o = this.checkBody(def, namespace, undefined, body);
    this.requireNamespace(def, namespace);
    if (this.objects.has(this.key(def.plural, namespace, o.metadata.name as string))) {
      throw new ApiError(409, 'AlreadyExists', `${qualified(def)} "${String(o.metadata.name)}" already exists`, { name: o.metadata.name, group: def.group, kind: def.plural });
    }
    delete o.metadata.resourceVersion;
    const created = this.put({ ...o, kind: def.kind, apiVersion: groupVersion(def) });
    this.own(def, created, query.fieldManager ?? 'unknown', 'Update', leafPaths(body));
    return this.mustGet(def, namespace, created.metadata.name as string);
  }

  private replace(def: ResourceDef, namespace: string | undefined, name: string, body: unknown): Obj {
    const cur = this.mustGet(def, namespace, name);
    const o = this.checkBody(def, namespace, name, body);
    if (o.metadata.resourceVersion !== undefined && o.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: def.group, kind: def.plural });
    }
    o.metadata.uid = cur.metadata.uid;
    o.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    if (cur.metadata.generation !== undefined) o.metadata.generation = cur.metadata.generation;
    if (cur.status !== undefined && def.kind !== 'Node') o.status = cur.status;
    this.write(def, o);
    return this.mustGet(def, namespace, name);
  }

  private patch(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, Obj] {
    if (!contentType || !PATCH_TYPES.includes(contentType)) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
    }
    if (contentType === 'application/apply-patch+yaml') return this.apply(def, namespace, name, query, body);
    const cur = this.mustGet(def, namespace, name);
    const next = this.applyPatch(cur, contentType, body);
    const o = this.checkBody(def, namespace, name, next);
    o.metadata.uid = cur.metadata.uid;
    this.write(def, o);
    this.own(def, o, query.fieldManager ?? 'unknown', 'Update', contentType === 'application/json-patch+json' ? [] : leafPaths(body));
    return [200, this.typed(def, this.mustGet(def, namespace, name))];
  }

  private applyPatch(cur: Obj, contentType: string, body: unknown): Obj {
    if (contentType === 'application/json-patch+json') return jsonPatch(cur, body);
    if (!isPlainObject(body)) throw new ApiError(400, 'BadRequest', 'the body of a merge patch must be an object');
    return (contentType === 'application/strategic-merge-patch+json' ? strategicMerge(cur, body) : mergePatch(cur, body)) as Obj;
  }

  /** Server-side apply: creates or merges, tracks which manager owns which field, and refuses (409) to take a field another manager set differently unless forced. */
  private apply(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, body: unknown): [number, Obj] {
    const manager = query.fieldManager;
    if (!manager) throw new ApiError(400, 'BadRequest', 'PATCH /apply: fieldManager is required for apply patch');
    if (!isPlainObject(body) || body.apiVersion !== groupVersion(def) || body.kind !== def.kind) {
      throw new ApiError(400, 'BadRequest', `apply patch must name apiVersion ${groupVersion(def)} and kind ${def.kind}`);
    }
    const applied = clone(body);
    delete applied.status;
    const paths = leafPaths(applied).filter((p) => !['apiVersion', 'kind', 'metadata.name', 'metadata.namespace'].includes(p));
    const key = this.key(def.plural, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) {
      this.requireNamespace(def, namespace);
      const o = this.checkBody(def, namespace, name, applied);
      const created = this.put({ ...o, kind: def.kind, apiVersion: groupVersion(def) });
      this.own(def, created, manager, 'Apply', paths);
      return [201, this.typed(def, this.mustGet(def, namespace, name))];
    }
    const owners = this.owners.get(key) ?? new Map<string, { operation: string; paths: Set<string> }>();
    const force = query.force === 'true';
    const conflicts: Obj[] = [];
    for (const [other, owned] of owners) {
      if (other === manager) continue;
      for (const p of paths) {
        if (owned.paths.has(p) && JSON.stringify(getPath(existing, p)) !== JSON.stringify(getPath(applied, p))) {
          if (force) owned.paths.delete(p);
          else conflicts.push({ type: 'FieldManagerConflict', message: `conflict with "${other}": .${p}`, field: `.${p}` });
        }
      }
    }
    if (conflicts.length > 0) {
      throw new ApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((c) => String(c.message)).join(', ')}`, { causes: conflicts });
    }
    let next = mergePatch(existing, applied) as Obj;
    const mine = owners.get(manager);
    if (mine) {
      for (const p of mine.paths) {
        const ownedByOther = [...owners.entries()].some(([m, o]) => m !== manager && o.paths.has(p));
        if (!paths.includes(p) && !ownedByOther) deletePath(next, p);
      }
    }
    next = this.checkBody(def, namespace, name, next);
    next.metadata.uid = existing.metadata.uid;
    this.write(def, next);
    this.own(def, next, manager, 'Apply', paths, true);
    return [200, this.typed(def, this.mustGet(def, namespace, name))];
  }

  private own(def: ResourceDef, o: Obj, manager: string, operation: string, paths: string[], replace = false): void {
    const key = this.key(def.plural, def.namespaced ? (o.metadata.namespace as string) : undefined, o.metadata.name as string);
    const owners = this.owners.get(key) ?? new Map<string, { operation: string; paths: Set<string> }>();
    const entry = owners.get(manager);
    const set = replace || !entry ? new Set<string>() : entry.paths;
    for (const p of paths) if (p !== '' && !['apiVersion', 'kind', 'metadata.name', 'metadata.namespace'].includes(p)) set.add(p);
    owners.set(manager, { operation, paths: set });
    this.owners.set(key, owners);
  }

  private deleteOne(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, body: unknown): Obj {
    const cur = this.mustGet(def, namespace, name);
    const grace = Number(query.gracePeriodSeconds ?? (isPlainObject(body) ? body.gracePeriodSeconds : undefined) ?? (def.kind === 'Pod' ? (cur.spec?.terminationGracePeriodSeconds ?? 30) : 0));
    if (def.kind === 'Pod' || def.kind === 'Namespace') {
      // Graceful: the object stays, marked, until the kubelet or the namespace finalizer is done.
      if (!cur.metadata.deletionTimestamp) {
        cur.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString();
        cur.metadata.deletionGracePeriodSeconds = grace;
        if (def.kind === 'Namespace') cur.status = { phase: 'Terminating' };
        this.write(def, cur);
      }
      return this.typed(def, this.mustGet(def, namespace, name));
    }
    this.remove(def, namespace, name);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: cur.metadata.uid } };
  }

  private deleteCollection(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj {
    const items = this.select(def, namespace, query);
    for (const o of items) this.deleteOne(def, o.metadata.namespace as string | undefined, o.metadata.name as string, query, undefined);
    return { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: String(this.rv) }, items };
  }

  private subresource(method: string, def: ResourceDef, namespace: string | undefined, name: string, sub: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, Obj] {
    if (sub === 'eviction' && def.kind === 'Pod' && method === 'POST') return this.evict(namespace!, name, body);
    if (sub === 'scale' && def.subresources?.includes('scale')) {
      const cur = this.mustGet(def, namespace, name);
      const scale = (o: Obj): Obj => ({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name, namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
        spec: { replicas: o.spec?.replicas ?? 1 },
        status: { replicas: o.status?.replicas ?? 0, selector: Object.entries((o.spec?.selector?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') },
      });
      if (method === 'GET') return [200, scale(cur)];
      let next: Obj;
      if (method === 'PATCH') {
        if (!contentType || !PATCH_TYPES.slice(0, 3).includes(contentType)) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.slice(0, 3).join(', ')}`);
        next = this.applyPatch(scale(cur), contentType, body);
      } else if (method === 'PUT') next = body as Obj;
      else throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const replicas = next?.spec?.replicas as unknown;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0`);
      cur.spec.replicas = replicas;
      this.write(def, cur);
      this.own(def, cur, query.fieldManager ?? 'unknown', 'Update', ['spec.replicas']);
      return [200, scale(this.mustGet(def, namespace, name))];
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  private evict(namespace: string, name: string, body: unknown): [number, Obj] {
    if (!isPlainObject(body) || body.kind !== 'Eviction' || !['policy/v1', 'policy/v1beta1'].includes(body.apiVersion as string)) {
      throw new ApiError(400, 'BadRequest', 'the body of an eviction must be a policy/v1 Eviction');
    }
    const podDef = RESOURCES.find((r) => r.plural === 'pods')!;
    const pod = this.mustGet(podDef, namespace, name);
    const success: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    if (pod.metadata.deletionTimestamp) return [201, success];
    const labels = (pod.metadata.labels ?? {}) as Record<string, string>;
    const pdbs = this.list('poddisruptionbudgets', namespace).filter((p) => matchSelector(p.spec?.selector as Obj, labels));
    if (pdbs.length > 1) throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = pdbs[0];
    if (pdb && this.isHealthy(pod)) {
      const b = this.budget(pdb);
      if (b.healthy - 1 < b.desiredHealthy) {
        throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${String(pdb.metadata.name)} needs ${b.desiredHealthy} healthy pods and has ${b.healthy} currently` }],
        });
      }
    }
    const grace = isPlainObject(body.deleteOptions) && typeof body.deleteOptions.gracePeriodSeconds === 'number' ? String(body.deleteOptions.gracePeriodSeconds) : undefined;
    this.deleteOne(podDef, namespace, name, grace === undefined ? {} : { gracePeriodSeconds: grace }, undefined);
    return [201, success];
  }

  private isHealthy(pod: Obj): boolean {
    return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && ((pod.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True');
  }

  private budget(pdb: Obj): { healthy: number; desiredHealthy: number; expected: number } {
    const ns = pdb.metadata.namespace as string;
    const pods = this.list('pods', ns).filter((p) => matchSelector(pdb.spec?.selector as Obj, (p.metadata.labels ?? {}) as Record<string, string>));
    const healthy = pods.filter((p) => this.isHealthy(p)).length;
    const expected = this.list('deployments', ns)
      .concat(this.list('statefulsets', ns))
      .filter((w) => matchSelector(pdb.spec?.selector as Obj, (w.spec?.template?.metadata?.labels ?? {}) as Record<string, string>))
      .reduce((n, w) => n + ((w.spec?.replicas as number | undefined) ?? 1), 0);
    const resolve = (v: unknown): number => (typeof v === 'string' && v.endsWith('%') ? Math.ceil((Number(v.slice(0, -1)) / 100) * expected) : Number(v));
    const desiredHealthy = pdb.spec?.minAvailable !== undefined ? resolve(pdb.spec.minAvailable) : pdb.spec?.maxUnavailable !== undefined ? Math.max(0, expected - resolve(pdb.spec.maxUnavailable)) : 0;
    return { healthy, desiredHealthy, expected };
  }

  private nodeMetrics(): Obj {
    const items = this.list('nodes').map((n) => {
      let cpu = 0;
      let mem = 0;
      for (const p of this.list('pods').filter((p) => p.spec?.nodeName === n.metadata.name && p.status?.phase === 'Running')) {
        for (const c of (p.spec?.containers ?? []) as Obj[]) {
          cpu += parseCpu(c.resources?.requests?.cpu as string | undefined);
          mem += parseMem(c.resources?.requests?.memory as string | undefined);
        }
      }
      return { metadata: { name: n.metadata.name, creationTimestamp: new Date().toISOString() }, timestamp: new Date().toISOString(), window: '20s', usage: { cpu: `${cpu}m`, memory: `${Math.round(mem / 1024)}Ki` } };
    });
    return { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items };
  }

  // ---- controllers ----

  /** One pass of every controller; returns whether anything changed. */
  tick(): boolean {
    const before = this.rv;
    const count = this.objects.size;
    this.finishDeletions();
    this.collectGarbage();
    for (const d of this.list('deployments')) this.reconcileDeployment(d);
    for (const rs of this.list('replicasets')) this.reconcileReplicaSet(rs);
    for (const s of this.list('statefulsets')) this.reconcileStatefulSet(s);
    for (const ds of this.list('daemonsets')) this.reconcileDaemonSet(ds);
    this.schedule();
    this.runKubelet();
    for (const d of this.list('deployments')) this.deploymentStatus(d);
    for (const p of this.list('poddisruptionbudgets')) this.pdbStatus(p);
    return this.rv !== before || this.objects.size !== count;
  }

  private def(plural: string): ResourceDef {
    return RESOURCES.find((r) => r.plural === plural)!;
  }

  private update(plural: string, o: Obj, mutate: (o: Obj) => void): void {
    const next = clone(o);
    mutate(next);
    if (JSON.stringify(next) !== JSON.stringify(o)) this.write(this.def(plural), next);
  }

  private finishDeletions(): void {
    for (const p of this.list('pods').filter((p) => p.metadata.deletionTimestamp)) this.remove(this.def('pods'), p.metadata.namespace as string, p.metadata.name as string);
    for (const ns of this.list('namespaces').filter((n) => n.metadata.deletionTimestamp)) {
      const name = ns.metadata.name as string;
      for (const def of RESOURCES.filter((r) => r.namespaced)) for (const o of this.list(def.plural, name)) this.remove(def, name, o.metadata.name as string);
      this.remove(this.def('namespaces'), undefined, name);
    }
  }

  private collectGarbage(): void {
    const uids = new Set<string>();
    for (const o of this.objects.values()) uids.add(o.metadata.uid as string);
    for (const def of RESOURCES.filter((r) => r.namespaced)) {
      for (const o of this.list(def.plural)) {
        const refs = (o.metadata.ownerReferences ?? []) as Obj[];
        if (refs.length > 0 && refs.every((r) => !uids.has(r.uid as string))) this.remove(def, o.metadata.namespace as string, o.metadata.name as string);
      }
    }
  }

  private ownerRef(kind: string, owner: Obj): Obj {
    return { apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
  }

  private ownedBy(plural: string, owner: Obj): Obj[] {
    return this.list(plural, owner.metadata.namespace as string).filter((o) => ((o.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.uid === owner.metadata.uid));
  }

  private newPod(owner: Obj, kind: string, name: string, template: Obj, extraLabels: Record<string, string>, nodeName?: string): void {
    this.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: owner.metadata.namespace, labels: { ...(template.metadata?.labels ?? {}), ...extraLabels }, annotations: template.metadata?.annotations, ownerReferences: [this.ownerRef(kind, owner)] },
      spec: { ...clone(template.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: nodeName ? 'True' : 'False' }] },
    });
  }

  private reconcileDeployment(d: Obj): void {
    const hash = createHash('sha256').update(JSON.stringify(d.spec?.template ?? {})).digest('hex').slice(0, 10);
    const desired = (d.spec?.replicas as number | undefined) ?? 1;
    const sets = this.ownedBy('replicasets', d);
    let current = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (!current) {
      const template = clone(d.spec.template as Obj);
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
      current = this.put({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${String(d.metadata.name)}-${hash}`, namespace: d.metadata.namespace, labels: { ...(template.metadata.labels as Obj) }, ownerReferences: [this.ownerRef('Deployment', d)] },
        spec: { replicas: 0, selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } }, template },
      });
    }
    // Rolling update: the new set grows to the full count, old sets shrink as new pods become ready.
    const newReady = this.ownedBy('pods', current).filter((p) => this.isHealthy(p)).length;
    this.update('replicasets', current, (rs) => (rs.spec.replicas = desired));
    let oldBudget = Math.max(0, desired - newReady);
    for (const rs of sets.filter((s) => s.metadata.uid !== current.metadata.uid)) {
      const keep = Math.min((rs.spec.replicas as number) ?? 0, oldBudget);
      oldBudget -= keep;
      this.update('replicasets', rs, (o) => (o.spec.replicas = keep));
    }
  }

  private reconcileReplicaSet(rs: Obj): void {
    const pods = this.ownedBy('pods', rs).filter((p) => !p.metadata.deletionTimestamp);
    const desired = (rs.spec?.replicas as number | undefined) ?? 1;
    for (let i = pods.length; i < desired; i++) this.newPod(rs, 'ReplicaSet', `${String(rs.metadata.name)}-${randomUUID().slice(0, 5)}`, rs.spec.template as Obj, {});
    const extra = pods.sort((a, b) => Number(this.isHealthy(a)) - Number(this.isHealthy(b))).slice(0, Math.max(0, pods.length - desired));
    for (const p of extra) this.deleteOne(this.def('pods'), p.metadata.namespace as string, p.metadata.name as string, {}, undefined);
    const all = this.ownedBy('pods', rs).filter((p) => !p.metadata.deletionTimestamp);
    this.update('replicasets', rs, (o) => (o.status = { replicas: all.length, readyReplicas: all.filter((p) => this.isHealthy(p)).length, availableReplicas: all.filter((p) => this.isHealthy(p)).length, observedGeneration: o.metadata.generation }));
  }

  private reconcileStatefulSet(s: Obj): void {
    const revision = `${String(s.metadata.name)}-${createHash('sha256').update(JSON.stringify(s.spec?.template ?? {})).digest('hex').slice(0, 10)}`;
    const desired = (s.spec?.replicas as number | undefined) ?? 1;
    const pods = this.ownedBy('pods', s);
    const ns = s.metadata.namespace as string;
    // Ordered: ordinals below `replicas` exist, higher ones go, one outdated pod is replaced at a time once all are ready.
    for (let i = 0; i < desired; i++) {
      const name = `${String(s.metadata.name)}-${i}`;
      if (!this.objects.has(this.key('pods', ns, name))) this.newPod(s, 'StatefulSet', name, s.spec.template as Obj, { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name });
    }
    for (const p of pods) {
      const ordinal = Number(String(p.metadata.name).slice(String(s.metadata.name).length + 1));
      if (ordinal >= desired && !p.metadata.deletionTimestamp) this.deleteOne(this.def('pods'), ns, p.metadata.name as string, {}, undefined);
    }
    const live = this.ownedBy('pods', s).filter((p) => !p.metadata.deletionTimestamp);
    if (live.length === desired && live.every((p) => this.isHealthy(p))) {
      const outdated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision).sort((a, b) => String(b.metadata.name).localeCompare(String(a.metadata.name)))[0];
      if (outdated) this.deleteOne(this.def('pods'), ns, outdated.metadata.name as string, {}, undefined);
    }
    const ready = live.filter((p) => this.isHealthy(p)).length;
    this.update('statefulsets', s, (o) => (o.status = { replicas: live.length, readyReplicas: ready, availableReplicas: ready, currentReplicas: live.length, updatedReplicas: live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length, observedGeneration: o.metadata.generation }));
  }

  private reconcileDaemonSet(ds: Obj): void {
    const nodes = this.list('nodes');
    const pods = this.ownedBy('pods', ds);
    for (const n of nodes) {
      if (!pods.some((p) => p.spec?.nodeName === n.metadata.name)) this.newPod(ds, 'DaemonSet', `${String(ds.metadata.name)}-${String(n.metadata.name)}`, ds.spec.template as Obj, {}, n.metadata.name as string);
    }
    const live = this.ownedBy('pods', ds).filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter((p) => this.isHealthy(p)).length;
    this.update('daemonsets', ds, (o) => (o.status = { desiredNumberScheduled: nodes.length, currentNumberScheduled: live.length, numberReady: ready, numberAvailable: ready, numberMisscheduled: 0, observedGeneration: o.metadata.generation }));
  }

  private schedule(): void {
    const usable = this.list('nodes').filter((n) => !n.spec?.unschedulable && ((n.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True'));
    const pods = this.list('pods');
    for (const p of pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp)) {
      const load = (n: Obj): number => pods.filter((q) => q.spec?.nodeName === n.metadata.name && !q.metadata.deletionTimestamp).length;
      const selector = (p.spec?.nodeSelector ?? {}) as Record<string, string>;
      const node = usable.filter((n) => Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v)).sort((a, b) => load(a) - load(b) || String(a.metadata.name).localeCompare(String(b.metadata.name)))[0];
      this.update('pods', p, (o) => {
        if (node) {
          o.spec.nodeName = node.metadata.name;
          o.status.conditions = [{ type: 'PodScheduled', status: 'True' }];
          p.spec.nodeName = node.metadata.name;
        } else {
          o.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `0/${this.list('nodes').length} nodes are available: ${this.list('nodes').length} node(s) were unschedulable.` }];
        }
      });
    }
  }

  /** Starts scheduled pods (those it created, with no container statuses yet): Pending → Running and Ready. */
  private runKubelet(): void {
    if (this.kubeletPaused) return;
    for (const p of this.list('pods').filter((p) => p.spec?.nodeName && p.status?.phase === 'Pending' && !p.status?.containerStatuses && !p.metadata.deletionTimestamp)) {
      const now = new Date().toISOString();
      this.update('pods', p, (o) => {
        o.status = {
          phase: 'Running',
          podIP: `10.244.0.${this.rv % 250}`,
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Initialized', status: 'True', lastTransitionTime: now },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
          ],
          containerStatuses: ((o.spec.containers ?? []) as Obj[]).map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
        };
      });
    }
  }

  private deploymentStatus(d: Obj): void {
    const sets = this.ownedBy('replicasets', d);
    const pods = sets.flatMap((rs) => this.ownedBy('pods', rs)).filter((p) => !p.metadata.deletionTimestamp);
    const hash = createHash('sha256').update(JSON.stringify(d.spec?.template ?? {})).digest('hex').slice(0, 10);
    const ready = pods.filter((p) => this.isHealthy(p)).length;
    this.update('deployments', d, (o) => {
      o.status = { observedGeneration: o.metadata.generation, replicas: pods.length, updatedReplicas: pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash).length, readyReplicas: ready, availableReplicas: ready, unavailableReplicas: Math.max(0, ((o.spec.replicas as number) ?? 1) - ready) };
    });
  }

  private pdbStatus(pdb: Obj): void {
    const b = this.budget(pdb);
    this.update('poddisruptionbudgets', pdb, (o) => (o.status = { observedGeneration: o.metadata.generation ?? 1, currentHealthy: b.healthy, desiredHealthy: b.desiredHealthy, expectedPods: b.expected, disruptionsAllowed: Math.max(0, b.healthy - b.desiredHealthy) }));
  }
}

function parseCpu(q: string | undefined): number {
  if (!q) return 0;
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

function parseMem(q: string | undefined): number {
  if (!q) return 0;
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) return Number(q);
  const mult = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
  return Number(m[1]) * mult;
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  return new KubeApiServer(opts).start();
}

function readyNode(name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      capacity: { cpu: '4', memory: '16318956Ki', pods: '110' },
      allocatable: { cpu: '3800m', memory: '15716556Ki', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: { kubeletVersion: 'v1.31.4', osImage: 'Debian GNU/Linux 12 (bookworm)' },
    },
  };
}

function podTemplate(app: string): Obj {
  return {
    metadata: { labels: { app } },
    spec: { terminationGracePeriodSeconds: 30, containers: [{ name: app, image: `registry.example/${app}:1.0`, resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

/**
 * The executor contract fixture (test/contract/executors.ts): nodes node-1..node-3; DaemonSet
 * kube-system/log-agent; namespace payments (team=payments) with Deployment api (3 replicas, one pod
 * per node), PodDisruptionBudget api (minAvailable 2), Service api, ConfigMap api-config, Secret
 * api-credentials, ServiceAccount api; namespace checkout (team=checkout) with StatefulSet db
 * (db-0 on node-1, db-1 on node-2). Converged before it returns.
 */
export function seedExecutorFixture(s: KubeApiServer): void {
  for (const n of ['node-1', 'node-2', 'node-3']) s.put(readyNode(n));
  s.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  for (const ns of ['payments', 'checkout']) s.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: ns } }, spec: { finalizers: ['kubernetes'] } });
  s.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'log-agent', namespace: 'kube-system', labels: { app: 'log-agent' } }, spec: { selector: { matchLabels: { app: 'log-agent' } }, template: podTemplate('log-agent') } });
  s.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'payments', labels: { app: 'api' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'api' } }, template: podTemplate('api') } });
  s.put({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api', namespace: 'payments' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'api' } } } });
  s.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'payments', labels: { app: 'api' } }, spec: { type: 'ClusterIP', clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  s.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'payments', labels: { app: 'api' } }, data: { LOG_LEVEL: 'info' } });
  s.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-credentials', namespace: 'payments' }, type: 'Opaque', data: { username: Buffer.from('api').toString('base64'), password: Buffer.from('initial').toString('base64') } });
  s.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'payments' } });
  s.put({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'checkout', labels: { app: 'db' } }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: podTemplate('db') } });
  s.settle();
}
