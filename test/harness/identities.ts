// Identities for tests that call the daemon's pieces in process: a token admin over the whole fleet,
// and a scoped one built from grants (core/access.ts).
import type { Grant } from '../../core/access.js';
import { topRole } from '../../core/access.js';
import type { Identity } from '../../core/api.js';

export const FLEET_ADMIN: Identity = { provider: 'token', subject: 'tok_admin', name: 'admin', role: 'admin' };

export function scoped(name: string, ...grants: Grant[]): Identity {
  return { provider: 'token', subject: `tok_${name}`, name, role: topRole(grants) ?? 'viewer', grants };
}
