import { describe, expect, it } from 'vitest';
import { generateEncryptionKey, seal, sealContext } from '../../../core/secrets.js';
import { maskSealed, maskSealedFields, SEALED_PLACEHOLDER } from '../../../core/sealed.js';

const box = seal(Buffer.from('{"password":"hunter2"}'), generateEncryptionKey().publicKey, sealContext('c', 'job-1'));

describe('maskSealed', () => {
  it('replaces whatever sits under a `sealed` key, box or not', () => {
    expect(maskSealedFields({ name: 'db', sealed: box })).toEqual({ name: 'db', sealed: SEALED_PLACEHOLDER });
    expect(maskSealedFields({ sealed: 'anything at all' })).toEqual({ sealed: SEALED_PLACEHOLDER });
  });

  it('replaces an object shaped like a sealed box at any depth, under any key', () => {
    expect(maskSealed({ nested: [{ box }], deeper: { list: [1, { again: box }] } })).toEqual({ nested: [{ box: SEALED_PLACEHOLDER }], deeper: { list: [1, { again: SEALED_PLACEHOLDER }] } });
    expect(maskSealed(box)).toBe(SEALED_PLACEHOLDER);
  });

  it('never lets ciphertext or the algorithm through', () => {
    const text = JSON.stringify(maskSealedFields({ a: box, b: [box], sealed: box }));
    expect(text).not.toContain(box.ct);
    expect(text).not.toContain(box.alg);
  });

  it('leaves plain values, arrays and objects as they were', () => {
    const plain = { replicas: 3, namespaces: ['web', 'api'], selector: { app: 'x' }, note: null, ok: true };
    expect(maskSealedFields(plain)).toEqual(plain);
    expect(maskSealed('text')).toBe('text');
    expect(maskSealed(null)).toBeNull();
  });
});
