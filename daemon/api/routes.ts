// The REST route table of docs/API.md. Each route names the action it is (core/roles.ts); handlers
// get an identity that authorize has allowed it, and return [status, body].
import type { ClusterAddResponse, InfoResponse, TokenCreateResponse } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { tokenHash } from '../../core/registration.js';
import { VERSION } from '../../core/version.js';
import { actorOf, auditReader } from '../auth/actor.js';
import { audited } from '../auth/audited.js';
import { allowedClusters, requireAllowed } from '../auth/authorize.js';
import { buildBundle } from '../bundle.js';
import { newSecret } from '../registry/tokens.js';
import { readJson } from './http.js';
import { pathParam as param, type Route } from './route.js';
import { BACKUP_ROUTES } from './routes-backup.js';
import { INGEST_ROUTES } from './routes-ingest.js';
import { JOB_ROUTES } from './routes-jobs.js';
import { LOGGING_ROUTES } from './routes-logging.js';
import { MONITORING_ROUTES } from './routes-monitoring.js';
import { LOG_ROUTES } from './routes-logs.js';
import { METRICS_ROUTES } from './routes-metrics.js';
import { BINDING_ROUTES } from './routes-bindings.js';
import { parseLimit, parseSeq, parseSince, validateClusterAdd, validateRelabel, validateTokenCreate } from './validate.js';

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/whoami',
    pattern: /^\/api\/v1\/whoami$/,
    action: 'info.read',
    handle: async (_ctx, call) => [200, call.identity],
  },
  {
    method: 'GET',
    path: '/api/v1/info',
    pattern: /^\/api\/v1\/info$/,
    action: 'info.read',
    handle: async (ctx, call) => {
      const info: InfoResponse = {
        version: VERSION,
        publicUrl: ctx.publicUrl(),
        store: ctx.storeDescription,
        dataDir: ctx.config.dataDir,
        registry: ctx.registryPath,
        controlPlane: ctx.controlPlane,
        clusters: ctx.service.state.size,
        identity: call.identity,
      };
      return [200, info];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/clusters',
    pattern: /^\/api\/v1\/clusters$/,
    action: 'cluster.read',
    // Only the clusters the caller's grants cover (docs/ACCESS.md).
    handle: async (ctx, call) => [200, { items: allowedClusters(call.identity, 'cluster.read', ctx.service.state.rows(Date.now()), (r) => r.labels) }],
  },
  {
    method: 'GET',
    path: '/api/v1/clusters/:name',
    pattern: /^\/api\/v1\/clusters\/([^/]+)$/,
    action: 'cluster.read',
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const name = param(call);
      const detail = ctx.service.detail(name, Date.now());
      if (!detail) throw new FlotillaError('not_found', `no cluster named "${name.slice(0, 80)}"`, 'List clusters with `flotilla cluster list`.');
      return [200, detail];
    },
  },
  {
    method: 'POST',
    path: '/api/v1/clusters',
    pattern: /^\/api\/v1\/clusters$/,
    action: 'cluster.add',
    mutating: true,
    handle: async (ctx, call) => {
      const input = validateClusterAdd(await readJson(call.req), ctx.config.status.intervalSeconds, new Date());
      const token = newSecret('fbt');
      ctx.service.addCluster(actorOf(call.identity), { ...input, tokenHash: tokenHash(token) }, () => requireAllowed(call.identity, 'cluster.add', { clusters: [input.name], labels: { [input.name]: input.labels } }));
      const row = ctx.service.state.row(input.name, Date.now());
      if (!row) throw new FlotillaError('internal', `cluster "${input.name}" is missing after add`, 'Check the daemon log; this is a bug.');
      const response: ClusterAddResponse = {
        cluster: row,
        bundle: buildBundle({
          cluster: input.name,
          store: ctx.config.store,
          controlPlane: ctx.controlPlane,
          bootstrapToken: token,
          publicUrl: ctx.publicUrl(),
          intervalSeconds: input.intervalSeconds,
        }),
      };
      return [201, response];
    },
  },
  {
    method: 'DELETE',
    path: '/api/v1/clusters/:name',
    pattern: /^\/api\/v1\/clusters\/([^/]+)$/,
    action: 'cluster.remove',
    mutating: true,
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const name = param(call);
      ctx.service.removeCluster(actorOf(call.identity), name);
      return [200, { removed: name }];
    },
  },
  {
    method: 'POST',
    path: '/api/v1/clusters/:name/labels',
    pattern: /^\/api\/v1\/clusters\/([^/]+)\/labels$/,
    action: 'cluster.label',
    mutating: true,
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const name = param(call);
      const change = validateRelabel(await readJson(call.req));
      // The operator role is needed on the labels the cluster has (the gate) and on those it gets.
      const labels = ctx.service.relabel(actorOf(call.identity), name, change, (next) => requireAllowed(call.identity, 'cluster.label', { clusters: [name], labels: { [name]: next } }));
      return [200, { cluster: name, labels }];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/rejections',
    pattern: /^\/api\/v1\/rejections$/,
    action: 'rejection.read',
    handle: async (ctx, call) => {
      const cluster = call.query.get('cluster') || undefined;
      const limit = parseLimit(call.query.get('limit'), 100, 1000);
      // A scoped caller sees the rejections of its clusters only (the daemon's own have no cluster).
      const labelsOf = (n: string | null) => (n === null ? undefined : ctx.registry.clusters.get(n)?.labels) ?? {};
      const items = allowedClusters(call.identity, 'rejection.read', ctx.registry.rejections.list({ ...(cluster ? { cluster } : {}), limit }), (r) => labelsOf(r.cluster));
      return [200, { items }];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/tokens',
    pattern: /^\/api\/v1\/tokens$/,
    action: 'token.read',
    handle: async (ctx) => [200, { items: ctx.registry.tokens.list() }],
  },
  {
    method: 'POST',
    path: '/api/v1/tokens',
    pattern: /^\/api\/v1\/tokens$/,
    action: 'token.create',
    mutating: true,
    handle: async (ctx, call) => {
      const input = validateTokenCreate(await readJson(call.req), new Date());
      const created: TokenCreateResponse = audited(ctx.registry, { actor: actorOf(call.identity), action: 'token.create', target: input.name, detail: { role: input.role, scope: input.scope, expiresAt: input.expiresAt } }, () => {
        const t = ctx.registry.tokens.create(input);
        return { result: t, detail: { tokenId: t.id } };
      });
      return [201, created];
    },
  },
  {
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    pattern: /^\/api\/v1\/tokens\/([^/]+)$/,
    action: 'token.revoke',
    mutating: true,
    handle: async (ctx, call) => {
      const id = param(call);
      audited(ctx.registry, { actor: actorOf(call.identity), action: 'token.revoke', target: id }, () => {
        if (!ctx.registry.tokens.revoke(id, new Date())) {
          throw new FlotillaError('not_found', `no live token with id "${id.slice(0, 80)}"`, 'List tokens with `flotilla token list`.');
        }
        return { result: undefined };
      });
      ctx.onTokenRevoked(id);
      return [200, { revoked: id }];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    pattern: /^\/api\/v1\/audit$/,
    action: 'audit.read',
    // A fleet-wide admin reads every record; anyone else the records of their own actions (docs/ACCESS.md).
    handle: async (ctx, call) => {
      const limit = parseLimit(call.query.get('limit'), 100, 10_000);
      const actorId = auditReader(call.identity);
      const after = call.query.get('after');
      const since = call.query.get('since');
      // With after or since: oldest first, for an export that pages on; else the newest first.
      if (after !== null || since !== null) {
        const page = ctx.registry.audit.page({ afterSeq: parseSeq(after), since: parseSince(since, Date.now()), limit, ...(actorId ? { actorId } : {}) });
        return [200, { items: page, next: page.length === limit ? String(page.at(-1)?.seq) : null }];
      }
      return [200, { items: actorId === undefined ? ctx.registry.audit.list(limit) : ctx.registry.audit.listOf(actorId, limit) }];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/audit/verify',
    pattern: /^\/api\/v1\/audit\/verify$/,
    action: 'audit.verify',
    handle: async (ctx) => [200, ctx.registry.audit.verify()],
  },
  ...JOB_ROUTES,
  ...LOGGING_ROUTES,
  ...MONITORING_ROUTES,
  ...BACKUP_ROUTES,
  ...BINDING_ROUTES,
  ...LOG_ROUTES,
  ...METRICS_ROUTES,
  ...INGEST_ROUTES,
];

export type RouteMatch = { route: Route; params: string[] } | { allowed: string[] } | undefined;

export function matchRoute(method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, params: m.slice(1) };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
