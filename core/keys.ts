// Ed25519 key handling on node:crypto, with no file I/O (key-files.ts reads and writes the files).
// Private keys are PKCS#8 PEM and never leave their owner's data dir; public keys travel as one-line
// base64 SPKI DER so they fit in YAML and JSON, and are named by a key id derived from their bytes.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FlotillaError } from './errors.js';

export interface SigningKey {
  keyid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyid: keyIdOf(publicKey), privateKey, publicKey };
}

export function publicKeyToBase64(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

export function publicKeyFromBase64(text: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch (e) {
    throw new FlotillaError('rejected', 'public key is not a valid base64 SPKI key', 'Re-export the key with `flotilla info`.', { cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new FlotillaError('rejected', `public key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`, 'Use the Ed25519 key Flotilla generated.');
  }
  return key;
}

/** Key ids are the SHA-256 of the SPKI bytes: stable, and a forger cannot pick one for a key they do not hold. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 32)}`;
}

export function signingKeyToPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** Parses a PKCS#8 PEM Ed25519 private key; `path` names where it came from in errors. */
export function signingKeyFromPem(pem: string, path: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new FlotillaError('config', `signing key ${path} is not a valid PEM private key`, 'Restore the key from backup, or re-run `flotilla init` for a new control plane.', { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new FlotillaError('config', `signing key ${path} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not ed25519`, 'Use the key Flotilla generated.');
  }
  const publicKey = createPublicKey(privateKey);
  return { keyid: keyIdOf(publicKey), privateKey, publicKey };
}
