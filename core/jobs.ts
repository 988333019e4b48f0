// Jobs (DESIGN.md §3.4): what the daemon signs into clusters/<c>/jobs/<seq>.json, what the agent
// signs back into clusters/<c>/results/<seq>.json, and how the daemon describes a job to clients.
// Every params schema is strict: a job the agent cannot fully understand is rejected, never guessed.
import { z } from 'zod';

const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Kubernetes object name (lower-case letters, digits, "-" and ".")');
const namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a namespace name (a DNS label)');
const workloadKind = z.enum(['Deployment', 'StatefulSet']).default('Deployment');
/** Backup ids become store path segments: no dots, no slashes, no traversal. */
export const BACKUP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const labelSelector = z.string().min(1).max(1024).regex(/^[A-Za-z0-9_./=!,\s()-]+$/, 'a label selector, e.g. app=web,tier!=cache');

/** An X25519 + AES-256-GCM sealed box (core/secrets.ts); the store only ever holds this. */
export const SealedSchema = z
  .object({
    alg: z.literal('X25519-HKDF-SHA256-A256GCM'),
    epk: z.string().min(1).max(256),
    iv: z.string().min(1).max(64),
    ct: z.string().min(1).max(1_000_000),
    tag: z.string().min(1).max(64),
  })
  .strict();
export type Sealed = z.infer<typeof SealedSchema>;

