// Pure: the agent bootstrap bundle for a newly added cluster, valid under AgentConfigSchema.
import { AgentConfigSchema, type AgentConfig, type DaemonStoreConfig } from '../config/schemas.js';
import type { StoreConfig } from '../core/store/config.js';

export interface BundleInput {
  cluster: string;
  /** The daemon's store: a dir keeps its absolute path (as an agent on this machine or NFS mount sees it), S3 its bucket settings; credentials never travel in a bundle. */
  store: StoreConfig | DaemonStoreConfig;
  controlPlane: { keyid: string; publicKey: string };
  bootstrapToken: string;
  publicUrl: string;
  intervalSeconds: number;
}

/** `create` is the daemon's own permission; an agent never starts a store. */
function storeForAgents(store: StoreConfig | DaemonStoreConfig): StoreConfig {
  const { create: _daemonOnly, ...shared } = store as DaemonStoreConfig;
  return shared;
}

export function buildBundle(b: BundleInput): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: b.cluster,
    store: storeForAgents(b.store),
    controlPlane: b.controlPlane,
    bootstrapToken: b.bootstrapToken,
    server: b.publicUrl,
    status: { intervalSeconds: b.intervalSeconds },
  });
}
