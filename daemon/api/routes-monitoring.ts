// POST /api/v1/clusters/:name/monitoring (docs/API.md, docs/METRICS.md "Delivering the edge config:
// configure-monitoring"): sets a cluster's monitoring settings, signs its edge Prometheus config and
// submits configure-monitoring. Operators and above (job.submit, scoped to the cluster). GET: the
// settings as stored, the version signed from them, and the newest configure-monitoring job (viewers).
import { FlotillaError } from '../../core/errors.js';
import { MonitoringSettingsSchema, type MonitoringView } from '../../core/metrics/monitoring.js';
import { firstIssue } from '../../core/schema-issue.js';
import { assertClusterName } from '../../core/store/types.js';
import { toJobRecord } from '../registry/jobs.js';
import { readJson } from './http.js';
import { pathParam as param, type Route } from './route.js';

export const MONITORING_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/clusters/:name/monitoring',
    pattern: /^\/api\/v1\/clusters\/([^/]+)\/monitoring$/,
    action: 'cluster.read',
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const cluster = param(call);
      assertClusterName(cluster);
      if (!ctx.registry.clusters.get(cluster)) throw new FlotillaError('not_found', `no cluster named "${cluster}"`, 'List clusters with `flotilla cluster list`.');
      const record = ctx.registry.monitoring.get(cluster);
      const job = ctx.registry.jobs.newestOfType(cluster, 'configure-monitoring');
      const view: MonitoringView = { cluster, settings: record?.settings ?? null, configVersion: record?.configVersion ?? null, updatedAt: record?.updatedAt ?? null, lastJob: job ? toJobRecord(job) : null };
      return [200, view];
    },
  },
  {
    method: 'POST',
    path: '/api/v1/clusters/:name/monitoring',
    pattern: /^\/api\/v1\/clusters\/([^/]+)\/monitoring$/,
    action: 'job.submit',
    mutating: true,
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const cluster = param(call);
      assertClusterName(cluster);
      const body = MonitoringSettingsSchema.safeParse(await readJson(call.req));
      if (!body.success) {
        throw new FlotillaError(
          'usage',
          `monitoring settings are not valid: ${firstIssue(body.error, '(body)')}`,
          'Send {"mode": "federate", "federateTarget": "host:port"} or {"mode": "remote-write", "remoteWriteUrl": "https://…/api/v1/write"}, with "backend": "sim" and "agentTarget": "host:port" for a simulated cluster; optional "scrapeInterval", "retention" (docs/METRICS.md).',
        );
      }
      return [201, await ctx.configureMonitoring(call.identity, { cluster, settings: body.data })];
    },
  },
];
