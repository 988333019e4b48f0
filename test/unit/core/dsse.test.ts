import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvelopeRejected, openEnvelope, pae, PAYLOAD_TYPES, sealEnvelope, type Envelope, type RejectionReason } from '../../../core/dsse.js';
import { generateSigningKey, keyIdOf, publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';

const key = generateSigningKey();
const other = generateSigningKey();
const trusted = (id: string) => (id === key.keyid ? key.publicKey : undefined);
const open = (raw: Buffer | string, payloadType: string = PAYLOAD_TYPES.status, maxBytes = 64 * 1024) =>
  openEnvelope(Buffer.isBuffer(raw) ? raw : Buffer.from(raw), { payloadType, maxBytes, keyFor: trusted });

function rejection(fn: () => unknown): RejectionReason {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvelopeRejected) return e.reason;
    throw e;
  }
  throw new Error('expected a rejection');
}

function tamper(raw: Buffer, change: (e: Envelope) => void): Buffer {
  const env = JSON.parse(raw.toString('utf8')) as Envelope;
  change(env);
  return Buffer.from(JSON.stringify(env));
}

describe('DSSE pre-authentication encoding', () => {
  it('matches the DSSE v1 specification byte for byte', () => {
    // The example from the DSSE protocol document.
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters', () => {
    expect(pae('t', Buffer.from('é')).toString('utf8')).toBe('DSSEv1 1 t 2 é');
  });
});

describe('sealEnvelope / openEnvelope', () => {
  const payload = { cluster: 'a', seq: 1, note: 'ünïcödé' };
  const sealed = sealEnvelope(PAYLOAD_TYPES.status, payload, key);

  it('round-trips a payload signed by a trusted key', () => {
    expect(open(sealed)).toEqual({ payload, keyid: key.keyid });
  });

  it('produces a standard DSSE envelope that verifies over the PAE', () => {
    const env = JSON.parse(sealed.toString()) as Envelope;
    expect(env.payloadType).toBe(PAYLOAD_TYPES.status);
    expect(env.signatures).toHaveLength(1);
    expect(env.signatures[0]?.keyid).toBe(key.keyid);
    const body = Buffer.from(env.payload, 'base64');
    expect(JSON.parse(body.toString())).toEqual(payload);
  });

  it('accepts an envelope when any one signature is by a trusted key', () => {
    const twice = tamper(sealed, (e) => e.signatures.unshift({ keyid: other.keyid, sig: Buffer.alloc(64).toString('base64') }));
    expect(open(twice).keyid).toBe(key.keyid);
  });

  const cases: [string, () => Buffer | string, RejectionReason, string?][] = [
    ['oversize', () => Buffer.alloc(2000, 0x20), 'oversize'],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_utf8'],
    ['truncated JSON', () => sealed.subarray(0, sealed.length - 10), 'malformed_json'],
    ['a JSON array', () => '[]', 'malformed_envelope'],
    ['no signatures field', () => JSON.stringify({ payloadType: PAYLOAD_TYPES.status, payload: '' }), 'malformed_envelope'],
    ['a payload that is not base64', () => tamper(sealed, (e) => (e.payload = 'not base64!')), 'malformed_envelope'],
    ['a payload in the base64url alphabet', () => tamper(sealed, (e) => (e.payload = '-_-_')), 'malformed_envelope'],
    ['a payload with its base64 padding left off', () => tamper(sealed, (e) => (e.payload = e.payload.replace(/=+$/, ''))), 'malformed_envelope'],
    ['a signature without keyid', () => tamper(sealed, (e) => (e.signatures = [{ sig: 'AA==' } as never])), 'malformed_envelope'],
    ['no signatures', () => tamper(sealed, (e) => (e.signatures = [])), 'bad_signature'],
    ['a different payload type', () => sealEnvelope(PAYLOAD_TYPES.registration, payload, key), 'wrong_payload_type'],
    ['an untrusted key', () => sealEnvelope(PAYLOAD_TYPES.status, payload, other), 'unknown_key'],
    ['an untrusted key claiming the trusted key id', () => sealEnvelope(PAYLOAD_TYPES.status, payload, { ...other, keyid: key.keyid }), 'bad_signature'],
    ['a changed payload', () => tamper(sealed, (e) => (e.payload = Buffer.from(JSON.stringify({ ...payload, seq: 2 })).toString('base64'))), 'bad_signature'],
    ['a changed payload type under the same signature', () => tamper(sealed, (e) => (e.payloadType = PAYLOAD_TYPES.status + ' ')), 'wrong_payload_type'],
    ['a signed payload that is not JSON', () => {
      const body = Buffer.from('not json');
      const sig = sign(null, pae(PAYLOAD_TYPES.status, body), key.privateKey).toString('base64');
      return JSON.stringify({ payloadType: PAYLOAD_TYPES.status, payload: body.toString('base64'), signatures: [{ keyid: key.keyid, sig }] });
    }, 'malformed_json'],
  ];
  for (const [name, make, reason] of cases) {
    it(`rejects ${name} as ${reason}`, () => {
      expect(rejection(() => open(make(), PAYLOAD_TYPES.status, name === 'oversize' ? 1000 : 64 * 1024))).toBe(reason);
    });
  }
});

describe('keys', () => {
  it('round-trips a public key through base64 SPKI and keeps its id', () => {
    const text = publicKeyToBase64(key.publicKey);
    expect(keyIdOf(publicKeyFromBase64(text))).toBe(key.keyid);
    expect(key.keyid).toMatch(/^ed25519:[0-9a-f]{32}$/);
  });

  it('refuses a key that is not Ed25519 or not a key at all', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(() => publicKeyFromBase64(rsa)).toThrow(/not ed25519/);
    expect(() => publicKeyFromBase64('AAAA')).toThrow(/not a valid/);
  });
});
