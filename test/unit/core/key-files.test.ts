import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../core/errors.js';
import { loadOrCreateKeyFile, readEncryptionKeyFile, readPrivateKeyFile, writeEncryptionKeyFile, writePrivateKeyFile } from '../../../core/key-files.js';
import { generateSigningKey, publicKeyToBase64, signingKeyFromPem, signingKeyToPem } from '../../../core/keys.js';
import { encryptionKeyFromPem, encryptionKeyToBase64, encryptionKeyToPem, generateEncryptionKey } from '../../../core/secrets.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const signingKind = { read: readPrivateKeyFile, write: writePrivateKeyFile, generate: generateSigningKey };

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function thrown(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlotillaError) return e;
    throw e;
  }
  throw new Error('expected a FlotillaError');
}

describe('PEM keys without files', () => {
  it('round-trips a signing key and keeps its key id', () => {
    const key = generateSigningKey();
    const back = signingKeyFromPem(signingKeyToPem(key), 'k.pem');
    expect(back.keyid).toBe(key.keyid);
    expect(publicKeyToBase64(back.publicKey)).toBe(publicKeyToBase64(key.publicKey));
  });

  it('round-trips an encryption key', () => {
    const key = generateEncryptionKey();
    expect(encryptionKeyToBase64(encryptionKeyFromPem(encryptionKeyToPem(key), 'e.pem').publicKey)).toBe(encryptionKeyToBase64(key.publicKey));
  });

  it('refuses text that is not a PEM key, and a key of the other kind, as config errors naming the source', () => {
    const notPem = thrown(() => signingKeyFromPem('hello', '/etc/flotilla/cp.key'));
    expect(notPem.kind).toBe('config');
    expect(notPem.message).toContain('/etc/flotilla/cp.key');
    expect(thrown(() => signingKeyFromPem(encryptionKeyToPem(generateEncryptionKey()), 'x.key')).message).toContain('x25519, not ed25519');
    expect(thrown(() => encryptionKeyFromPem('hello', 'e.key')).kind).toBe('config');
    expect(thrown(() => encryptionKeyFromPem(signingKeyToPem(generateSigningKey()), 'e.key')).message).toContain('ed25519, not an x25519 key');
  });
});

describe('key files', () => {
  it('writes a private key readable by its owner only, in a directory only its owner can enter', () => {
    const dir = join(tempDir(), 'keys');
    const path = join(dir, 'controlplane.key');
    const key = generateSigningKey();
    writePrivateKeyFile(path, key);
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o700);
    expect(readPrivateKeyFile(path).keyid).toBe(key.keyid);
  });

  it('reads back an encryption key file', () => {
    const path = join(tempDir(), 'agent-encryption.key');
    const key = generateEncryptionKey();
    writeEncryptionKeyFile(path, key);
    expect(modeOf(path)).toBe(0o600);
    expect(encryptionKeyToBase64(readEncryptionKeyFile(path).publicKey)).toBe(encryptionKeyToBase64(key.publicKey));
  });

  it('says what to do when a key file is missing', () => {
    const missing = thrown(() => readPrivateKeyFile(join(tempDir(), 'nope.key')));
    expect(missing.kind).toBe('config');
    expect(missing.message).toMatch(/cannot read signing key .*nope\.key/);
    expect(missing.next).toContain('flotilla init');
    expect(thrown(() => readEncryptionKeyFile(join(tempDir(), 'nope.key'))).message).toMatch(/cannot read encryption key/);
  });
});

describe('loadOrCreateKeyFile', () => {
  it('creates the key once and returns the same key on the next load', () => {
    const path = join(tempDir(), 'agent.key');
    const first = loadOrCreateKeyFile(path, signingKind, 'fix the dir');
    expect(first.created).toBe(true);
    expect(modeOf(path)).toBe(0o600);
    const second = loadOrCreateKeyFile(path, signingKind, 'fix the dir');
    expect(second).toMatchObject({ created: false });
    expect(second.key.keyid).toBe(first.key.keyid);
  });

  it('tightens a key file that came back readable by others, and keeps the key', () => {
    const path = join(tempDir(), 'agent.key');
    const { key } = loadOrCreateKeyFile(path, signingKind, 'fix the dir');
    chmodSync(path, 0o644);
    expect(loadOrCreateKeyFile(path, signingKind, 'fix the dir').key.keyid).toBe(key.keyid);
    expect(modeOf(path)).toBe(0o600);
  });

  it('refuses an unreadable existing key rather than replacing it', () => {
    const path = join(tempDir(), 'agent.key');
    writeFileSync(path, 'not a key', { mode: 0o600 });
    expect(thrown(() => loadOrCreateKeyFile(path, signingKind, 'fix the dir')).kind).toBe('config');
    expect(readFileSync(path, 'utf8')).toBe('not a key');
  });

  it('reports an unwritable directory with the caller’s next step', () => {
    // A regular file where the directory should be: the write fails for every user, root included.
    const blocker = join(tempDir(), 'not-a-dir');
    writeFileSync(blocker, '');
    const e = thrown(() => loadOrCreateKeyFile(join(blocker, 'agent.key'), signingKind, 'Make the agent data dir writable.'));
    expect(e.kind).toBe('config');
    expect(e.message).toContain('cannot write the key file');
    expect(e.next).toBe('Make the agent data dir writable.');
  });

  it('leaves no half-written key behind when the write fails', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'agent.key.new'));
    expect(() => loadOrCreateKeyFile(join(dir, 'agent.key'), signingKind, 'fix the dir')).toThrow(FlotillaError);
    expect(() => statSync(join(dir, 'agent.key'))).toThrow();
  });
});
