// The WebSocket calls `job.submit` and `job.cancel` (DESIGN.md §3.8): the same operations and checks
// as REST, with the role check and the audit of a denied call done here since there is no route table.
import type { Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { roleAtLeast } from '../../core/roles.js';
import type { AuditLog } from '../registry/audit.js';
import type { JobService } from './service.js';

export const JOB_METHODS = ['job.submit', 'job.cancel'] as const;

export function isJobMethod(method: string): boolean {
  return (JOB_METHODS as readonly string[]).includes(method);
}

export async function callJobMethod(jobs: JobService, audit: AuditLog, who: Identity, method: string, params: Record<string, unknown>): Promise<unknown> {
  if (!roleAtLeast(who.role, 'operator')) {
    // A denial that cannot be audited is still a denial; the audit write is best effort here.
    try {
      audit.append({ actor: { id: who.tokenId, name: who.name }, action: method, target: 'ws', allowed: false, detail: { reason: `role ${who.role} is below operator` } });
    } catch {
      // the refusal below stands whether or not it could be recorded
    }
    throw new FlotillaError('forbidden', `${method} needs the operator role; this token is ${who.role}`, 'Ask an admin for a token with the operator role.');
  }
  if (method === 'job.submit') return jobs.submit(who, params);
  if (method === 'job.cancel') {
    if (typeof params.id !== 'string') throw new FlotillaError('usage', 'job.cancel needs {"id": "<job id>"}', 'Send the id of the job to cancel.');
    return jobs.cancel(who, params.id);
  }
  throw new FlotillaError('not_found', `method ${method.slice(0, 128)} is not available`, `Use one of: ${JOB_METHODS.join(', ')}.`);
}
