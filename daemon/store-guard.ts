// The daemon serves only from a store that a control plane already uses: `flotilla init` made it and
// every daemon start publishes controlplane/public-key.json there. A missing directory (a typo) or an
// empty one (an NFS share that is not mounted, a wrong S3 prefix) would otherwise give a daemon on an
// empty local store while the agents write elsewhere; it is refused (exit 78) unless store.create says
// starting a new store is intended.
import { mkdirSync, statSync } from 'node:fs';
import type { DaemonStoreConfig } from '../config/schemas.js';
import { FlotillaError } from '../core/errors.js';
import { storeKeys, type ObjectStore } from '../core/store/types.js';

const CREATE = 'set store.create: true in daemon.yaml to start a new, empty store there';

function where(config: DaemonStoreConfig): string {
  return config.type === 'dir' ? config.path : `s3://${config.bucket}/${config.prefix}`;
}

/** For a directory store: the directory must exist (or store.create makes it). */
export function prepareStoreDirectory(config: DaemonStoreConfig): void {
  if (config.type !== 'dir') return;
  let isDir: boolean;
  try {
    isDir = statSync(config.path).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new FlotillaError('config', `store directory ${config.path}: ${(e as Error).message}`, 'Check store.path in daemon.yaml and that this user may read it.', { cause: e });
    if (!config.create) {
      throw new FlotillaError('config', `store directory ${config.path} does not exist`, `Check store.path in daemon.yaml (a typo? an NFS share that is not mounted?); \`flotilla init\` creates a store, or ${CREATE}.`, { details: { path: config.path } });
    }
    // shared with agents, possibly running as other users: the store keeps the umask's mode, unlike the data dir
    mkdirSync(config.path, { recursive: true });
    return;
  }
  if (!isDir) throw new FlotillaError('config', `store path ${config.path} is not a directory`, 'Point store.path in daemon.yaml at the store directory.', { details: { path: config.path } });
}

/** The store must already hold a control plane's public key, unless store.create allows a new store. */
export async function assertKnownStore(config: DaemonStoreConfig, store: ObjectStore): Promise<void> {
  if (config.create) return;
  if (await store.head(storeKeys.controlPlaneKey())) return;
  const hint = config.type === 'dir' ? 'Mount the share if it is not mounted, or fix store.path in daemon.yaml' : 'Fix store.bucket and store.prefix in daemon.yaml';
  throw new FlotillaError('config', `store ${where(config)} has no ${storeKeys.controlPlaneKey()}: no control plane uses it (it was not made by \`flotilla init\`)`, `${hint}; or ${CREATE}.`, { details: { store: where(config) } });
}
