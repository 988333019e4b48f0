// The log endpoints of docs/API.md: GET /api/v1/logs (search, paging, context, `after` for tail),
// GET /api/v1/logs/histogram and GET /api/v1/pipeline (the pipeline per cluster). The query text is
// parsed here; a parse error is a 400 whose details name the position and what was expected.
import { FlotillaError } from '../../core/errors.js';
import { resolveQuery } from '../../core/query/ast.js';
import { parseQuery } from '../../core/query/parse.js';
import { pipelineOf } from '../logs/pipeline.js';
import type { Identity } from '../../core/api.js';
import { visibleClusters } from '../auth/scope.js';
import { pipelineFor } from '../logs/pipeline-scope.js';
import { queryClusters, withinClusters } from '../logs/query-target.js';
import type { ApiContext, BearerRoute, RouteCall } from './route.js';
import { parseLimit } from './validate.js';

export const LOG_SEARCH_LIMIT = { default: 100, max: 1000 };
export const HISTOGRAM_BUCKETS = { default: 60, max: 500 };
const CURSOR_CHARS = 256;

function cursorParam(call: RouteCall, name: 'before' | 'after'): string | undefined {
  const v = call.query.get(name);
  // An empty `after` is "from the start of the store"; an empty `before` is no cursor at all.
  if (v === null || (v === '' && name === 'before')) return undefined;
  if (v.length > CURSOR_CHARS) throw new FlotillaError('usage', `${name} is not a cursor this daemon gave out`, `Pass the \`next\` of the previous answer as ${name}.`);
  return v;
}

function countParam(call: RouteCall, name: string, fallback: number, max: number, min = 0): number {
  const text = call.query.get(name);
  if (text === null || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new FlotillaError('usage', `${name} must be an integer of at least ${min}`, `Send ?${name}=${min} to ?${name}=${max}.`);
  return Math.min(n, max);
}

/**
 * The parsed query of ?q=, narrowed to the clusters the caller sees (a scoped caller's search never
 * reaches past its scope; docs/ACCESS.md), and the clusters it reaches.
 */
export function logQuery(ctx: ApiContext, text: string | null, nowMs: number, who: Identity) {
  const visible = visibleClusters(who, 'log.read', () => Array.from(ctx.service.state.values(), (e) => e.record));
  const query = withinClusters(parseQuery(text ?? ''), visible);
  return { query, resolved: resolveQuery(query, nowMs), clusters: queryClusters(query, Array.from(ctx.service.state.values(), (e) => e.record.name)) };
}

export const LOG_ROUTES: BearerRoute[] = [
  {
    method: 'GET',
    path: '/api/v1/pipeline',
    pattern: /^\/api\/v1\/pipeline$/,
    action: 'cluster.read',
    handle: async (ctx, call) => [200, pipelineFor(call.identity, pipelineOf({ state: ctx.service.state, ingested: ctx.logs.ingested, registry: ctx.registry }, Date.now()), (n) => ctx.registry.clusters.get(n)?.labels)],
  },
  {
    method: 'GET',
    path: '/api/v1/logs',
    pattern: /^\/api\/v1\/logs$/,
    action: 'log.read',
    handle: async (ctx, call) => {
      const { resolved } = logQuery(ctx, call.query.get('q'), Date.now(), call.identity);
      const before = cursorParam(call, 'before');
      const after = cursorParam(call, 'after');
      if (before !== undefined && after !== undefined) throw new FlotillaError('usage', 'before and after cannot be combined', 'Page back with before (search), or forward from a cursor with after (tail).');
      const res = await ctx.logs.search(resolved, {
        limit: parseLimit(call.query.get('limit'), LOG_SEARCH_LIMIT.default, LOG_SEARCH_LIMIT.max),
        context: countParam(call, 'context', 0, 50),
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      return [200, res];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/logs/histogram',
    pattern: /^\/api\/v1\/logs\/histogram$/,
    action: 'log.read',
    handle: async (ctx, call) => {
      const now = Date.now();
      const { resolved } = logQuery(ctx, call.query.get('q'), now, call.identity);
      return [200, await ctx.logs.histogram(resolved, countParam(call, 'buckets', HISTOGRAM_BUCKETS.default, HISTOGRAM_BUCKETS.max, 1), now)];
    },
  },
];
