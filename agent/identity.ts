// The agent's Ed25519 key: created once in the data dir (agent.key, mode 0600) and reused on every
// start. Only the public half ever leaves the machine, inside the registration envelope.
import { chmodSync, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../core/errors.js';
import { generateSigningKey, readPrivateKeyFile, writePrivateKeyFile, type SigningKey } from '../core/keys.js';

export const AGENT_KEY_FILE = 'agent.key';

export interface AgentIdentity {
  key: SigningKey;
  path: string;
  created: boolean;
}

export function loadOrCreateAgentKey(dataDir: string): AgentIdentity {
  const path = join(dataDir, AGENT_KEY_FILE);
  if (existsSync(path)) {
    const key = readPrivateKeyFile(path);
    // A key restored from backup may come back world-readable; tighten rather than refuse.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { key, path, created: false };
  }
  const key = generateSigningKey();
  const tmp = `${path}.new`;
  try {
    writePrivateKeyFile(tmp, key);
    renameSync(tmp, path);
  } catch (e) {
    throw new FlotillaError('config', `cannot write the agent key ${path}: ${(e as Error).message}`, 'Make the agent data dir writable by this user, or set agent.dataDir to a directory that is.', { cause: e });
  }
  return { key, path, created: true };
}
