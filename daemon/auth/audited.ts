// Audit records for requests (DESIGN §3.9): every mutation, allowed or denied, writes one record,
// and a mutation whose record cannot be written is refused.
import { FlotillaError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { AuditEntry, AuditLog } from '../registry/audit.js';
import type { Registry } from '../registry/registry.js';

/** Failures of the request itself: audited as allowed but failed, then answered as they are. */
const REQUEST_FAILURES = new Set(['conflict', 'not_found', 'usage']);

/**
 * Runs a mutation and its audit record in one transaction; a failed audit write refuses the
 * mutation. A mutation that fails on its own (conflict, not found, usage) is still audited, as
 * failed; one that authorize refused inside fn (requireAllowed) is audited as denied.
 */
export function audited<T>(registry: Registry, entry: Omit<AuditEntry, 'allowed'>, fn: () => { result: T; detail?: Record<string, unknown> }): T {
  try {
    return registry.tx(() => {
      const { result, detail } = fn();
      registry.audit.append({ ...entry, allowed: true, detail: { ...entry.detail, ...detail } });
      return result;
    });
  } catch (e) {
    if (!(e instanceof FlotillaError)) throw registryFailure(e);
    if (e.kind === 'forbidden') {
      try {
        registry.audit.append({ ...entry, allowed: false, detail: { ...entry.detail, reason: e.message, ...e.details } });
      } catch {
        // The refusal stands whether or not it could be recorded; the registry's failure shows on the next write.
      }
      throw e;
    }
    if (REQUEST_FAILURES.has(e.kind)) {
      try {
        registry.audit.append({ ...entry, allowed: true, detail: { ...entry.detail, failed: e.kind, message: e.message } });
      } catch (w) {
        throw registryFailure(w);
      }
    }
    throw e;
  }
}

function registryFailure(e: unknown): FlotillaError {
  return new FlotillaError('unavailable', `registry write failed: ${(e as Error).message}`, 'Check the daemon log and that the data directory is writable; the change was not made.', { cause: e });
}

/**
 * Records a refused request. Best effort: the refusal stands whether or not it could be recorded,
 * and a failed write is logged.
 */
export function auditDenial(audit: AuditLog, log: Logger, entry: Omit<AuditEntry, 'allowed'>): void {
  try {
    audit.append({ ...entry, allowed: false });
  } catch (e) {
    log.error({ err: e, action: entry.action }, 'could not write the audit record for a denied request');
  }
}