export const JOB_PARAMS = {
  scale: z.object({ namespace, name: k8sName, kind: workloadKind, replicas: z.number().int().min(0).max(10_000) }).strict(),
  restart: z.object({ namespace, name: k8sName, kind: workloadKind }).strict(),
  cordon: z.object({ node: k8sName }).strict(),
  uncordon: z.object({ node: k8sName }).strict(),
  drain: z
    .object({
      node: k8sName,
      /** Give up (job failed, node stays cordoned) if pods cannot be evicted within this long. */
      timeoutSeconds: z.number().int().min(1).max(3600).default(300),
      gracePeriodSeconds: z.number().int().min(0).max(3600).optional(),
    })
    .strict(),
  'rotate-credentials': z
    .object({
      namespace,
      /** A Secret whose data is replaced, or a ServiceAccount whose token Secret is replaced. */
      target: z.enum(['secret', 'service-account-token']),
      name: k8sName,
      /** Sealed JSON object of string key → string value, encrypted to the cluster's X25519 key. */
      sealed: SealedSchema,
    })
    .strict(),
  backup: z.object({ backupId: z.string().regex(BACKUP_ID), namespaces: z.array(namespace).min(1).max(100) }).strict(),
  restore: z
    .object({
      backupId: z.string().regex(BACKUP_ID),
      /** The cluster the backup was taken from (may be this one). */
      sourceCluster: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
      /** SHA-256 of the backup manifest as the daemon accepted it: the chain of trust to every object. */
      manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
      namespaces: z.array(namespace).max(100).optional(),
    })
    .strict(),
  apply: z
    .object({
      /** Kubernetes objects (JSON) applied with server-side apply, field manager "flotilla". */
      objects: z.array(z.record(z.string(), z.unknown())).min(1).max(500),
    })
    .strict(),
  cleanup: z
    .object({
      namespace: namespace.optional(),
      selector: labelSelector.optional(),
      /** Teardown of a temporary cluster at the end of its TTL: every namespace Flotilla applied. */
      teardown: z.boolean().default(false),
    })
    .strict()
    .refine((p) => p.teardown || p.namespace !== undefined || p.selector !== undefined, 'cleanup needs a namespace, a selector, or teardown'),
  cancel: z.object({ targetSeq: z.number().int().positive(), targetId: z.uuid() }).strict(),
  /** Names clusters/<c>/config/logging.json (core/logs/logging-config.ts) by version and the SHA-256 of its envelope. */
  'configure-logging': z.object({ version: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  /** Names clusters/<c>/config/monitoring.json (core/metrics/monitoring-config.ts) by version and the SHA-256 of its envelope. */
  'configure-monitoring': z.object({ version: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
} as const;

export type JobType = keyof typeof JOB_PARAMS;
export const JOB_TYPES = Object.keys(JOB_PARAMS) as JobType[];
export type JobParams<T extends JobType> = z.infer<(typeof JOB_PARAMS)[T]>;

/** Destructive jobs need --yes on the CLI and a typed confirmation in the TUI. */
export const DESTRUCTIVE: Record<JobType, boolean> = {
  scale: false,
  restart: false,
  cordon: false,
  uncordon: false,
  drain: true,
  'rotate-credentials': true,
  backup: false,
  restore: true,
  apply: false,
  cleanup: true,
  cancel: false,
  'configure-logging': false,
  'configure-monitoring': false,
};

export function isJobType(t: string): t is JobType {
  return Object.prototype.hasOwnProperty.call(JOB_PARAMS, t);
}

export const JobPayloadSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    /**
     * The agent key id the cluster had pinned when the job was issued. Seqs restart at 1 for each
     * registration of a cluster name, so only this binds a job to the agent it was meant for.
     */
    agentKeyId: z.string().min(1).max(128),
    seq: z.number().int().positive(),
    id: z.uuid(),
    type: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()),
    issuedAt: z.iso.datetime(),
    notBefore: z.iso.datetime().optional(),
    notAfter: z.iso.datetime(),
    destructive: z.boolean(),
    issuer: z.object({ tokenId: z.string().max(128), name: z.string().max(256) }).strict(),
    /** Set when the job is one of a fleet-wide fan-out. */
    fleetJobId: z.uuid().optional(),
  })
  .strict();
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** Why an agent refused a job; the result's `reason`. */
export const JOB_REJECTION_REASONS = [
  'bad_signature',
  'unknown_key',
  'wrong_payload_type',
  'malformed',
  'oversize',
  'wrong_cluster',
  'wrong_agent',
  'seq_mismatch',
  'replayed',
  'rolled_back',
  'not_yet_valid',
  'unknown_job_type',
  'bad_params',
  'unknown_target',
  'decrypt_failed',
] as const;
export type JobRejectionReason = (typeof JOB_REJECTION_REASONS)[number];

export const RESULT_STATES = ['succeeded', 'failed', 'expired', 'rejected', 'cancelled'] as const;
export type ResultState = (typeof RESULT_STATES)[number];

export const JobResultSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    seq: z.number().int().positive(),
    id: z.uuid(),
    state: z.enum(RESULT_STATES),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** One human line: what happened, or why not. */
    detail: z.string().max(4096),
    reason: z.enum(JOB_REJECTION_REASONS).optional(),
    /** Type-specific figures (e.g. pods evicted, objects applied, the backup manifest hash). */
    output: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type JobResult = z.infer<typeof JobResultSchema>;

/** The daemon's states: results add to pending → dispatched → running. */
export const JOB_STATES = ['pending', 'dispatched', 'running', ...RESULT_STATES] as const;
export type JobState = (typeof JOB_STATES)[number];

export function isFinal(state: JobState): boolean {
  return (RESULT_STATES as readonly string[]).includes(state);
}

/** A job as the daemon shows it (REST, the `jobs` topic, `flotilla job list`). Secrets never appear. */
export interface JobRecord {
  id: string;
  cluster: string;
  seq: number;
  type: JobType;
  /** Params with sealed secrets replaced by "<sealed>". */
  params: Record<string, unknown>;
  destructive: boolean;
  state: JobState;
  issuer: { tokenId: string; name: string };
  submittedAt: string;
  notAfter: string;
  fleetJobId: string | null;
  result: { state: ResultState; startedAt: string; finishedAt: string; detail: string; reason: JobRejectionReason | null; output: Record<string, unknown> | null } | null;
}

export const JOB_LIMITS = {
  /** Largest job envelope an agent reads (apply can carry many manifests). */
  maxEnvelopeBytes: 2 * 1024 * 1024,
  maxResultBytes: 256 * 1024,
  /**
   * Job params as the daemon validates them before anything is stored or signed, and as the agent
   * verifies them again (docs/JOBS.md): deep enough for any Kubernetes manifest, CRDs included, and
   * small enough that the signed envelope stays under maxEnvelopeBytes.
   */
  params: { maxDepth: 100, maxBytes: 1024 * 1024 },
  /** Clock skew tolerated on notBefore. */
  skewMs: 60_000,
  defaultExpiryMs: 60 * 60 * 1000,
};
