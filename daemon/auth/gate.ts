// The gate in front of REST routes and WebSocket calls and subscriptions: authorize, and for a
// denial one audit record and the 403 to answer with.
import type { Identity } from '../../core/api.js';
import type { FlotillaError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { AuthAction } from '../../core/roles.js';
import type { AuditLog } from '../registry/audit.js';
import { actorOf } from './actor.js';
import { auditDenial } from './audited.js';
import { authorize, forbidden, type AuthTarget, type LabelsOf } from './authorize.js';

/** Where a request came from and what it named, for its audit record. */
export interface RequestRecord {
  target: string;
  detail?: Record<string, unknown>;
}

/** Undefined if allowed; else the refusal, already audited and logged. */
export function checkAccess(audit: AuditLog, log: Logger, who: Identity, action: AuthAction, target: AuthTarget, request: RequestRecord, labelsOf?: LabelsOf): FlotillaError | undefined {
  const decision = authorize(who, action, target, labelsOf);
  if (decision.allowed) return undefined;
  log.warn({ actor: actorOf(who).id, role: who.role, action, target: request.target, reason: decision.reason }, 'request refused');
  auditDenial(audit, log, { actor: actorOf(who), action, target: request.target, detail: { ...request.detail, reason: decision.reason, needs: decision.needs, ...(decision.cluster ? { cluster: decision.cluster } : {}) } });
  return forbidden(who, decision);
}
