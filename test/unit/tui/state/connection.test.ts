// The link state the banner reads: which attempt, the last error, and — across every failed attempt —
// when the link was lost, so the banner says how old the data on screen is.
import { describe, expect, it } from 'vitest';
import { initialConnection, reduceConnection, type ConnectionAction, type ConnectionState } from '../../../../tui/state/connection.js';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const alice = { name: 'alice', role: 'operator' as const };

const run = (state: ConnectionState, ...actions: ConnectionAction[]): ConnectionState => actions.reduce(reduceConnection, state);

describe('connection state', () => {
  it('starts connecting, first attempt, nothing lost and no error yet', () => {
    expect(initialConnection(T0)).toEqual({ status: 'connecting', since: T0, attempt: 1, lastError: null, lostAt: null });
  });

  it('opens with the identity the daemon sent, forgetting the attempts before', () => {
    const s = run(initialConnection(T0), { type: 'conn/lost', at: T0 + 10, attempt: 2, error: 'refused', retryInMs: 500 }, { type: 'conn/open', at: T0 + 600, identity: alice });
    expect(s).toEqual({ status: 'open', since: T0 + 600, identity: alice });
  });

  it('marks the moment an open link is lost and when the next attempt is due', () => {
    const s = run(initialConnection(T0), { type: 'conn/open', at: T0, identity: alice }, { type: 'conn/lost', at: T0 + 5000, attempt: 2, error: 'connection closed (code 1006)', retryInMs: 750 });
    expect(s).toEqual({ status: 'reconnecting', since: T0 + 5000, attempt: 2, lastError: 'connection closed (code 1006)', lostAt: T0 + 5000, retryAt: T0 + 5750 });
  });

  it('keeps when the link was lost through every later attempt, with the latest error', () => {
    const s = run(
      initialConnection(T0),
      { type: 'conn/open', at: T0, identity: alice },
      { type: 'conn/lost', at: T0 + 5000, attempt: 2, error: 'closed', retryInMs: 500 },
      { type: 'conn/connecting', at: T0 + 5500, attempt: 2 },
      { type: 'conn/lost', at: T0 + 6000, attempt: 3, error: 'refused', retryInMs: 1000 },
      { type: 'conn/connecting', at: T0 + 7000, attempt: 3 },
    );
    expect(s).toEqual({ status: 'connecting', since: T0 + 7000, attempt: 3, lastError: 'refused', lostAt: T0 + 5000 });
  });

  it('going from open straight to connecting has no error and counts the link lost from then', () => {
    // The link can drop without an error (the watchdog) and the client goes straight to connecting.
    const s = run(initialConnection(T0), { type: 'conn/open', at: T0, identity: alice }, { type: 'conn/connecting', at: T0 + 9000, attempt: 1 });
    expect(s).toEqual({ status: 'connecting', since: T0 + 9000, attempt: 1, lastError: null, lostAt: T0 + 9000 });
  });

  it('counts a link that never opened as lost since its first failure, not since start-up', () => {
    const s = run(initialConnection(T0), { type: 'conn/lost', at: T0 + 100, attempt: 2, error: 'daemon not reachable', retryInMs: 400 });
    expect(s).toMatchObject({ status: 'reconnecting', lostAt: T0 + 100, retryAt: T0 + 500, lastError: 'daemon not reachable' });
    const again = run(s, { type: 'conn/connecting', at: T0 + 500, attempt: 2 }, { type: 'conn/lost', at: T0 + 600, attempt: 3, error: 'daemon not reachable', retryInMs: 800 });
    expect(again).toMatchObject({ lostAt: T0 + 100, attempt: 3, retryAt: T0 + 1400 });
  });

  it('does not carry a lost time over a successful reconnect', () => {
    const s = run(
      initialConnection(T0),
      { type: 'conn/open', at: T0, identity: alice },
      { type: 'conn/lost', at: T0 + 1000, attempt: 2, error: 'closed', retryInMs: 100 },
      { type: 'conn/open', at: T0 + 1200, identity: alice },
      { type: 'conn/lost', at: T0 + 9000, attempt: 2, error: 'closed', retryInMs: 100 },
    );
    expect(s).toMatchObject({ lostAt: T0 + 9000 });
  });
});
