// What happens to a request whose credentials were refused, REST and WebSocket alike: a bad or
// missing API token is summarised per source (audited on mutating routes only, as before OIDC); a
// refused OIDC token is audited on every route, one record per source, route and reason a window,
// since a forged or misissued ID token is worth knowing about whatever it asked for; a signed-in
// user no binding covers is an authenticated caller and audited one by one.
import { FlotillaError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Actor } from '../auth/actor.js';
import { auditDenial } from '../auth/audited.js';
import type { AuditLog } from '../registry/audit.js';
import type { Refusals } from './refusals.js';

export interface RefusedRequest {
  remote: string | undefined;
  method: string;
  /** The route template (`/ws` for an upgrade). */
  route: string;
  path: string;
  /** The audit action of what was asked. */
  action: string;
  mutating: boolean;
}

export function recordCredentialRefusal(deps: { refusals: Refusals; audit: AuditLog; log: Logger }, r: RefusedRequest, e: unknown): void {
  const err = e instanceof FlotillaError ? e : undefined;
  const code = typeof err?.details?.reason === 'string' ? err.details.reason : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (err?.kind === 'forbidden' && err.details?.actor) {
    const actor = err.details.actor as Actor;
    deps.log.warn({ actor: actor.id, action: r.action, target: r.path.slice(0, 200), reason: message }, 'request refused');
    auditDenial(deps.audit, deps.log, { actor, action: r.action, target: r.path.slice(0, 200), detail: { method: r.method, reason: message, code, groups: err.details.groups } });
    return;
  }
  if (err?.kind === 'unavailable') {
    deps.log.warn({ remote: r.remote, route: r.route, reason: message }, 'request refused: the credentials could not be checked');
    return;
  }
  const oidc = code?.startsWith('oidc.') === true;
  deps.refusals.unauthenticated({ remote: r.remote, method: r.method, route: r.route, path: r.path, reason: message, ...(code ? { code } : {}), audit: r.mutating || oidc ? r.action : undefined, byReason: oidc });
}
