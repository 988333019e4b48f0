// A Kubernetes API test server: node:https (a self-signed certificate by default) answering the
// endpoints Flotilla's kube backend uses with the JSON, headers and Status objects a real API server
// sends — discovery, defaults, field validation, dry runs, managedFields, evictions judged against the
// PodDisruptionBudget's status — plus the control loops (kube-api/controllers.ts) that make a scale,
// a restart or an eviction observable, and container logs (pods/log with follow, kube-api/pod-logs.ts).
// What it models and what it leaves out: docs/ARCHITECTURE.md.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ApiError, clone, isPlainObject, type Obj } from './kube-api/common.js';
import { Controllers, isHealthy, SA_NAME, SA_TOKEN_TYPE, type Budget } from './kube-api/controllers.js';
import { deletePath, getPath, jsonPatch, leafPaths, mergePatch, strategicMerge, type FieldPath } from './kube-api/patches.js';
import { PodLogs, type AppendOptions } from './kube-api/pod-logs.js';
import { dropFields, unknownFields } from './kube-api/schema.js';
import { matchesLabels, matchSelector, parseFieldSelector, parseLabelSelector } from './kube-api/selectors.js';
import { groupVersion, qualified, RESOURCES, Store, type ResourceDef } from './kube-api/store.js';
import { testCertificate, type TlsMaterial } from './kube-api/tls.js';
import { wholeSeconds } from './kube-api/time.js';

const JSON_TYPE = 'application/json';
const APPLY_TYPE = 'application/apply-patch+yaml';
const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', APPLY_TYPE];
const FIELD_VALIDATION = ['Ignore', 'Warn', 'Strict'];
const IDENTITY_PATHS = new Set(['["apiVersion"]', '["kind"]', '["metadata","name"]', '["metadata","namespace"]']);
const OPTIONS_KIND: Record<string, string> = { POST: 'CreateOptions', PUT: 'UpdateOptions', PATCH: 'PatchOptions', DELETE: 'DeleteOptions' };
const METRICS_GROUP = 'metrics.k8s.io';
/** The kubelet's reasons and messages for each pressure condition: [when True, when False]. */
const PRESSURE_REASONS = {
  MemoryPressure: [
    ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ],
  DiskPressure: [
    ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
    ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ],
  PIDPressure: [
    ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
    ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ],
} as const;
/** Namespaces every cluster has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

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
  /** TLS material; a self-signed certificate for 127.0.0.1 by default, `false` for plain HTTP. */
  tls?: TlsMaterial | false;
  gitVersion?: string;
}

export interface DenyRule {
  verb: string;
  /** Plural, or plural/subresource (e.g. "pods/eviction"). */
  resource: string;
  namespace?: string;
}

export interface RequestLine {
  method: string;
  path: string;
  query: Record<string, string>;
}

