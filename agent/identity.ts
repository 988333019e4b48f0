// The agent's keys: Ed25519 for signing (agent.key) and X25519 that secrets are sealed to
// (agent-encryption.key), each created once in the data dir (mode 0600) and reused on every start.
// Only the public halves ever leave the machine, inside the registration envelope.
import { chmodSync, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../core/errors.js';
import { generateSigningKey, readPrivateKeyFile, writePrivateKeyFile, type SigningKey } from '../core/keys.js';
import { generateEncryptionKey, readEncryptionKeyFile, writeEncryptionKeyFile, type EncryptionKey } from '../core/secrets.js';

export const AGENT_KEY_FILE = 'agent.key';
export const AGENT_ENCRYPTION_KEY_FILE = 'agent-encryption.key';

export interface AgentIdentity {
  key: SigningKey;
  encryption: EncryptionKey;
  path: string;
  created: boolean;
}

function loadOrCreate<K>(path: string, read: (p: string) => K, create: () => K, write: (p: string, k: K) => void, replace = false): { key: K; created: boolean } {
  if (!replace && existsSync(path)) {
    const key = read(path);
    // A key restored from backup may come back world-readable; tighten rather than refuse.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { key, created: false };
  }
  const key = create();
  const tmp = `${path}.new`;
  try {
    write(tmp, key);
    renameSync(tmp, path);
  } catch (e) {
    throw new FlotillaError('config', `cannot write the agent key ${path}: ${(e as Error).message}`, 'Make the agent data dir writable by this user, or set agent.dataDir to a directory that is.', { cause: e });
  }
  return { key, created: true };
}

/** The keys in dataDir, created on a first start; `replace` creates new ones over them (a new registration). */
export function loadOrCreateAgentKey(dataDir: string, opts: { replace?: boolean } = {}): AgentIdentity {
  const path = join(dataDir, AGENT_KEY_FILE);
  const signing = loadOrCreate(path, readPrivateKeyFile, generateSigningKey, writePrivateKeyFile, opts.replace);
  const encryption = loadOrCreate(join(dataDir, AGENT_ENCRYPTION_KEY_FILE), readEncryptionKeyFile, generateEncryptionKey, writeEncryptionKeyFile, opts.replace);
  return { key: signing.key, encryption: encryption.key, path, created: signing.created };
}
