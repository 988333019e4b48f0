// The WebSocket calls `job.submit` and `job.cancel` (DESIGN.md §3.8): the same operations and checks
// as REST, through the same gate since there is no route table.
import type { Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { checkAccess } from '../auth/gate.js';
import type { AuditLog } from '../registry/audit.js';
import type { JobService } from './service.js';

export const JOB_METHODS = ['job.submit', 'job.cancel'] as const;

export function isJobMethod(method: string): boolean {
  return (JOB_METHODS as readonly string[]).includes(method);
}

export async function callJobMethod(jobs: JobService, audit: AuditLog, log: Logger, who: Identity, method: string, params: Record<string, unknown>): Promise<unknown> {
  if (method !== 'job.submit' && method !== 'job.cancel') throw new FlotillaError('not_found', `method ${method.slice(0, 128)} is not available`, `Use one of: ${JOB_METHODS.join(', ')}.`);
  const denied = checkAccess(audit, log, who, method, {}, { target: 'ws', detail: { via: 'ws', method } });
  if (denied) throw denied;
  if (method === 'job.cancel') {
    if (typeof params.id !== 'string') throw new FlotillaError('usage', 'job.cancel needs {"id": "<job id>"}', 'Send the id of the job to cancel.');
    return jobs.cancel(who, params.id);
  }
  return jobs.submit(who, params);
}
