// Private key files: PKCS#8 PEM, mode 0600, in a directory of mode 0700. The one place key files are
// read, written and have their mode checked, so the crypto modules (keys.ts, secrets.ts) stay free of
// file I/O and are tested without a disk.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FlotillaError } from './errors.js';
import { signingKeyFromPem, signingKeyToPem, type SigningKey } from './keys.js';
import { encryptionKeyFromPem, encryptionKeyToPem, type EncryptionKey } from './secrets.js';

function readPem(path: string, what: string, next: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new FlotillaError('config', `cannot read ${what} ${path}: ${(e as Error).message}`, next, { cause: e });
  }
}

function writePem(path: string, pem: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, pem, { mode: 0o600 });
}

export function writePrivateKeyFile(path: string, key: SigningKey): void {
  writePem(path, signingKeyToPem(key));
}

export function readPrivateKeyFile(path: string): SigningKey {
  return signingKeyFromPem(readPem(path, 'signing key', 'Check the path in your config, or run `flotilla init` to create keys.'), path);
}

export function writeEncryptionKeyFile(path: string, key: EncryptionKey): void {
  writePem(path, encryptionKeyToPem(key));
}

export function readEncryptionKeyFile(path: string): EncryptionKey {
  return encryptionKeyFromPem(readPem(path, 'encryption key', 'Restore the agent data dir from backup, or re-register the agent.'), path);
}

export interface KeyFileKind<K> {
  read: (path: string) => K;
  write: (path: string, key: K) => void;
  generate: () => K;
}

/**
 * The key in `path`, created there on first use. The new file is written beside it and renamed into
 * place, so a crash never leaves half a key; `next` says what to do when the directory is not writable.
 */
/** The key at path, created on first use; `replace` writes a new one over it (a new registration). */
export function loadOrCreateKeyFile<K>(path: string, kind: KeyFileKind<K>, next: string, opts: { replace?: boolean } = {}): { key: K; created: boolean } {
  if (!opts.replace && existsSync(path)) {
    const key = kind.read(path);
    // A key restored from backup may come back readable by others; tighten rather than refuse.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { key, created: false };
  }
  const key = kind.generate();
  const tmp = `${path}.new`;
  try {
    kind.write(tmp, key);
    renameSync(tmp, path);
  } catch (e) {
    throw new FlotillaError('config', `cannot write the key file ${path}: ${(e as Error).message}`, next, { cause: e });
  }
  return { key, created: true };
}
