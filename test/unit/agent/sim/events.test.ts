import { describe, expect, it } from 'vitest';
import { EVENT_TTL_MS, expireEvents, MAX_EVENTS, recordEvent } from '../../../../agent/sim/events.js';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import { createRng } from '../../../../agent/sim/rng.js';

const T0 = new Date('2026-11-01T10:00:00Z');

describe('sim warning events', () => {
  it('aggregates repeats of one (namespace, object, reason) into a count, keeping the latest message', () => {
    const state = contractFixtureState(T0, createRng(1));
    state.events = [];
    recordEvent(state, { namespace: 'payments', object: 'pod/api-1', reason: 'BackOff', message: 'first' });
    state.now = new Date(T0.getTime() + 5_000).toISOString();
    recordEvent(state, { namespace: 'payments', object: 'pod/api-1', reason: 'BackOff', message: 'second' });
    recordEvent(state, { namespace: 'payments', object: 'pod/api-1', reason: 'Unhealthy', message: 'other reason' });
    expect(state.events).toHaveLength(2);
    const backoff = state.events.find((e) => e.reason === 'BackOff')!;
    expect(backoff).toMatchObject({ count: 2, message: 'second', firstSeen: T0.toISOString(), lastSeen: state.now });
  });

  it('expires events not seen within the TTL and bounds how many are kept, newest first', () => {
    const state = contractFixtureState(T0, createRng(1));
    state.events = [];
    recordEvent(state, { namespace: 'a', object: 'pod/old', reason: 'X', message: 'old' });
    state.now = new Date(T0.getTime() + EVENT_TTL_MS + 1).toISOString();
    for (let i = 0; i < MAX_EVENTS + 10; i += 1) recordEvent(state, { namespace: 'a', object: `pod/p${i}`, reason: 'X', message: 'new' });
    expireEvents(state);
    expect(state.events).toHaveLength(MAX_EVENTS);
    expect(state.events.some((e) => e.object === 'pod/old')).toBe(false);
  });
});
