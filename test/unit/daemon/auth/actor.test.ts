import { describe, expect, it } from 'vitest';
import { actorOf, agentActor, issuerOf } from '../../../../daemon/auth/actor.js';
import { identity } from '../api/fake-session.js';

describe('actor', () => {
  it('names a token identity by its token id, in audit records and as a job issuer', () => {
    const who = identity('operator', 'tok_abc');
    expect(actorOf(who)).toEqual({ id: 'tok_abc', name: 'operator-user' });
    expect(issuerOf(who)).toEqual({ tokenId: 'tok_abc', name: 'operator-user' });
  });

  it('names an agent by its cluster', () => {
    expect(agentActor('edge-1')).toEqual({ id: 'agent:edge-1', name: 'agent:edge-1' });
  });
});
