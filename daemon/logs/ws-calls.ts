// The WebSocket calls of the logs view (DESIGN.md §3.8): `logs.search {query, before?, limit?}`,
// `logs.context {id, lines}`, `logs.histogram {query, buckets?}`; the same answers as REST. The hub
// authorizes `log.read`; each query is narrowed to the clusters the caller sees (docs/ACCESS.md),
// and a context whose line is outside them is answered as unknown.
import { z } from 'zod';
import { FlotillaError } from '../../core/errors.js';
import { LOG_ID } from '../../core/logs/record.js';
import { resolveQuery } from '../../core/query/ast.js';
import { parseQuery } from '../../core/query/parse.js';
import { firstIssue } from '../../core/schema-issue.js';
import type { WsMethod } from '../api/ws-method.js';
import type { Identity } from '../../core/api.js';
import { withinClusters } from './query-target.js';
import { MAX_CONTEXT_LINES, type LogService } from './service.js';

const SearchParams = z.object({ query: z.string().max(2048).default(''), before: z.string().max(256).optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict();
const ContextParams = z.object({ id: z.string().regex(LOG_ID), lines: z.number().int().min(0).max(MAX_CONTEXT_LINES).default(10) }).strict();
const HistogramParams = z.object({ query: z.string().max(2048).default(''), buckets: z.number().int().min(1).max(500).default(60) }).strict();

function parse<T>(schema: z.ZodType<T>, method: string, params: Record<string, unknown>): T {
  const r = schema.safeParse(params);
  if (!r.success) throw new FlotillaError('usage', `${method}: ${firstIssue(r.error, 'params')}`, 'See docs/API.md, "WebSocket calls", for the params of each logs call.');
  return r.data;
}

/** The names of the clusters this caller's log reads reach; null for all of them. */
export type VisibleTo = (who: Identity) => string[] | null;

export function logMethods(logs: LogService, visibleTo: VisibleTo): WsMethod[] {
  const query = (who: Identity, text: string, nowMs: number) => resolveQuery(withinClusters(parseQuery(text), visibleTo(who)), nowMs);
  return [
    {
      name: 'logs.search',
      action: 'log.read',
      run: async (who, params) => {
        const p = parse(SearchParams, 'logs.search', params);
        return logs.search(query(who, p.query, Date.now()), { limit: p.limit, ...(p.before !== undefined ? { before: p.before } : {}) });
      },
    },
    {
      name: 'logs.context',
      action: 'log.read',
      run: async (who, params) => {
        const p = parse(ContextParams, 'logs.context', params);
        const c = await logs.context(p.id, p.lines);
        const visible = visibleTo(who);
        if (visible !== null && !visible.includes(c.hit.cluster)) throw new FlotillaError('not_found', `no log record with id ${p.id}`, 'It may have been removed by retention (logs.retention); search again.');
        return c;
      },
    },
    {
      name: 'logs.histogram',
      action: 'log.read',
      run: async (who, params) => {
        const p = parse(HistogramParams, 'logs.histogram', params);
        const now = Date.now();
        return logs.histogram(query(who, p.query, now), p.buckets, now);
      },
    },
  ];
}
