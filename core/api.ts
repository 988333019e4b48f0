// REST payloads (docs/API.md), shared by the daemon's routes and the CLI's client.
import type { ClusterRow } from './fleet.js';
import type { Role } from './roles.js';

export const API_PREFIX = '/api/v1';

export interface Identity {
  tokenId: string;
  name: string;
  role: Role;
}

export interface InfoResponse {
  version: string;
  publicUrl: string;
  store: string;
  dataDir: string;
  registry: string;
  controlPlane: { keyid: string; publicKey: string };
  clusters: number;
  identity: Identity;
}

export interface ClusterAddRequest {
  name: string;
  labels?: Record<string, string>;
  /** Duration text ("24h"); the cluster expires this long after it is added. */
  ttl?: string;
  /** Report interval written into the bundle; default the daemon's status.intervalSeconds. */
  intervalSeconds?: number;
}

/**
 * `Bundle` is the agent bootstrap bundle, an AgentConfig (config/schemas.ts). core sits below config,
 * so the side that knows the schema names the type: the CLI client reads it as AgentConfig.
 */
export interface ClusterAddResponse<Bundle = Record<string, unknown>> {
  cluster: ClusterRow;
  /** The agent bootstrap bundle; it holds the one-time token and is shown only in this response. */
  bundle: Bundle;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface TokenCreateRequest {
  role: Role;
  name?: string;
  ttl?: string;
}

export interface TokenCreateResponse extends TokenInfo {
  /** The secret, shown once; the daemon keeps only its hash. */
  token: string;
}

export interface ListResponse<T> {
  items: T[];
}

/** One hash-chained audit record: hash = sha256(prevHash + canonical JSON of the other fields). */
export interface AuditRecord {
  seq: number;
  at: string;
  actor: { id: string; name: string };
  action: string;
  target: string;
  allowed: boolean;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
