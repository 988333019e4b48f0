// Validation of a job submission (REST body or WS call params) before anything is written. Pure.
// Params are checked against what the user may send: rotate-credentials never carries secret values
// (the daemon makes them) and restore may leave the manifest hash to the daemon.
import { z } from 'zod';
import { checkJsonBounds, describeViolation } from '../../core/depth.js';
import { parseDuration } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import { isJobType, JOB_LIMITS, JOB_PARAMS, JOB_TYPES, type JobType } from '../../core/jobs.js';
import { firstIssue } from '../../core/schema-issue.js';
import { assertClusterName } from '../../core/store/types.js';
import { parseSelector, type Requirement } from '../../core/selector.js';

/** Longest a job may wait in the store before an agent must refuse it as expired. */
export const MAX_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
export const SUBMITTABLE: JobType[] = JOB_TYPES.filter((t) => t !== 'cancel');

const CREDENTIAL_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** What a user may send for each type; the daemon completes it into JOB_PARAMS[type]. */
export const USER_PARAMS: Record<Exclude<JobType, 'cancel'>, z.ZodType<Record<string, unknown>>> = {
  scale: JOB_PARAMS.scale,
  restart: JOB_PARAMS.restart,
  cordon: JOB_PARAMS.cordon,
  uncordon: JOB_PARAMS.uncordon,
  drain: JOB_PARAMS.drain,
  'rotate-credentials': JOB_PARAMS['rotate-credentials']
    .omit({ sealed: true })
    .extend({ keys: z.array(z.string().regex(CREDENTIAL_KEY, 'a Secret data key')).min(1).max(32).optional() })
    .strict(),
  backup: JOB_PARAMS.backup,
  restore: JOB_PARAMS.restore.extend({ manifestSha256: JOB_PARAMS.restore.shape.manifestSha256.optional() }).strict(),
  apply: JOB_PARAMS.apply,
  cleanup: JOB_PARAMS.cleanup,
  // Written by the daemon's logging switch (`flotilla cluster logging`), which names the config it wrote; the agent verifies the config itself.
  'configure-logging': JOB_PARAMS['configure-logging'],
  // Written by the daemon's monitoring settings (`flotilla cluster monitoring`), likewise naming the config it signed.
  'configure-monitoring': JOB_PARAMS['configure-monitoring'],
};

export interface SubmitRequest {
  target: { cluster: string } | { selector: string; requirements: Requirement[] };
  type: Exclude<JobType, 'cancel'>;
  params: Record<string, unknown>;
  expiresMs: number;
  dryRun: boolean;
  yes: boolean;
}

function usage(message: string, next: string): FlotillaError {
  return new FlotillaError('usage', message, next);
}

export function validateSubmit(raw: unknown): SubmitRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage('request body must be a JSON object', 'Send {"cluster": "c", "type": "scale", "params": {…}}; see docs/API.md.');
  const body = raw as Record<string, unknown>;
  const known = new Set(['cluster', 'selector', 'type', 'params', 'expires', 'dryRun', 'yes']);
  const extra = Object.keys(body).find((k) => !known.has(k));
  if (extra) throw usage(`unknown field "${extra.slice(0, 60)}"`, 'Send only cluster or selector, type, params, expires, dryRun and yes.');
  const hasCluster = body.cluster !== undefined;
  const hasSelector = body.selector !== undefined;
  if (hasCluster === hasSelector) throw usage('give exactly one of cluster and selector', 'Name one cluster, or select clusters by label with selector (e.g. env=staging).');
  let target: SubmitRequest['target'];
  if (hasCluster) {
    if (typeof body.cluster !== 'string') throw usage('cluster must be a string', 'Send the cluster name.');
    assertClusterName(body.cluster);
    target = { cluster: body.cluster };
  } else {
    if (typeof body.selector !== 'string' || body.selector.length > 1024) throw usage('selector must be a string of at most 1024 characters', 'Write a selector like env=staging,team=payments.');
    target = { selector: body.selector, requirements: parseSelector(body.selector) };
  }
  const type = body.type;
  if (typeof type !== 'string' || !isJobType(type) || type === 'cancel') {
    throw usage(`unknown job type ${JSON.stringify(type)?.slice(0, 60) ?? 'undefined'}`, `Use one of: ${SUBMITTABLE.join(', ')} (cancel a job with \`flotilla job cancel ID\`).`);
  }
  const bounds = checkJsonBounds(body.params ?? {}, JOB_LIMITS.params);
  if (bounds) throw usage(`params for ${type} ${describeViolation(bounds)}`, `Send params that nest at most ${JOB_LIMITS.params.maxDepth} levels deep in at most ${JOB_LIMITS.params.maxBytes} bytes; split a large apply into several jobs (docs/JOBS.md).`);
  const params = USER_PARAMS[type].safeParse(body.params ?? {});
  if (!params.success) throw usage(`params for ${type} are not valid: ${firstIssue(params.error, '(params)')}`, `Fix the parameter; see docs/JOBS.md for what ${type} takes.`);
  let expiresMs = 60 * 60 * 1000;
  if (body.expires !== undefined) {
    if (typeof body.expires !== 'string') throw usage('expires must be a duration string', 'Write a duration like 30m or 1h.');
    expiresMs = parseDuration(body.expires);
    if (expiresMs <= 0 || expiresMs > MAX_EXPIRY_MS) throw usage(`expires must be between 0 and 7d, got ${body.expires}`, 'Write a duration like 30m, 1h or 24h.');
  }
  for (const flag of ['dryRun', 'yes'] as const) {
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') throw usage(`${flag} must be true or false`, `Send "${flag}": true or leave it out.`);
  }
  return { target, type, params: params.data, expiresMs, dryRun: body.dryRun === true, yes: body.yes === true };
}
