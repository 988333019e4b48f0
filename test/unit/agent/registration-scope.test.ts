import { describe, expect, it } from 'vitest';
import { bundleFingerprint, planIdentity, retireBundle } from '../../../agent/registration-scope.js';
import { tokenHash } from '../../../core/registration.js';
import type { AgentState } from '../../../agent/state.js';

const state = (over: Partial<AgentState> = {}): AgentState => ({ version: 1, cluster: 'c', keyid: 'ed25519:aa', registeredAt: 't', lastSeq: 3, ...over });

describe('registration scope of an agent data dir', () => {
  it('names a bundle by its token, stably, without revealing the token or the daemon’s proof key', () => {
    const token = 'bootstrap-token-0123456789abcdef';
    expect(bundleFingerprint(token)).toBe(bundleFingerprint(token));
    expect(bundleFingerprint(token)).toMatch(/^[0-9a-f]{32}$/);
    expect(bundleFingerprint(`${token}x`)).not.toBe(bundleFingerprint(token));
    expect(bundleFingerprint(token)).not.toContain(token);
    expect(tokenHash(token)).not.toContain(bundleFingerprint(token));
  });

  it('keeps the keys for the same bundle, adopts old state, and starts a new registration for another bundle', () => {
    const fp = bundleFingerprint('token-of-the-first-registration');
    expect(planIdentity(null, fp)).toEqual({ kind: 'first' });
    expect(planIdentity(state({ bundle: fp }), fp)).toEqual({ kind: 'same' });
    expect(planIdentity(state(), fp)).toEqual({ kind: 'adopt' });
    expect(planIdentity(state({ bundle: fp }), bundleFingerprint('token-after-cluster-rm-and-add'))).toEqual({ kind: 'new_registration', previousKeyid: 'ed25519:aa' });
  });

  it('refuses the bundle of a registration the data dir has left, instead of throwing its current keys away', () => {
    const first = bundleFingerprint('token-1');
    const second = bundleFingerprint('token-2');
    const moved = state({ bundle: second, retiredBundles: retireBundle(state({ bundle: first })) });
    expect(moved.retiredBundles).toEqual([first]);
    expect(planIdentity(moved, first)).toEqual({ kind: 'retired_bundle', keyid: 'ed25519:aa' });
    expect(planIdentity(moved, second)).toEqual({ kind: 'same' });
    // The list stays bounded, newest first.
    let s = state({ bundle: bundleFingerprint('t0') });
    for (let i = 1; i <= 40; i += 1) s = state({ bundle: bundleFingerprint(`t${i}`), retiredBundles: retireBundle(s) });
    expect(s.retiredBundles).toHaveLength(32);
    expect(s.retiredBundles?.[0]).toBe(bundleFingerprint('t39'));
  });
});
