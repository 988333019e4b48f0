// GET /api/v1/metrics/range and GET /api/v1/metrics/series (docs/API.md, docs/METRICS.md): a
// cluster's series over a range from the embedded store, and the catalogue. Any role that may read
// the cluster; a cluster the registry does not hold is a 404, so a typo is not an empty chart.
import { FlotillaError } from '../../core/errors.js';
import { SERIES } from '../../core/metrics/series.js';
import { parseRangeQuery } from '../metrics/range-query.js';
import type { BearerRoute } from './route.js';

export const METRICS_ROUTES: BearerRoute[] = [
  {
    method: 'GET',
    path: '/api/v1/metrics/range',
    pattern: /^\/api\/v1\/metrics\/range$/,
    action: 'cluster.read',
    target: (_ctx, call) => ({ clusters: [call.query.get('cluster') ?? ''] }),
    handle: async (ctx, call) => {
      const q = parseRangeQuery(call.query, Date.now());
      if (!ctx.service.state.get(q.cluster)) throw new FlotillaError('not_found', `no cluster named "${q.cluster}"`, 'List clusters with `flotilla cluster list`.');
      return [200, await ctx.metrics.answer(q)];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/metrics/series',
    pattern: /^\/api\/v1\/metrics\/series$/,
    action: 'cluster.read',
    handle: () => Promise.resolve([200, SERIES.map((s) => ({ name: s.name, unit: s.unit, help: s.help }))]),
  },
];
