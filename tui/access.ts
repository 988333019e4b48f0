// What the console lets a role try. The daemon decides (its authorize is the authority); the console
// only hides what would be refused. Every role check in the TUI goes through `can`, so pointing it at
// the daemon's action → minimum-role table changes one function.
import { roleAtLeast, type Role } from '../core/roles.js';

/** The daemon calls the console can make that not every role may. */
export const GATED_ACTIONS = ['job.submit', 'job.cancel'] as const;
export type GatedAction = (typeof GATED_ACTIONS)[number];

const MINIMUM_ROLE: Record<GatedAction, Role> = {
  'job.submit': 'operator',
  'job.cancel': 'operator',
};

/** The least role the daemon accepts the call from; named in messages ("needs the operator role"). */
export function requiredRole(action: GatedAction): Role {
  return MINIMUM_ROLE[action];
}

export function can(role: Role, action: GatedAction): boolean {
  return roleAtLeast(role, MINIMUM_ROLE[action]);
}
