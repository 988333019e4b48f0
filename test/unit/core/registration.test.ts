import { describe, expect, it } from 'vitest';
import { proofMatches, registrationProof, tokenHash, type Registration } from '../../../core/registration.js';

describe('registration proof', () => {
  const token = 'flt_boot_abcdefghijklmnopqrstuvwxyz';
  const reg = (over: Partial<Registration> = {}): Registration => {
    const base = { cluster: 'edge-1', keyid: 'ed25519:00', publicKey: 'PUB', encryptionKey: 'ENC', agentVersion: '0', registeredAt: '2026-01-01T00:00:00Z' };
    return { ...base, proof: registrationProof(tokenHash(token), base.cluster, base.keyid, base.publicKey, base.encryptionKey), ...over };
  };

  it('matches for the token the daemon holds the hash of', () => {
    expect(proofMatches(tokenHash(token), reg())).toBe(true);
  });

  it('binds the proof to the cluster, the key id, the signing key and the encryption key', () => {
    const h = tokenHash(token);
    expect(proofMatches(h, reg({ cluster: 'edge-2' }))).toBe(false);
    expect(proofMatches(h, reg({ keyid: 'ed25519:01' }))).toBe(false);
    expect(proofMatches(h, reg({ publicKey: 'OTHER' }))).toBe(false);
    expect(proofMatches(h, reg({ encryptionKey: 'OTHER' }))).toBe(false);
    expect(proofMatches(tokenHash(`${token}x`), reg())).toBe(false);
  });

  it('never contains the token itself', () => {
    expect(JSON.stringify(reg())).not.toContain(token);
  });
});
