// Identities for tests of what a role may do.
import type { Identity } from '../../../../core/api.js';
import type { Role } from '../../../../core/roles.js';

export function identity(role: Role = 'viewer', subject = 'tok_1'): Identity {
  return { provider: 'token', subject, name: `${role}-user`, role };
}
