import { describe, expect, it } from 'vitest';
import { SealedSchema } from '../../../core/jobs.js';
import { encryptionKeyFromBase64, encryptionKeyToBase64, generateEncryptionKey, open, seal, sealContext } from '../../../core/secrets.js';
import { generateSigningKey } from '../../../core/keys.js';

describe('sealed secrets', () => {
  const agent = generateEncryptionKey();
  const context = sealContext('edge-1', '0b9d0c4e-5d9a-4b4e-9d6f-0c6f3b1c2a11');
  const secret = Buffer.from(JSON.stringify({ password: 's3cr3t-value' }));

  it('opens with the recipient key and the same context', () => {
    const box = seal(secret, encryptionKeyFromBase64(encryptionKeyToBase64(agent.publicKey)), context);
    expect(SealedSchema.parse(box)).toEqual(box);
    expect(open(box, agent, context).toString()).toBe(secret.toString());
  });

  it('never carries the plaintext', () => {
    const box = seal(secret, agent.publicKey, context);
    expect(JSON.stringify(box)).not.toContain('s3cr3t');
    expect(Buffer.from(box.ct, 'base64').toString()).not.toContain('s3cr3t');
  });

  it('gives a different box every time (ephemeral key and IV)', () => {
    expect(seal(secret, agent.publicKey, context).ct).not.toBe(seal(secret, agent.publicKey, context).ct);
  });

  it('refuses another key, another context, and any tampering', () => {
    const box = seal(secret, agent.publicKey, context);
    expect(() => open(box, generateEncryptionKey(), context)).toThrow(/does not open/);
    expect(() => open(box, agent, sealContext('edge-2', '0b9d0c4e-5d9a-4b4e-9d6f-0c6f3b1c2a11'))).toThrow(/does not open/);
    const flipped = Buffer.from(box.ct, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => open({ ...box, ct: flipped.toString('base64') }, agent, context)).toThrow(/does not open/);
    expect(() => open({ ...box, tag: Buffer.alloc(16).toString('base64') }, agent, context)).toThrow(/does not open/);
  });

  it('accepts only X25519 public keys', () => {
    const ed = generateSigningKey().publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(() => encryptionKeyFromBase64(ed)).toThrow(/not x25519/);
  });
});
