// Sealed boxes for secrets that travel through the untrusted store (rotate-credentials): an ephemeral
// X25519 key agrees a secret with the cluster's X25519 key, HKDF-SHA256 derives an AES-256-GCM key,
// and the associated data binds the box to one cluster and one job, so it cannot be replayed into
// another. Only the agent's private key (never leaving its data dir) can open it. No file I/O here:
// key-files.ts reads and writes the key file.
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { FlotillaError } from './errors.js';
import type { Sealed } from './jobs.js';

const ALG = 'X25519-HKDF-SHA256-A256GCM' as const;
const INFO = Buffer.from('flotilla sealed secret v1');

export interface EncryptionKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateEncryptionKey(): EncryptionKey {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey };
}

export function encryptionKeyToBase64(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

export function encryptionKeyFromBase64(text: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch (e) {
    throw new FlotillaError('rejected', 'encryption key is not a valid base64 SPKI key', 'The agent publishes its key at registration; re-register the agent.', { cause: e });
  }
  if (key.asymmetricKeyType !== 'x25519') {
    throw new FlotillaError('rejected', `encryption key is ${key.asymmetricKeyType ?? 'unknown'}, not x25519`, 'Use the key the agent generated.');
  }
  return key;
}

export function encryptionKeyToPem(key: EncryptionKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** Parses a PKCS#8 PEM X25519 private key; `path` names where it came from in errors. */
export function encryptionKeyFromPem(pem: string, path: string): EncryptionKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new FlotillaError('config', `${path} is not a valid PEM private key`, 'Restore the agent data dir from backup, or re-register the agent.', { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'x25519') {
    throw new FlotillaError('config', `${path} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not an x25519 key`, 'Restore the agent data dir from backup, or re-register the agent.');
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function deriveKey(shared: Buffer, epk: Buffer, rpk: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, rpk]), INFO, 32));
}

/** Seals plaintext to a recipient's X25519 public key; `context` (e.g. "cluster\njob-id") must match on open. */
export function seal(plaintext: Buffer, recipient: KeyObject, context: string): Sealed {
  const eph = generateKeyPairSync('x25519');
  const epk = eph.publicKey.export({ format: 'der', type: 'spki' });
  const rpk = recipient.export({ format: 'der', type: 'spki' });
  const key = deriveKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), epk, rpk);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { alg: ALG, epk: epk.toString('base64'), iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Opens a sealed box; throws a 'rejected' FlotillaError if it was not sealed to this key and context. */
export function open(sealed: Sealed, key: EncryptionKey, context: string): Buffer {
  try {
    const epkDer = Buffer.from(sealed.epk, 'base64');
    const epk = createPublicKey({ key: epkDer, format: 'der', type: 'spki' });
    const rpk = key.publicKey.export({ format: 'der', type: 'spki' });
    const aesKey = deriveKey(diffieHellman({ privateKey: key.privateKey, publicKey: epk }), epkDer, rpk);
    const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch (e) {
    throw new FlotillaError('rejected', 'sealed secret does not open with this cluster key', 'The secret was sealed to another key or context; submit the job again.', { cause: e });
  }
}

/** The associated data binding a sealed secret to one job of one cluster. */
export function sealContext(cluster: string, jobId: string): string {
  return `${cluster}\n${jobId}`;
}
