// `flotilla init`: a new control plane in a data directory — daemon.yaml, signing key, migrated
// registry, store with the published public key, and the first admin token (returned once).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlotillaError } from '../core/errors.js';
import { writePrivateKeyFile } from '../core/key-files.js';
import { generateSigningKey } from '../core/keys.js';
import { DirStore } from '../core/store/dir.js';
import { daemonYaml } from './config-file.js';
import { publishControlPlaneKey } from './publish-key.js';
import { Registry } from './registry/registry.js';

export async function initControlPlane(opts: { dataDir: string; host?: string; port?: number; force?: boolean }): Promise<{ configPath: string; token: string; tokenId: string; keyid: string }> {
  const dataDir = resolve(opts.dataDir);
  const configPath = join(dataDir, 'daemon.yaml');
  if (existsSync(configPath) && !opts.force) {
    throw new FlotillaError('conflict', `${configPath} already exists`, 'Choose an empty --data directory, or pass --force to replace the config, the signing key and add a new admin token.');
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const key = generateSigningKey();
    writePrivateKeyFile(join(dataDir, 'keys', 'controlplane.key'), key);
    const store = new DirStore(join(dataDir, 'store'));
    mkdirSync(store.root, { recursive: true });
    await publishControlPlaneKey(store, key);
    const registry = Registry.open(join(dataDir, 'registry.db'));
    let created;
    try {
      created = registry.tx(() => {
        const t = registry.tokens.create({ role: 'admin', name: 'admin', expiresAt: null });
        registry.audit.append({ actor: { id: 'init', name: 'flotilla init' }, action: 'token.create', target: t.name, allowed: true, detail: { role: t.role, tokenId: t.id } });
        return t;
      });
    } finally {
      registry.close();
    }
    // Written last: its presence means the data directory is complete.
    writeFileSync(configPath, daemonYaml({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 7420 }), { mode: 0o600 });
    return { configPath, token: created.token, tokenId: created.id, keyid: key.keyid };
  } catch (e) {
    if (e instanceof FlotillaError) throw e;
    throw new FlotillaError('config', `cannot initialise ${dataDir}: ${(e as Error).message}`, 'Check that the directory is writable by this user, or choose another with --data.', { cause: e });
  }
}
