// What the console lets a role try. The daemon decides (its authorize is the authority); the console
// only hides what would be refused, reading the same action → least-role table (core/roles.ts).
import { may, neededRole, type AuthAction, type Role } from '../core/roles.js';

/** The daemon calls the console can make that not every role may (log.read is every role's today; cluster-scoped bindings will narrow it). */
export const GATED_ACTIONS = ['job.submit', 'job.cancel', 'log.read'] as const satisfies readonly AuthAction[];
export type GatedAction = (typeof GATED_ACTIONS)[number];

/** The least role the daemon accepts the call from; named in messages ("needs the operator role"). */
export function requiredRole(action: GatedAction): Role {
  return neededRole(action);
}

export function can(role: Role, action: GatedAction): boolean {
  return may(role, action);
}