export const TEST_TOKEN = 'flotilla-test-token';
export const TEST_USER = 'system:serviceaccount:flotilla:agent';

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly store = new Store();
  private readonly controllers: Controllers;
  private readonly logs = new PodLogs();
  private readonly denies: DenyRule[] = [];
  private readonly hooks: { match: (r: RequestLine) => boolean; run: () => void }[] = [];
  private readonly tls: TlsMaterial | undefined;
  private readonly caPem: string;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private port = 0;
  /** Per request (handled synchronously once its body is read): Warning headers, and the manager an Update without fieldManager is recorded under. */
  private warnings: string[] = [];
  private defaultManager = 'unknown';

  constructor(private readonly opts: KubeApiServerOptions = {}) {
    this.tls = opts.tls === false ? undefined : (opts.tls ?? testCertificate());
    this.caPem = this.tls?.cert ?? testCertificate().cert;
    this.controllers = new Controllers(this.store, this.caPem);
    for (const name of SYSTEM_NAMESPACES) this.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    this.settle();
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The certificate a client verifies this server with (PEM); served over plain HTTP it is still the cluster CA in kube-root-ca.crt. */
  get ca(): string {
    return this.caPem;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.handle(req, res);
    };
    this.server = this.tls ? createHttpsServer({ key: this.tls.key, cert: this.tls.cert }, handler) : createHttpServer(handler);
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
    // client-node refuses plain HTTP unless TLS verification is explicitly skipped.
    const cluster = this.tls ? { server: this.url, 'certificate-authority-data': Buffer.from(this.caPem).toString('base64') } : { server: this.url, 'insecure-skip-tls-verify': true };
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster }],
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

  allowAll(): void {
    this.denies.length = 0;
  }

  /** While paused, scheduled pods stay Pending and deleted pods stay terminating: a test can hold a PodDisruptionBudget at its limit, or read an evicted pod, without racing the controllers. */
  pauseKubelet(paused = true): void {
    this.controllers.kubeletPaused = paused;
  }

  /**
   * Runs `run` once, just before the server handles the next request `match` accepts: a test puts a
   * controller's write exactly between two of a client's requests instead of hoping a tick lands there.
   */
  beforeRequest(match: (r: RequestLine) => boolean, run: () => void): void {
    this.hooks.push({ match, run });
  }

  /** A write as a controller makes it (status, annotations, …); returns whether it changed the object. */
  modify(plural: string, namespace: string | undefined, name: string, mutate: (o: Obj) => void): boolean {
    const o = this.store.get(plural, namespace, name);
    if (!o) throw new Error(`${plural} ${namespace ?? ''}/${name} does not exist`);
    return this.store.update(plural, o, mutate);
  }

  /** The node's kubelet reports (or clears) a pressure condition; under pressure it evicts a pod, once per onset. */
  nodePressure(node: string, condition: keyof typeof PRESSURE_REASONS, on = true): void {
    const [reason, message] = PRESSURE_REASONS[condition][on ? 0 : 1];
    this.modify('nodes', undefined, node, (n) => {
      const conditions = ((n.status.conditions ?? []) as Obj[]).filter((c) => c.type !== condition);
      conditions.push({ type: condition, status: on ? 'True' : 'False', reason, message, lastHeartbeatTime: wholeSeconds(), lastTransitionTime: wholeSeconds() });
      n.status.conditions = conditions;
    });
  }

  /** Stores an object as given (kind and apiVersion pick the resource), as its controller or an admin would have made it. */
  put(obj: Obj): Obj {
    return this.store.put(obj);
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.store.get(plural, namespace, name);
  }

  list(plural: string, namespace?: string, labelSelector?: string): Obj[] {
    return this.store.list(plural, namespace, labelSelector);
  }

  /** Runs controller ticks until nothing changes (or a bound is hit): the cluster has converged. */
  settle(maxTicks = 100): void {
    for (let i = 0; i < maxTicks; i++) if (!this.tick()) return;
  }

  /** One pass of every controller; returns whether anything changed. Follow streams of pods that are gone end, as the kubelet ends them. */
  tick(): boolean {
    const changed = this.controllers.tick();
    this.logs.sweep(new Set(this.store.view('pods').map((p) => p.metadata.uid as string)));
    return changed;
  }

  // ---- container logs ----

  /** The running instance of a container writes lines (to follow streams at once, and for later reads). */
  appendLog(namespace: string, pod: string, container: string, lines: string[], opts: AppendOptions = {}): void {
    const p = this.store.peek('pods', namespace, pod);
    if (!p) throw new Error(`pod ${namespace}/${pod} does not exist`);
    this.logs.append(p, container, lines, opts);
  }

  /**
   * The kubelet restarts a container: restartCount + 1, the old instance in lastState, a new one
   * running with an empty log; follow streams of the old instance end (its log stays readable with
   * previous=true).
   */
  restartContainer(namespace: string, pod: string, container: string): number {
    const p = this.store.peek('pods', namespace, pod);
    const st = ((p?.status?.containerStatuses ?? []) as Obj[]).find((c) => c.name === container);
    if (!p || !st) throw new Error(`pod ${namespace}/${pod} has no running container ${container}`);
    const old = (st.restartCount as number | undefined) ?? 0;
    const now = wholeSeconds();
    this.store.update('pods', p, (o) => {
      o.status.containerStatuses = (o.status.containerStatuses as Obj[]).map((c) =>
        c.name === container ? { ...c, restartCount: old + 1, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: c.state?.running?.startedAt ?? now, finishedAt: now } }, state: { running: { startedAt: now } } } : c,
      );
    });
    this.logs.stopped(p.metadata.uid as string, container, old);
    return old + 1;
  }

  /** Breaks every open pods/log follow stream mid-response (a cut connection); returns how many. */
  cutLogStreams(): number {
    return this.logs.cut();
  }

  /** pods/log follow streams open now. */
  get logFollowers(): number {
    return this.logs.following;
  }

  // ---- http ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const method = req.method ?? 'GET';
    let status = 500;
    let body: unknown;
    let parsed: unknown;
    let retryAfter: number | undefined;
    this.warnings = [];
    // An Update without fieldManager is recorded under the client's user agent, up to its first "/".
    this.defaultManager = (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
    const hook = this.hooks.findIndex((h) => h.match({ method, path: url.pathname, query }));
    if (hook >= 0) this.hooks.splice(hook, 1)[0]!.run();
    try {
      if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const log = method === 'GET' ? /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname) : null;
      if (log) {
        // Streamed (and with follow left open): answered here, not as one JSON body.
        this.authorize('get', this.store.def('pods'), 'log', log[1], log[2]);
        this.logs.serve(this.store.mustGet(this.store.def('pods'), log[1], log[2]!), query, res);
        this.requests.push({ method, path: url.pathname, query, contentType, body: undefined, status: 200 });
        return;
      }
      if (raw !== '') {
        try {
          parsed = contentType === APPLY_TYPE ? parseYaml(raw) : JSON.parse(raw);
        } catch (e) {
          throw new ApiError(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`);
        }
      }
      [status, body] = this.route(method, url.pathname, query, contentType, parsed);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      status = err.code;
      body = err.status();
      retryAfter = err.retryAfterSeconds;
    }
    this.requests.push({ method, path: url.pathname, query, contentType, body: parsed, status });
    const headers: Record<string, string | string[]> = { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-cache, private' };
    if (this.warnings.length > 0) headers.Warning = this.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    if (retryAfter) headers['Retry-After'] = String(retryAfter);
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  }

  private route(method: string, path: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, unknown] {
    if (method === 'GET') {
      const discovered = this.discovery(path);
      if (discovered) return [200, discovered];
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/(.*))?$/.exec(path);
    if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const group = m[2] ?? '';
    const version = m[1] ?? m[3] ?? '';
    const rest = (m[4] ?? '').split('/').filter((s) => s !== '');
    if (group === METRICS_GROUP && this.opts.metricsServer !== false && version === 'v1beta1' && method === 'GET' && rest[0] === 'nodes' && rest.length <= 2) return [200, this.nodeMetrics(rest[1])];
    const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (defs.length === 0 || rest.length === 0) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
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
    if (!def || (namespace !== undefined && !def.namespaced) || (sub !== undefined && !def.subresources?.includes(sub))) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const verb = this.verbOf(method, name, sub);
    this.authorize(verb, def, sub, namespace, name);
    if (method === 'GET') {
      if (sub !== undefined) return this.subresource(method, def, namespace, name!, sub, query, contentType, body);
      if (name !== undefined) return [200, this.store.typed(def, this.store.mustGet(def, namespace, name))];
      if (query.watch === 'true' || query.watch === '1') throw new ApiError(405, 'MethodNotAllowed', 'watch is not served by this test server');
      return [200, this.listResponse(def, namespace, query)];
    }
    this.checkOptions(method, query);
    if (query.dryRun === undefined) return this.mutate(method, def, namespace, name, sub, query, contentType, body);
    // A dry run goes through every stage, and then the server forgets it.
    const restore = this.store.snapshot();
    const stored = name === undefined ? undefined : this.store.get(def.plural, namespace, name);
    let result: [number, unknown];
    try {
      result = this.mutate(method, def, namespace, name, sub, query, contentType, body);
    } finally {
      restore();
    }
    const [status, out] = result;
    if (isPlainObject(out) && isPlainObject(out.metadata) && out.kind === def.kind) {
      if (stored) out.metadata.resourceVersion = stored.metadata.resourceVersion;
      else delete out.metadata.resourceVersion;
    }
    return [status, out];
  }

  private mutate(method: string, def: ResourceDef, namespace: string | undefined, name: string | undefined, sub: string | undefined, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, unknown] {
    if (sub !== undefined) return this.subresource(method, def, namespace, name!, sub, query, contentType, body);
    if (name === undefined) {
      if (method === 'POST') return [201, this.store.typed(def, this.create(def, namespace, body, query))];
      if (method === 'DELETE') return [200, this.deleteCollection(def, namespace, query)];
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    switch (method) {
      case 'PUT':
        return [200, this.store.typed(def, this.replace(def, namespace, name, body, query))];
      case 'PATCH':
        return this.patch(def, namespace, name, query, contentType, body);
      case 'DELETE':
        return [200, this.deleteOne(def, namespace, name, query, body)];
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  /** The write options every mutating verb validates (422 on an unsupported value, as CreateOptions/PatchOptions/… validation does). */
  private checkOptions(method: string, query: Record<string, string>): void {
    const kind = OPTIONS_KIND[method] ?? 'CreateOptions';
    const invalid = (field: string, value: string, supported: string[]): ApiError => {
      const message = `${field}: Unsupported value: "${value}": supported values: ${supported.map((s) => `"${s}"`).join(', ')}`;
      return new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${message}`, { group: 'meta.k8s.io', kind, causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${value}": supported values: ${supported.map((s) => `"${s}"`).join(', ')}`, field }] });
    };
    if (query.dryRun !== undefined && query.dryRun !== 'All') throw invalid('dryRun', query.dryRun, ['All']);
    if (method !== 'DELETE' && query.fieldValidation !== undefined && !FIELD_VALIDATION.includes(query.fieldValidation)) throw invalid('fieldValidation', query.fieldValidation, ['', 'Ignore', 'Strict', 'Warn']);
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

  // ---- discovery ----

  private groups(): { name: string; version: string }[] {
    const served = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))].map((name) => ({ name, version: 'v1' }));
    return this.opts.metricsServer === false ? served : [...served, { name: METRICS_GROUP, version: 'v1beta1' }];
  }

  /** `/version`, `/api`, `/apis`, `/apis/<group>`, `/api/v1` and `/apis/<group>/<version>`: what this server serves, and only that. */
  private discovery(path: string): Obj | undefined {
    if (path === '/version') return { major: '1', minor: '31', gitVersion: this.opts.gitVersion ?? 'v1.31.4', gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b', gitTreeState: 'clean', buildDate: '2024-12-10T11:36:45Z', goVersion: 'go1.22.9', compiler: 'gc', platform: 'linux/amd64' };
    if (path === '/api' || path === '/api/') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] };
    const groupEntry = (g: { name: string; version: string }): Obj => ({ name: g.name, versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version } });
    if (path === '/apis' || path === '/apis/') return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map(groupEntry) };
    const one = /^\/apis\/([^/]+)\/?$/.exec(path);
    if (one) {
      const g = this.groups().find((x) => x.name === one[1]);
      return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) } : undefined;
    }
    const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/?$/.exec(path);
    if (!gv) return undefined;
    const group = gv[2] ?? '';
    const version = gv[1] ?? gv[3] ?? '';
    if (group === METRICS_GROUP) {
      if (this.opts.metricsServer === false || version !== 'v1beta1') return undefined;
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${METRICS_GROUP}/v1beta1`, resources: [{ name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] }] };
    }
    const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (defs.length === 0) return undefined;
    const resources = defs.flatMap((d) => [
      { name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs: d.verbs, ...(d.shortNames ? { shortNames: d.shortNames } : {}) },
      ...(d.subresources ?? []).map((s) => (s === 'log' ? { name: `${d.plural}/log`, singularName: '', namespaced: true, kind: d.kind, verbs: ['get'] } : s === 'eviction' ? { name: `${d.plural}/eviction`, singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] } : { name: `${d.plural}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] })),
    ]);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
  }

  // ---- reads ----

  private select(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj[] {
    const labels = query.labelSelector ? parseLabelSelector(query.labelSelector) : [];
    const fields = query.fieldSelector ? parseFieldSelector(def.plural, query.fieldSelector) : [];
    return this.store
      .view(def.plural, namespace)
      .filter((o) => matchesLabels(o, labels) && fields.every((f) => f(o)))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }

  private listResponse(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj {
    // Items of a typed list carry no kind or apiVersion, as a real API server sends them — but their managedFields.
    return { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: String(this.store.resourceVersion) }, items: this.select(def, namespace, query).map((o) => this.store.withManagedFields(def, o)) };
  }

  // ---- writes ----

  private checkBody(def: ResourceDef, namespace: string | undefined, name: string | undefined, body: unknown): Obj {
    if (!isPlainObject(body) || !isPlainObject(body.metadata)) throw new ApiError(400, 'BadRequest', 'the body of the request must be an object with metadata');
    if (body.kind !== undefined && body.kind !== def.kind) throw new ApiError(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${groupVersion(def)})`);
    if (name !== undefined && body.metadata.name !== undefined && body.metadata.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    if (def.namespaced && body.metadata.namespace !== undefined && body.metadata.namespace !== namespace) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    const o = clone(body);
    if (name !== undefined) o.metadata.name = name;
    if (def.namespaced) o.metadata.namespace = namespace;
    else delete o.metadata.namespace;
    this.validate(def, o);
    return o;
  }

  private invalid(def: ResourceDef, name: unknown, field: string, message: string, reason = 'FieldValueInvalid'): ApiError {
    return new ApiError(422, 'Invalid', `${def.kind} "${String(name)}" is invalid: ${field}: ${message}`, { name, ...(def.group ? { group: def.group } : {}), kind: def.kind, causes: [{ reason, message, field }] });
  }

  private validate(def: ResourceDef, o: Obj): void {
    if (typeof o.metadata.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.metadata.name)) {
      throw this.invalid(def, o.metadata.name, 'metadata.name', `Invalid value: "${String(o.metadata.name)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
    }
    if (def.kind !== 'Secret') return;
    if (isPlainObject(o.stringData)) {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString('base64');
      delete o.stringData;
    }
    for (const [k, v] of Object.entries((o.data ?? {}) as Obj)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw this.invalid(def, o.metadata.name, `data[${k}]`, 'Invalid value: illegal base64 data');
    }
    if (o.type === SA_TOKEN_TYPE && !o.metadata.annotations?.[SA_NAME]) throw this.invalid(def, o.metadata.name, `metadata.annotations[${SA_NAME}]`, 'Required value', 'FieldValueRequired');
  }

  /**
   * fieldValidation as the API server applies it (default Warn): unknown fields are dropped (Ignore),
   * dropped with a Warning header (Warn), or refused with a 400 (Strict). `apply` words it as the
   * structured-merge-diff schema check does, `decode` as the strict JSON decoder does.
   */
  private checkFields(def: ResourceDef, o: Obj, query: Record<string, string>, mode: 'decode' | 'apply'): void {
    const unknown = unknownFields(o, groupVersion(def), def.kind);
    if (unknown.length === 0) return;
    const messages = unknown.map((p) => (mode === 'apply' ? `.${p}: field not declared in schema` : `unknown field "${p}"`));
    const directive = query.fieldValidation ?? 'Warn';
    if (directive === 'Strict') throw new ApiError(400, 'BadRequest', mode === 'apply' ? messages.join(', ') : `strict decoding error: ${messages.join(', ')}`);
    if (directive === 'Warn') this.warnings.push(...messages);
    dropFields(o, unknown);
  }

  private requireNamespace(def: ResourceDef, namespace: string | undefined, name: string): void {
    if (!def.namespaced) return;
    const ns = this.store.get('namespaces', undefined, namespace!);
    if (!ns) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.status?.phase === 'Terminating') throw new ApiError(403, 'Forbidden', `${qualified(def)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name, group: def.group, kind: def.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
  }

  private manager(query: Record<string, string>): string {
    return query.fieldManager ?? this.defaultManager;
  }

  /** An Update's ownership: the manager takes the fields it changed. */
  private ownUpdate(def: ResourceDef, before: Obj, namespace: string | undefined, name: string, query: Record<string, string>): Obj {
    const after = this.store.mustGet(def, namespace, name);
    this.store.own(def, after, this.manager(query), 'Update', Store.changedFields(before, after));
    return this.store.mustGet(def, namespace, name);
  }

  private create(def: ResourceDef, namespace: string | undefined, body: unknown, query: Record<string, string>): Obj {
    const named = isPlainObject(body) && isPlainObject(body.metadata) && body.metadata.name === undefined && typeof body.metadata.generateName === 'string' ? { ...body, metadata: { ...body.metadata, name: `${body.metadata.generateName}${Math.random().toString(36).slice(2, 7)}` } } : body;
    const o = this.checkBody(def, namespace, undefined, named);
    this.checkFields(def, o, query, 'decode');
    this.requireNamespace(def, namespace, o.metadata.name as string);
    if (this.store.has(def.plural, namespace, o.metadata.name as string)) {
      throw new ApiError(409, 'AlreadyExists', `${qualified(def)} "${String(o.metadata.name)}" already exists`, { name: o.metadata.name, group: def.group, kind: def.plural });
    }
    for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp']) delete o.metadata[k];
    this.store.put({ ...o, kind: def.kind, apiVersion: groupVersion(def) });
    return this.ownUpdate(def, { metadata: {} }, namespace, o.metadata.name as string, query);
  }

  private replace(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, query: Record<string, string>): Obj {
    const cur = this.store.mustGet(def, namespace, name);
    const o = this.checkBody(def, namespace, name, body);
    this.checkFields(def, o, query, 'decode');
    if (o.metadata.resourceVersion !== undefined && o.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: def.group, kind: def.plural });
    }
    this.keepServerFields(cur, o);
    this.store.write(def, o);
    return this.ownUpdate(def, cur, namespace, name, query);
  }

  /** What a write through the main resource cannot change: identity, creation time, status (a subresource of its own). */
  private keepServerFields(cur: Obj, o: Obj): void {
    o.metadata.uid = cur.metadata.uid;
    o.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds']) {
      if (cur.metadata[k] !== undefined) o.metadata[k] = cur.metadata[k];
      else delete o.metadata[k];
    }
    if (cur.status !== undefined) o.status = cur.status;
    else delete o.status;
  }

  private patch(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, Obj] {
    if (!contentType || !PATCH_TYPES.includes(contentType)) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
    }
    if (contentType === APPLY_TYPE) return this.apply(def, namespace, name, query, body);
    if (query.force !== undefined) throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions' });
    const cur = this.store.mustGet(def, namespace, name);
    const next = this.applyPatch(cur, contentType, body);
    const o = this.checkBody(def, namespace, name, next);
    this.checkFields(def, o, query, 'decode');
    this.keepServerFields(cur, o);
    this.store.write(def, o);
    return [200, this.store.typed(def, this.ownUpdate(def, cur, namespace, name, query))];
  }

  private applyPatch(cur: Obj, contentType: string, body: unknown): Obj {
    if (contentType === 'application/json-patch+json') return jsonPatch(cur, body);
    if (!isPlainObject(body)) throw new ApiError(400, 'BadRequest', 'the body of a merge patch must be an object');
    return (contentType === 'application/strategic-merge-patch+json' ? strategicMerge(cur, body) : mergePatch(cur, body)) as Obj;
  }

  /**
   * Server-side apply: creates or merges; the manager owns exactly the fields it applied, a field it
   * applied before and dropped now is removed unless another manager owns it too, and taking a field
   * another manager set to a different value is a 409 unless forced.
   */
  private apply(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, body: unknown): [number, Obj] {
    const manager = query.fieldManager;
    if (!manager) throw new ApiError(400, 'BadRequest', 'PATCH /apply: fieldManager is required for apply patch');
    if (!isPlainObject(body) || body.apiVersion !== groupVersion(def) || body.kind !== def.kind) {
      throw new ApiError(400, 'BadRequest', `apply patch must name apiVersion ${groupVersion(def)} and kind ${def.kind}`);
    }
    const applied = clone(body);
    delete applied.status;
    this.checkFields(def, applied, query, 'apply');
    const paths = leafPaths(applied).filter((p) => !IDENTITY_PATHS.has(p));
    const existing = this.store.get(def.plural, namespace, name);
    if (!existing) {
      const o = this.checkBody(def, namespace, name, applied);
      this.requireNamespace(def, namespace, name);
      for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation']) delete o.metadata[k];
      const created = this.store.put({ ...o, kind: def.kind, apiVersion: groupVersion(def) });
      this.store.own(def, created, manager, 'Apply', paths);
      return [201, this.store.typed(def, this.store.mustGet(def, namespace, name))];
    }
    const owners = this.store.ownersOf(def, namespace, name);
    const mine = owners.find((o) => o.manager === manager && o.operation === 'Apply' && !o.subresource);
    const force = query.force === 'true';
    const conflicts: Obj[] = [];
    const take: FieldPath[] = [];
    for (const other of owners.filter((o) => o !== mine)) {
      for (const p of paths) {
        if (!other.paths.has(p) || JSON.stringify(getPath(existing, p)) === JSON.stringify(getPath(applied, p))) continue;
        if (force) take.push(p);
        else conflicts.push({ type: 'FieldManagerConflict', message: `conflict with "${other.manager}"${other.operation === 'Update' ? ` using ${groupVersion(def)}` : ''}`, field: `.${(JSON.parse(p) as string[]).join('.')}` });
      }
    }
    if (conflicts.length > 0) {
      throw new ApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((c) => `${String(c.message)}: ${String(c.field)}`).join('\n')}`, { causes: conflicts });
    }
    let next = mergePatch(existing, applied) as Obj;
    for (const p of mine?.paths ?? []) {
      const ownedByOther = owners.some((o) => o !== mine && o.paths.has(p) && !take.includes(p));
      if (!paths.includes(p) && !ownedByOther) deletePath(next, p);
    }
    next = this.checkBody(def, namespace, name, next);
    this.keepServerFields(existing, next);
    this.store.write(def, next);
    this.store.own(def, next, manager, 'Apply', paths, { take });
    return [200, this.store.typed(def, this.store.mustGet(def, namespace, name))];
  }

  private deleteOne(def: ResourceDef, namespace: string | undefined, name: string, query: Record<string, string>, body: unknown): Obj {
    const grace = query.gracePeriodSeconds ?? (isPlainObject(body) ? body.gracePeriodSeconds : undefined);
    return this.store.deleteOne(def, namespace, name, grace === undefined ? undefined : Number(grace));
  }

  private deleteCollection(def: ResourceDef, namespace: string | undefined, query: Record<string, string>): Obj {
    const items = this.select(def, namespace, query);
    for (const o of items) this.deleteOne(def, o.metadata.namespace as string | undefined, o.metadata.name as string, query, undefined);
    return { kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: String(this.store.resourceVersion) }, items };
  }

  // ---- subresources ----

  private subresource(method: string, def: ResourceDef, namespace: string | undefined, name: string, sub: string, query: Record<string, string>, contentType: string | undefined, body: unknown): [number, Obj] {
    if (sub === 'log') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (sub === 'eviction') {
      if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return this.evict(namespace!, name, body);
    }
    const cur = this.store.mustGet(def, namespace, name);
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
    const updated = clone(cur);
    updated.spec.replicas = replicas;
    this.store.write(def, updated);
    this.store.own(def, updated, this.manager(query), 'Update', Store.changedFields(cur, this.store.mustGet(def, namespace, name)), { subresource: 'scale' });
    return [200, scale(this.store.mustGet(def, namespace, name))];
  }

  /**
   * The eviction subresource as pkg/registry/core/pod/storage/eviction.go: a pod that is not running
   * goes at once; otherwise its budget's *status* decides — stale (observedGeneration behind) is a
   * 429, no disruptions allowed is a 429, else the eviction is booked in disruptedPods (so a second
   * eviction in parallel sees one disruption fewer) before the pod is deleted.
   */
  private evict(namespace: string, name: string, body: unknown): [number, Obj] {
    if (!isPlainObject(body) || body.kind !== 'Eviction' || !['policy/v1', 'policy/v1beta1'].includes(body.apiVersion as string)) {
      throw new ApiError(400, 'BadRequest', 'the body of an eviction must be a policy/v1 Eviction');
    }
    const podDef = this.store.def('pods');
    const pod = this.store.mustGet(podDef, namespace, name);
    const success: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    const grace = isPlainObject(body.deleteOptions) && typeof body.deleteOptions.gracePeriodSeconds === 'number' ? body.deleteOptions.gracePeriodSeconds : undefined;
    const evictNow = (): [number, Obj] => {
      this.store.update('pods', pod, (o) => {
        o.status.conditions = [...((o.status?.conditions ?? []) as Obj[]).filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: wholeSeconds() }];
      });
      this.store.deleteOne(podDef, namespace, name, grace);
      return [201, success];
    };
    if (pod.metadata.deletionTimestamp || ['Succeeded', 'Failed', 'Pending'].includes(pod.status?.phase as string)) return evictNow();
    const labels = (pod.metadata.labels ?? {}) as Record<string, string>;
    const pdbs = this.store.list('poddisruptionbudgets', namespace).filter((p) => matchSelector(p.spec?.selector as Obj, labels));
    if (pdbs.length > 1) throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = pdbs[0];
    if (!pdb) return evictNow();
    const st = (pdb.status ?? {}) as Obj;
    if (!isHealthy(pod)) {
      if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return evictNow();
      if ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) return evictNow();
    }
    const refuse = (message: string, retryAfter?: number): ApiError => new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", { causes: [{ reason: 'DisruptionBudget', message }] }, retryAfter);
    if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw refuse(`The disruption budget ${String(pdb.metadata.name)} is still being processed by the server.`, 10);
    const allowed = (st.disruptionsAllowed as number | undefined) ?? 0;
    if (allowed < 0) throw new ApiError(403, 'Forbidden', `poddisruptionbudgets.policy "${String(pdb.metadata.name)}" is forbidden: pdb disruptions allowed is negative`, { name: pdb.metadata.name, group: 'policy', kind: 'poddisruptionbudgets' });
    if (allowed === 0) throw refuse(`The disruption budget ${String(pdb.metadata.name)} needs ${String(st.desiredHealthy ?? 0)} healthy pods and has ${String(st.currentHealthy ?? 0)} currently`);
    this.store.update('poddisruptionbudgets', pdb, (o) => {
      o.status = { ...o.status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(o.status?.disruptedPods ?? {}), [name]: wholeSeconds() } };
    });
    return evictNow();
  }

  /** What the disruption controller would compute for a budget now (for tests that check the eviction ledger). */
  budget(namespace: string, name: string): Budget {
    const pdb = this.store.get('poddisruptionbudgets', namespace, name);
    if (!pdb) throw new Error(`no PodDisruptionBudget ${namespace}/${name}`);
    return this.controllers.budget(pdb);
  }

  private nodeMetrics(name?: string): Obj {
    const item = (n: Obj): Obj => {
      let cpu = 0;
      let mem = 0;
      for (const p of this.store.list('pods').filter((p) => p.spec?.nodeName === n.metadata.name && p.status?.phase === 'Running')) {
        for (const c of (p.spec?.containers ?? []) as Obj[]) {
          cpu += parseCpu(c.resources?.requests?.cpu as string | undefined);
          mem += parseMem(c.resources?.requests?.memory as string | undefined);
        }
      }
      return { metadata: { name: n.metadata.name, creationTimestamp: wholeSeconds() }, timestamp: wholeSeconds(), window: '20.033s', usage: { cpu: `${cpu}m`, memory: `${Math.round(mem / 1024)}Ki` } };
    };
    if (name !== undefined) {
      const n = this.store.get('nodes', undefined, name);
      if (!n) throw new ApiError(404, 'NotFound', `nodemetrics.metrics.k8s.io "${name}" not found`, { name, group: METRICS_GROUP, kind: 'nodes' });
      return { kind: 'NodeMetrics', apiVersion: `${METRICS_GROUP}/v1beta1`, ...item(n) };
    }
    return { kind: 'NodeMetricsList', apiVersion: `${METRICS_GROUP}/v1beta1`, metadata: {}, items: this.store.list('nodes').map(item) };
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
 * The executor contract fixture (test/contract/executors.ts), on top of what every cluster has (the
 * system namespaces, each with its `default` ServiceAccount and kube-root-ca.crt): nodes
 * node-1..node-3; DaemonSet kube-system/log-agent; namespace payments (team=payments) with Deployment api (3 replicas, one pod
 * per node), PodDisruptionBudget api (minAvailable 2), Service api, ConfigMap api-config, Secret
 * api-credentials, ServiceAccount api; namespace checkout (team=checkout) with StatefulSet db
 * (db-0 on node-1, db-1 on node-2). Converged before it returns.
 */
export function seedExecutorFixture(s: KubeApiServer): void {
  for (const n of ['node-1', 'node-2', 'node-3']) s.put(readyNode(n));
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
