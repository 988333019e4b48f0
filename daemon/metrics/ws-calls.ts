// The WebSocket call of the metrics panes: `metrics.range {cluster, series?, since?, start?, end?,
// step?}` answers as GET /api/v1/metrics/range does (the same parameters, strings as in the URL).
import { z } from 'zod';
import { FlotillaError } from '../../core/errors.js';
import { firstIssue } from '../../core/schema-issue.js';
import type { WsMethod } from '../api/ws-method.js';
import { parseRangeQuery } from './range-query.js';
import type { MetricsService } from './service.js';

const RangeParams = z
  .object({
    cluster: z.string().max(63),
    series: z.array(z.string().max(64)).max(64).optional(),
    since: z.string().max(32).optional(),
    start: z.string().max(40).optional(),
    end: z.string().max(40).optional(),
    step: z.string().max(32).optional(),
  })
  .strict();

export function metricsMethods(metrics: Pick<MetricsService, 'answer'>, known: (cluster: string) => boolean): WsMethod[] {
  return [
    {
      name: 'metrics.range',
      action: 'cluster.read',
      target: (params) => ({ clusters: [typeof params.cluster === 'string' ? params.cluster : ''] }),
      // async: a refusal must be a rejected promise, which the hub answers as an error frame.
      run: async (_who, params) => {
        const r = RangeParams.safeParse(params);
        if (!r.success) throw new FlotillaError('usage', `metrics.range: ${firstIssue(r.error, 'params')}`, 'Send {cluster, series?: [...], since?: "1h", step?: "1m"} (docs/API.md, "WebSocket calls").');
        const { series, ...rest } = r.data;
        const q = parseRangeQuery(new URLSearchParams({ ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), ...(series ? { series: series.join(',') } : {}) }), Date.now());
        if (!known(q.cluster)) throw new FlotillaError('not_found', `no cluster named "${q.cluster}"`, 'List clusters with `flotilla cluster list`.');
        return metrics.answer(q);
      },
    },
  ];
}
