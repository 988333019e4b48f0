// Who an audit record or a job names: derived from an identity here and nowhere else, plus the
// daemon's own actors. Pure.
import { grantsOf, mayEverywhere } from '../../core/access.js';
import type { Identity, IdentityProvider } from '../../core/api.js';
import type { JobPayload } from '../../core/jobs.js';

export interface Actor {
  id: string;
  name: string;
}

export const STORE_ACTOR: Actor = { id: 'store', name: 'store' };
export const DAEMON_ACTOR: Actor = { id: 'daemon', name: 'daemon' };
/** A request that carried no valid credentials. */
export const ANONYMOUS_ACTOR: Actor = { id: 'anonymous', name: 'anonymous' };

/** Whose audit records an identity reads: undefined (everyone's) for an admin over the whole fleet, else its own actor id. */
export function auditReader(identity: Identity): string | undefined {
  return mayEverywhere(grantsOf(identity), 'admin') ? undefined : actorOf(identity).id;
}

export function agentActor(cluster: string): Actor {
  return { id: `agent:${cluster}`, name: `agent:${cluster}` };
}

// A token's id is the actor id, as in every audit record written so far; an OIDC subject is
// prefixed so it can never be mistaken for a token.
const ACTOR_ID: Record<IdentityProvider, (subject: string) => string> = {
  token: (subject) => subject,
  oidc: (subject) => `oidc:${subject}`,
};

export function actorOf(identity: Identity): Actor {
  return { id: ACTOR_ID[identity.provider](identity.subject), name: identity.name };
}

/** The issuer a signed job carries; its `tokenId` field (a store contract) holds the actor id. */
export function issuerOf(identity: Identity): JobPayload['issuer'] {
  return { tokenId: actorOf(identity).id, name: identity.name };
}
