// Who may see and do what on which clusters (DESIGN §3.9, docs/ACCESS.md): an identity holds grants,
// each a role over a cluster scope, a label selector (`team=payments,env!=prod`) or the whole fleet.
// A cluster's role for an identity is the highest role of the grants whose scope its labels match;
// fleet-wide actions (tokens, backups) need a grant over the whole fleet. Pure.
import { roleAtLeast, ROLES, type Role } from './roles.js';
import { matches, parseSelector, type Requirement } from './selector.js';

export type Labels = Readonly<Record<string, string>>;

/** A role over a scope: a label selector's text, or null for the whole fleet. */
export interface Grant {
  role: Role;
  scope: string | null;
}

/** Parsed selectors by their text: scopes repeat across every request of an identity. */
const parsed = new Map<string, Requirement[]>();
const PARSED_MAX = 10_000;

function requirements(scope: string): Requirement[] {
  let r = parsed.get(scope);
  if (!r) {
    r = parseSelector(scope);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(scope, r);
  }
  return r;
}

/** A scope as stored: the selector's text trimmed, or null for the whole fleet (empty or absent text). Throws usage for a bad selector. */
export function normalizeScope(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  if (t === '') return null;
  parseSelector(t);
  return t;
}

export function inScope(scope: string | null, labels: Labels): boolean {
  return scope === null || matches(labels, requirements(scope));
}

const rank = (r: Role) => ROLES.indexOf(r);
const higher = (a: Role | null, b: Role): Role => (a === null || rank(b) > rank(a) ? b : a);

/** The highest role the grants give on a cluster with these labels, or null when it is outside them all. */
export function roleOn(grants: readonly Grant[], labels: Labels): Role | null {
  let best: Role | null = null;
  for (const g of grants) if (inScope(g.scope, labels)) best = higher(best, g.role);
  return best;
}

/** The highest role over the whole fleet, or null when every grant is scoped. */
export function fleetRole(grants: readonly Grant[]): Role | null {
  let best: Role | null = null;
  for (const g of grants) if (g.scope === null) best = higher(best, g.role);
  return best;
}

/** The highest role anywhere: what the identity is shown as. */
export function topRole(grants: readonly Grant[]): Role | null {
  let best: Role | null = null;
  for (const g of grants) best = higher(best, g.role);
  return best;
}

/** True when the grants give at least this role on a cluster with these labels. */
export function mayOn(grants: readonly Grant[], labels: Labels, needs: Role): boolean {
  const r = roleOn(grants, labels);
  return r !== null && roleAtLeast(r, needs);
}

/** True when a grant over the whole fleet gives at least this role: nothing needs narrowing. */
export function mayEverywhere(grants: readonly Grant[], needs: Role): boolean {
  const r = fleetRole(grants);
  return r !== null && roleAtLeast(r, needs);
}

/** A stable key for a set of grants: subscriptions with the same grants see the same rows. */
export function grantsKey(grants: readonly Grant[]): string {
  return grants
    .map((g) => `${g.role}:${g.scope ?? '*'}`)
    .sort()
    .join('|');
}

/** An identity's grants: its own, or its role over the whole fleet (a token without a scope). */
export function grantsOf(identity: { role: Role; grants?: readonly Grant[] | undefined }): readonly Grant[] {
  return identity.grants ?? [{ role: identity.role, scope: null }];
}
