// REST payloads (docs/API.md), shared by the daemon's routes and the CLI's client.
import type { ClusterRow } from './fleet.js';
import type { Grant } from './access.js';
import type { Role } from './roles.js';

export const API_PREFIX = '/api/v1';

/** Where an identity was established: an API token, or an ID token of the configured OpenID provider. */
export const IDENTITY_PROVIDERS = ['token', 'oidc'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/**
 * Who is asking, independent of how they proved it. `subject` is unique within its provider (the
 * token id for `token`). Access is decided from its grants by daemon/auth/authorize.ts alone.
 */
export interface Identity {
  provider: IdentityProvider;
  subject: string;
  /** Display name (the token's name). */
  name: string;
  /** The highest role of its grants: what it is shown as. */
  role: Role;
  /** Each a role over a cluster scope (core/access.ts); absent: `role` over the whole fleet. */
  grants?: readonly Grant[];
  /** When the credential stops being accepted (an ID token's exp); absent for API tokens, whose expiry the registry holds. */
  expiresAt?: string;
  /** The OIDC groups the grants came from, as the token named them. */
  groups?: readonly string[];
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
  /** The label selector the role holds over; null for the whole fleet. */
  scope: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface TokenCreateRequest {
  role: Role;
  name?: string;
  ttl?: string;
  /** A label selector the role holds over (`team=payments,env!=prod`); absent for the whole fleet. */
  scope?: string;
}

export interface TokenCreateResponse extends TokenInfo {
  /** The secret, shown once; the daemon keeps only its hash. */
  token: string;
}

/** What a binding gives its role to: an OIDC subject (`sub`) or an OIDC group. */
export const BINDING_KINDS = ['subject', 'group'] as const;
export type BindingKind = (typeof BINDING_KINDS)[number];

/** A role over a cluster scope for an OIDC subject or group (docs/ACCESS.md). */
export interface BindingInfo {
  /** `bnd_…` for bindings made through the API; `config:N` for the Nth of daemon.yaml's auth.bindings. */
  id: string;
  kind: BindingKind;
  name: string;
  role: Role;
  /** The label selector the role holds over; null for the whole fleet. */
  scope: string | null;
  source: 'api' | 'config';
  createdAt: string | null;
  createdBy: string | null;
}

export interface BindingCreateRequest {
  kind: BindingKind;
  name: string;
  role: Role;
  scope?: string | null;
}

/** What `flotilla login` needs to sign in; served without a token. */
export interface OidcLoginInfo {
  issuer: string;
  clientId: string;
  scopes: string[];
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

/** GET /api/v1/audit/verify and `flotilla audit verify`: the chain links up from the genesis hash, or the first record where it does not. */
export type AuditVerifyResult = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; problem: string };

/** One control-plane backup in the store (GET /api/v1/backups, `flotilla backup list`, `flotilla restore --list`). */
export interface ControlPlaneBackupInfo {
  id: string;
  /** ok: signed manifest verified and every part present; incomplete: parts or manifest missing; invalid: the manifest does not verify. */
  state: 'ok' | 'incomplete' | 'invalid';
  problem: string | null;
  createdAt: string | null;
  trigger: 'manual' | 'schedule' | null;
  /** The registry snapshot's size and SHA-256 before compression. */
  sizeBytes: number | null;
  sha256: string | null;
  /** The compressed parts in the store, together. */
  storedBytes: number | null;
  /** SHA-256 of the signed manifest envelope's bytes. */
  manifestSha256: string | null;
  schemaVersion: number | null;
  flotillaVersion: string | null;
  clusters: number | null;
  jobs: number | null;
  tokens: number | null;
  auditSeq: number | null;
}
