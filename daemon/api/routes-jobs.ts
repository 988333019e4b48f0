// The job endpoints of docs/API.md: submit (single cluster or fleet, with dry run), list, show, cancel.
import { isFinal, JOB_STATES, type JobState } from '../../core/jobs.js';
import { FlotillaError } from '../../core/errors.js';
import { authorize } from '../auth/authorize.js';
import { visibleClusters } from '../auth/scope.js';
import { readJson } from './http.js';
import { pathParam as param, type Route } from './route.js';
import { parseLimit } from './validate.js';


function stateFilter(text: string | null): JobState | undefined {
  if (text === null || text === '') return undefined;
  if (!(JOB_STATES as readonly string[]).includes(text)) throw new FlotillaError('usage', `unknown job state "${text.slice(0, 40)}"`, `Use one of: ${JOB_STATES.join(', ')}.`);
  return text as JobState;
}

export const JOB_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/jobs',
    pattern: /^\/api\/v1\/jobs$/,
    action: 'job.read',
    handle: async (ctx, call) => {
      const q = call.query;
      const state = stateFilter(q.get('state'));
      const visible = visibleClusters(call.identity, 'job.read', () => ctx.registry.clusters.all());
      const items = ctx.jobs.list({
        ...(visible ? { clusters: visible } : {}),
        limit: parseLimit(q.get('limit'), 100, 10_000),
        ...(q.get('cluster') ? { cluster: q.get('cluster') as string } : {}),
        ...(q.get('fleetJobId') ? { fleetJobId: q.get('fleetJobId') as string } : {}),
        ...(state ? { state } : {}),
      });
      return [200, { items }];
    },
  },
  {
    method: 'POST',
    path: '/api/v1/jobs',
    pattern: /^\/api\/v1\/jobs$/,
    action: 'job.submit',
    mutating: true,
    handle: async (ctx, call) => {
      const res = await ctx.jobs.submit(call.identity, await readJson(call.req));
      return ['dryRun' in res ? 200 : 201, res];
    },
  },
  {
    method: 'GET',
    path: '/api/v1/jobs/:id',
    pattern: /^\/api\/v1\/jobs\/([^/]+)$/,
    action: 'job.read',
    handle: async (ctx, call) => {
      const job = ctx.jobs.get(param(call));
      // Outside the caller's scope a job is answered as unknown, so its id tells nothing.
      if (!authorize(call.identity, 'job.read', { clusters: [job.cluster] }, (n) => ctx.registry.clusters.get(n)?.labels).allowed) throw new FlotillaError('not_found', `no job with id "${job.id}"`, 'List jobs with `flotilla job list`.');
      return [200, job];
    },
  },
  {
    method: 'POST',
    path: '/api/v1/jobs/:id/cancel',
    pattern: /^\/api\/v1\/jobs\/([^/]+)\/cancel$/,
    action: 'job.cancel',
    mutating: true,
    handle: async (ctx, call) => {
      const res = await ctx.jobs.cancel(call.identity, param(call));
      return [isFinal(res.job.state) ? 200 : 202, res];
    },
  },
];
