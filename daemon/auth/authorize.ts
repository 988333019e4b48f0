// The one authorization decision: may this identity do this action on this target? Pure. REST
// routes, WebSocket calls and subscriptions and the job service all ask here; the table of what
// each role may do is ACTION_ROLES in core/roles.ts.
import type { Identity, IdentityProvider } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { may, neededRole, type AuthAction, type Role } from '../../core/roles.js';

/**
 * What an action reaches. `clusters` are the clusters it would touch (a fleet job's resolved
 * clusters, a cluster topic's cluster); absent means the action as such. Every token's role
 * covers the whole fleet today, so clusters narrow nothing yet: they are what a cluster-scoped
 * binding (DESIGN §3.9) will be checked against, without changing any caller.
 */
export interface AuthTarget {
  clusters?: readonly string[];
}

export type Decision = { allowed: true } | { allowed: false; action: AuthAction; role: Role; needs: Role; reason: string };

export function authorize(identity: Identity, action: AuthAction, _target: AuthTarget = {}): Decision {
  if (may(identity.role, action)) return { allowed: true };
  const needs = neededRole(action);
  return { allowed: false, action, role: identity.role, needs, reason: `role ${identity.role} is below ${needs}` };
}

// How someone of each provider gets more access.
const ASK_FOR: Record<IdentityProvider, (role: Role) => string> = {
  token: (role) => `Ask an admin for a token with the ${role} role (\`flotilla token create --role ${role}\`).`,
};

/** The 403 a denial answers with: what was refused, why, and how to get the access. */
export function forbidden(identity: Identity, denied: Extract<Decision, { allowed: false }>): FlotillaError {
  return new FlotillaError('forbidden', `${denied.action} needs the ${denied.needs} role; ${identity.name} has ${denied.role}`, ASK_FOR[identity.provider](denied.needs), {
    details: { action: denied.action, needs: denied.needs, role: denied.role },
  });
}

/** Throws the forbidden error unless allowed; for code that audits the refusal on the way out (see audited.ts). */
export function requireAllowed(identity: Identity, action: AuthAction, target: AuthTarget = {}): void {
  const decision = authorize(identity, action, target);
  if (!decision.allowed) throw forbidden(identity, decision);
}
