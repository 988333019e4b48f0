// The one authorization decision: may this identity do this action on this target? Pure. REST
// routes, WebSocket calls and subscriptions and the job service all ask here; the table of what
// each role may do is ACTION_ROLES in core/roles.ts, and what a role covers is the identity's
// grants (core/access.ts, docs/ACCESS.md).
import { fleetRole, grantsOf, mayOn, roleOn, topRole, type Labels } from '../../core/access.js';
import type { Identity, IdentityProvider } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { FLEET_WIDE_ACTIONS, neededRole, roleAtLeast, type AuthAction, type Role } from '../../core/roles.js';

/**
 * What an action reaches. `clusters` are the clusters it would touch (a fleet job's resolved
 * clusters, a cluster topic's cluster); absent means the action as such, whose answers the caller
 * filters to what the identity sees. `labels` gives the labels of clusters the registry does not
 * hold yet (one being added); the others' come from the registry.
 */
export interface AuthTarget {
  clusters?: readonly string[];
  labels?: Readonly<Record<string, Labels>>;
}

/** A registered cluster's labels, undefined for a name the registry does not hold. */
export type LabelsOf = (cluster: string) => Labels | undefined;

const NO_LABELS: LabelsOf = () => undefined;

export type Decision = { allowed: true } | { allowed: false; action: AuthAction; role: Role | null; needs: Role; reason: string; cluster?: string; fleetWide?: true };

export function authorize(identity: Identity, action: AuthAction, target: AuthTarget = {}, labelsOf: LabelsOf = NO_LABELS): Decision {
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  if (FLEET_WIDE_ACTIONS.has(action)) {
    const role = fleetRole(grants);
    if (role !== null && roleAtLeast(role, needs)) return { allowed: true };
    if (role === null) return { allowed: false, action, role, needs, fleetWide: true, reason: `${action} needs the ${needs} role over the whole fleet and every grant of ${identity.name} is scoped` };
    return { allowed: false, action, role, needs, reason: `role ${role} is below ${needs}` };
  }
  if (target.clusters && target.clusters.length > 0) {
    for (const cluster of target.clusters) {
      // A name the registry does not hold has no labels: only a grant over the whole fleet covers
      // it (even a scope an empty label set matches does not), so a scoped identity cannot tell an
      // unknown cluster from one outside its scope.
      const labels = target.labels?.[cluster] ?? labelsOf(cluster);
      const role = labels === undefined ? fleetRole(grants) : roleOn(grants, labels);
      if (role === null) return { allowed: false, action, role, needs, cluster, reason: `cluster ${cluster} is outside the scope of ${identity.name}` };
      if (!roleAtLeast(role, needs)) return { allowed: false, action, role, needs, reason: `role ${role} is below ${needs}` };
    }
    return { allowed: true };
  }
  const role = topRole(grants);
  if (role !== null && roleAtLeast(role, needs)) return { allowed: true };
  return { allowed: false, action, role, needs, reason: `role ${role ?? 'none'} is below ${needs}` };
}

// How someone of each provider gets more access.
const ASK_FOR: Record<IdentityProvider, (role: Role, scope: { text: string; selector: boolean }) => string> = {
  token: (role, scope) => `Ask an admin for a token with the ${role} role${scope.text} (\`flotilla token create --role ${role}${scope.selector ? ' --scope SELECTOR' : ''}\`).`,
  oidc: (role, scope) => `Ask an admin to bind you or one of your groups to the ${role} role${scope.text} (\`flotilla binding add --group GROUP --role ${role}${scope.selector ? ' --scope SELECTOR' : ''}\`).`,
};

/** The 403 a denial answers with: what was refused, why, and how to get the access. */
export function forbidden(identity: Identity, denied: Extract<Decision, { allowed: false }>): FlotillaError {
  const scope = denied.cluster ? { text: ` on a scope that includes ${denied.cluster}`, selector: true } : { text: denied.fleetWide ? ' over the whole fleet' : '', selector: false };
  const message = denied.cluster
    ? `${denied.action} on cluster ${denied.cluster} needs the ${denied.needs} role; the cluster is outside the scope of ${identity.name}`
    : denied.fleetWide
      ? `${denied.action} needs the ${denied.needs} role over the whole fleet; ${identity.name} has scoped grants only`
      : `${denied.action} needs the ${denied.needs} role; ${identity.name} has ${denied.role ?? 'none'}`;
  return new FlotillaError('forbidden', message, ASK_FOR[identity.provider](denied.needs, scope), {
    details: { action: denied.action, needs: denied.needs, role: denied.role, ...(denied.cluster ? { cluster: denied.cluster } : {}) },
  });
}

/** Throws the forbidden error unless allowed; for code that audits the refusal on the way out (see audited.ts). */
export function requireAllowed(identity: Identity, action: AuthAction, target: AuthTarget = {}, labelsOf: LabelsOf = NO_LABELS): void {
  const decision = authorize(identity, action, target, labelsOf);
  if (!decision.allowed) throw forbidden(identity, decision);
}

/** The clusters of these the identity may do the action on (what a listing or a selector job keeps). */
export function allowedClusters<T>(identity: Identity, action: AuthAction, items: readonly T[], labelsOf: (item: T) => Labels): T[] {
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  return items.filter((item) => mayOn(grants, labelsOf(item), needs));
}
