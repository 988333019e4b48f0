// The agent's keys: Ed25519 for signing (agent.key) and X25519 that secrets are sealed to
// (agent-encryption.key), each created once in the data dir (mode 0600) and reused on every start.
// Only the public halves ever leave the machine, inside the registration envelope.
import { join } from 'node:path';
import { loadOrCreateKeyFile, readEncryptionKeyFile, readPrivateKeyFile, writeEncryptionKeyFile, writePrivateKeyFile } from '../core/key-files.js';
import { generateSigningKey, type SigningKey } from '../core/keys.js';
import { generateEncryptionKey, type EncryptionKey } from '../core/secrets.js';

export const AGENT_KEY_FILE = 'agent.key';
export const AGENT_ENCRYPTION_KEY_FILE = 'agent-encryption.key';

const UNWRITABLE_NEXT = 'Make the agent data dir writable by this user, or set agent.dataDir to a directory that is.';

export interface AgentIdentity {
  key: SigningKey;
  encryption: EncryptionKey;
  path: string;
  created: boolean;
}

/** The keys in dataDir, created on a first start; `replace` creates new ones over them (a new registration). */
export function loadOrCreateAgentKey(dataDir: string, opts: { replace?: boolean } = {}): AgentIdentity {
  const path = join(dataDir, AGENT_KEY_FILE);
  const signing = loadOrCreateKeyFile(path, { read: readPrivateKeyFile, write: writePrivateKeyFile, generate: generateSigningKey }, UNWRITABLE_NEXT, opts);
  const encryption = loadOrCreateKeyFile(join(dataDir, AGENT_ENCRYPTION_KEY_FILE), { read: readEncryptionKeyFile, write: writeEncryptionKeyFile, generate: generateEncryptionKey }, UNWRITABLE_NEXT, opts);
  return { key: signing.key, encryption: encryption.key, path, created: signing.created };
}
