// What a caller's grants let it see, for answers that list clusters' things (jobs, log lines,
// pipeline rows): every cluster (null) when a grant covers the whole fleet with the role, else the
// names of the registered clusters its scopes match (docs/ACCESS.md).
import { grantsKey, grantsOf, mayEverywhere, mayOn, type Labels } from '../../core/access.js';
import type { Identity } from '../../core/api.js';
import { neededRole, type AuthAction } from '../../core/roles.js';

/** True when the identity may do the action on every cluster: its answers need no narrowing. */
export function seesAll(identity: Identity, action: AuthAction): boolean {
  return mayEverywhere(grantsOf(identity), neededRole(action));
}

export function visibleClusters(identity: Identity, action: AuthAction, clusters: () => Iterable<{ name: string; labels: Labels }>): string[] | null {
  if (seesAll(identity, action)) return null;
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  const names: string[] = [];
  for (const c of clusters()) if (mayOn(grants, c.labels, needs)) names.push(c.name);
  return names;
}

/** A subscription's view of the fleet: whether it sees a cluster now (its labels as they are), and a key shared by subscriptions that see alike. */
export interface ScopeView {
  key: string;
  sees(cluster: string): boolean;
}

/** null when a grant covers the whole fleet with the role (the subscription sees everything). */
export function scopeView(identity: Identity, action: AuthAction, labelsOf: (cluster: string) => Labels | undefined): ScopeView | null {
  if (seesAll(identity, action)) return null;
  const needs = neededRole(action);
  const grants = grantsOf(identity);
  return { key: grantsKey(grants), sees: (cluster) => mayOn(grants, labelsOf(cluster) ?? {}, needs) };
}
