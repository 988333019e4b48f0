// What a caller's grants let it see, for answers that list clusters' things (jobs, log lines,
// pipeline rows): every cluster (null) when a grant covers the whole fleet with the role, else the
// names of the registered clusters its scopes match (docs/ACCESS.md).
import { fleetRole, grantsKey, grantsOf, roleOn, type Labels } from '../../core/access.js';
import type { Identity } from '../../core/api.js';
import { neededRole, roleAtLeast, type AuthAction } from '../../core/roles.js';

export function visibleClusters(identity: Identity, action: AuthAction, clusters: () => Iterable<{ name: string; labels: Labels }>): string[] | null {
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  const fleet = fleetRole(grants);
  if (fleet !== null && roleAtLeast(fleet, needs)) return null;
  const names: string[] = [];
  for (const c of clusters()) {
    const role = roleOn(grants, c.labels);
    if (role !== null && roleAtLeast(role, needs)) names.push(c.name);
  }
  return names;
}

/** A subscription's view of the fleet: whether it sees a cluster now (its labels as they are), and a key shared by subscriptions that see alike. */
export interface ScopeView {
  key: string;
  sees(cluster: string): boolean;
}

/** null when a grant covers the whole fleet with the role (the subscription sees everything). */
export function scopeView(identity: Identity, action: AuthAction, labelsOf: (cluster: string) => Labels | undefined): ScopeView | null {
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  const fleet = fleetRole(grants);
  if (fleet !== null && roleAtLeast(fleet, needs)) return null;
  return {
    key: grantsKey(grants),
    sees: (cluster) => {
      const role = roleOn(grants, labelsOf(cluster) ?? {});
      return role !== null && roleAtLeast(role, needs);
    },
  };
}
