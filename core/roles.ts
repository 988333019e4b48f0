// Roles and what each may do. The daemon enforces these (daemon/auth/authorize.ts); the TUI only
// reads them to hide actions.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * Every action the daemon authorizes, and the least role that may do it: the one role table.
 * Mutating actions are also the names of their audit records.
 */
export const ACTION_ROLES = {
  'info.read': 'viewer',
  'cluster.read': 'viewer',
  'rejection.read': 'viewer',
  'job.read': 'viewer',
  'log.read': 'viewer',
  // Everyone reads the audit: a fleet-wide admin all of it, anyone else the records of their own actions.
  'audit.read': 'viewer',
  'cluster.add': 'operator',
  'cluster.remove': 'operator',
  'cluster.label': 'operator',
  'job.submit': 'operator',
  'job.cancel': 'operator',
  'token.read': 'admin',
  'token.create': 'admin',
  'token.revoke': 'admin',
  'binding.read': 'admin',
  'binding.create': 'admin',
  'binding.remove': 'admin',
  'audit.verify': 'admin',
  'backup.read': 'admin',
  'controlplane.backup': 'admin',
} as const satisfies Record<string, Role>;

export type AuthAction = keyof typeof ACTION_ROLES;

/**
 * Actions on the control plane itself, not on clusters: they need the role over the whole fleet,
 * since a scoped admin who could mint tokens or read every record would reach past its scope.
 */
export const FLEET_WIDE_ACTIONS: ReadonlySet<AuthAction> = new Set<AuthAction>(['token.read', 'token.create', 'token.revoke', 'binding.read', 'binding.create', 'binding.remove', 'audit.verify', 'backup.read', 'controlplane.backup']);
export const AUTH_ACTIONS = Object.keys(ACTION_ROLES) as AuthAction[];

/** The rank order of roles. Permission checks ask may() with an action instead. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function neededRole(action: AuthAction): Role {
  return ACTION_ROLES[action];
}

/** True if this role may do this action anywhere in the fleet. */
export function may(role: Role, action: AuthAction): boolean {
  return roleAtLeast(role, ACTION_ROLES[action]);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
