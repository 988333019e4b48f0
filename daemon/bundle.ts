// Pure: the agent bootstrap bundle for a newly added cluster, valid under AgentConfigSchema.
import { AgentConfigSchema, type AgentConfig } from '../config/schemas.js';

export interface BundleInput {
  cluster: string;
  /** Absolute store path, as the agent on this machine (or NFS mount) sees it. */
  storePath: string;
  pollIntervalMs: number;
  controlPlane: { keyid: string; publicKey: string };
  bootstrapToken: string;
  publicUrl: string;
  intervalSeconds: number;
}

export function buildBundle(b: BundleInput): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: b.cluster,
    store: { type: 'dir', path: b.storePath, pollIntervalMs: b.pollIntervalMs },
    controlPlane: b.controlPlane,
    bootstrapToken: b.bootstrapToken,
    server: b.publicUrl,
    status: { intervalSeconds: b.intervalSeconds },
  });
}
