// POST /api/v1/clusters/:name/logging (docs/API.md, docs/JOBS.md configure-logging): switches a
// cluster's log transport. Operators and above (job.submit, scoped to the cluster); the switch
// checks the role again before it touches the central broker.
import { z } from 'zod';
import { FlotillaError } from '../../core/errors.js';
import { LOGGING_TRANSPORTS } from '../../core/logs/logging-config.js';
import { firstIssue } from '../../core/schema-issue.js';
import { assertClusterName } from '../../core/store/types.js';
import { readJson } from './http.js';
import { pathParam as param, type Route } from './route.js';

const SwitchBodySchema = z
  .object({
    transport: z.enum(LOGGING_TRANSPORTS),
    outboxMaxBytes: z.number().int().min(64 * 1024).max(1024 ** 4).optional(),
  })
  .strict();

export const LOGGING_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/v1/clusters/:name/logging',
    pattern: /^\/api\/v1\/clusters\/([^/]+)\/logging$/,
    action: 'job.submit',
    mutating: true,
    target: (_ctx, call) => ({ clusters: [param(call)] }),
    handle: async (ctx, call) => {
      const cluster = param(call);
      assertClusterName(cluster);
      const body = SwitchBodySchema.safeParse(await readJson(call.req));
      if (!body.success) throw new FlotillaError('usage', `logging switch is not valid: ${firstIssue(body.error, '(body)')}`, 'Send {"transport": "rabbitmq" | "daemon", "outboxMaxBytes"?: N}.');
      const res = await ctx.switchLogging(call.identity, { cluster, transport: body.data.transport, ...(body.data.outboxMaxBytes ? { outboxMaxBytes: body.data.outboxMaxBytes } : {}) });
      return [201, res];
    },
  },
];
