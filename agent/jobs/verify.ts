// Decides what an agent may do with the bytes at clusters/<c>/jobs/<seq>.json. Pure (no I/O): the
// runner supplies the journal's view, the pending jobs and the clock. The one distinction that
// matters beyond the reason is whether the envelope is the control plane's own statement about job
// <seq> of this cluster, issued to this agent's registration: only then may a refusal consume the
// seq (a signed `rejected` result); anything else (forged, corrupt, another cluster's or another
// registration's job, or another seq's job copied here) is `refused`, reported, and leaves the seq
// free for the real job, so store access cannot burn seqs.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { checkJsonBounds, describeViolation } from '../../core/depth.js';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES, type RejectionReason } from '../../core/dsse.js';
import { isJobType, JOB_LIMITS, JOB_PARAMS, JobPayloadSchema, type JobParams, type JobPayload, type JobRejectionReason, type JobType } from '../../core/jobs.js';
import { firstIssue } from '../../core/schema-issue.js';
import { open, sealContext, type EncryptionKey } from '../../core/secrets.js';

/** A job with its params parsed by the schema of its type. */
export type TypedJob = { [T in JobType]: { type: T; params: JobParams<T> } }[JobType];

/** Used as the result id when a signed payload has no usable id of its own. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export type TargetState = 'pending' | 'journaled' | 'unknown';

export interface VerifyContext {
  cluster: string;
  /** This agent's signing key id: a job names the registration it was issued for (seqs restart per registration). */
  agentKeyId: string;
  /** The control-plane key from the agent bundle; no other key is ever trusted for jobs. */
  controlPlane: { keyid: string; publicKey: KeyObject };
  /** Opens rotate-credentials secrets; never leaves the agent. */
  encryption: EncryptionKey;
  lastFinishedSeq: number;
  /** The id the journal recorded for a finished seq, if it still remembers it. */
  journaledId: (seq: number) => string | undefined;
  /** Whether a cancel's target is a job waiting to run, one already finished, or neither. */
  targetState: (seq: number, id: string) => TargetState;
  now: Date;
  /** Resuming a job the journal says was started: it passed the time checks when it started. */
  resume?: boolean;
}

export type Verdict =
  | { kind: 'run'; payload: JobPayload; job: TypedJob; secret?: Record<string, string> }
  | { kind: 'expired'; payload: JobPayload; detail: string }
  /** Signed by the control plane for this cluster and seq, but refused: consumes the seq. */
  | { kind: 'rejected'; seq: number; id: string; reason: JobRejectionReason; detail: string }
  /** Not the control plane's job for this seq: reported, never consumes it. */
  | { kind: 'refused'; reason: JobRejectionReason; detail: string };

const DSSE_TO_JOB_REASON: Partial<Record<RejectionReason, JobRejectionReason>> = {
  oversize: 'oversize',
  wrong_payload_type: 'wrong_payload_type',
  unknown_key: 'unknown_key',
  bad_signature: 'bad_signature',
};

const SecretDataSchema = z.record(z.string().max(253), z.string().max(1_000_000));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isKubeObject(o: Record<string, unknown>): boolean {
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && isRecord(o.metadata) && typeof o.metadata.name === 'string';
}

function wrongAgent(named: unknown, mine: string): string {
  const who = typeof named === 'string' ? `agent key ${JSON.stringify(named.slice(0, 128))}` : 'no agent key';
  return `job was issued for ${who}, this agent is ${mine} (a job of another registration of this cluster name)`;
}

export function verifyJob(raw: Buffer, keySeq: number, ctx: VerifyContext): Verdict {
  let payload: unknown;
  try {
    payload = openEnvelope(raw, {
      payloadType: PAYLOAD_TYPES.job,
      maxBytes: JOB_LIMITS.maxEnvelopeBytes,
      keyFor: (id) => (id === ctx.controlPlane.keyid ? ctx.controlPlane.publicKey : undefined),
    }).payload;
  } catch (e) {
    if (!(e instanceof EnvelopeRejected)) throw e;
    return { kind: 'refused', reason: DSSE_TO_JOB_REASON[e.reason] ?? 'malformed', detail: e.message };
  }

  const parsed = JobPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const detail = `job payload does not match its schema (${firstIssue(parsed.error)})`;
    if (!isRecord(payload) || payload.cluster !== ctx.cluster || payload.seq !== keySeq) return { kind: 'refused', reason: 'malformed', detail };
    // Without our key id it may be a job of an earlier registration of this name: it must not burn our seq.
    if (payload.agentKeyId !== ctx.agentKeyId) return { kind: 'refused', reason: 'wrong_agent', detail: `${wrongAgent(payload.agentKeyId, ctx.agentKeyId)}; ${detail}` };
    const id = z.uuid().safeParse(payload.id);
    return { kind: 'rejected', seq: keySeq, id: id.success ? id.data : NIL_UUID, reason: 'malformed', detail };
  }
  const job = parsed.data;
  if (job.cluster !== ctx.cluster) {
    return { kind: 'refused', reason: 'wrong_cluster', detail: `job is for cluster "${job.cluster}", this agent runs "${ctx.cluster}"` };
  }
  if (job.agentKeyId !== ctx.agentKeyId) {
    return { kind: 'refused', reason: 'wrong_agent', detail: wrongAgent(job.agentKeyId, ctx.agentKeyId) };
  }
  if (job.seq !== keySeq) {
    return { kind: 'refused', reason: 'seq_mismatch', detail: `job says seq ${job.seq} but is stored as seq ${keySeq}` };
  }
  if (job.seq <= ctx.lastFinishedSeq) {
    const seen = ctx.journaledId(job.seq);
    return seen === job.id
      ? { kind: 'refused', reason: 'replayed', detail: `job ${job.id} (seq ${job.seq}) already finished` }
      : { kind: 'refused', reason: 'rolled_back', detail: `seq ${job.seq} is at or below the last finished seq ${ctx.lastFinishedSeq}` };
  }
  const rejected = (reason: JobRejectionReason, detail: string): Verdict => ({ kind: 'rejected', seq: job.seq, id: job.id, reason, detail });

  if (!ctx.resume) {
    if (job.notBefore !== undefined && Date.parse(job.notBefore) > ctx.now.getTime() + JOB_LIMITS.skewMs) {
      return rejected('not_yet_valid', `job is not valid before ${job.notBefore} (agent clock ${ctx.now.toISOString()})`);
    }
    if (ctx.now.getTime() > Date.parse(job.notAfter)) {
      return { kind: 'expired', payload: job, detail: `job expired at ${job.notAfter} before it could run (agent clock ${ctx.now.toISOString()})` };
    }
  }
  if (!isJobType(job.type)) return rejected('unknown_job_type', `unknown job type ${JSON.stringify(job.type).slice(0, 80)}`);
  // The daemon's bound again: a signed job that breaks it is refused before any recursive check touches it.
  const bounds = checkJsonBounds(job.params, JOB_LIMITS.params);
  if (bounds) return rejected('bad_params', `${job.type} params ${describeViolation(bounds)}`);
  const params = JOB_PARAMS[job.type].safeParse(job.params);
  if (!params.success) return rejected('bad_params', `${job.type} params: ${firstIssue(params.error)}`);
  const typed = { type: job.type, params: params.data } as TypedJob;
  if (typed.type === 'apply') {
    const bad = typed.params.objects.findIndex((o) => !isKubeObject(o));
    if (bad >= 0) return rejected('bad_params', `apply params: objects.${bad}: needs apiVersion, kind and metadata.name`);
  }

  if (typed.type === 'rotate-credentials') {
    let plaintext: Buffer;
    try {
      plaintext = open(typed.params.sealed, ctx.encryption, sealContext(ctx.cluster, job.id));
    } catch {
      return rejected('decrypt_failed', 'the sealed credentials do not open with this cluster’s key for this job');
    }
    let data: unknown;
    try {
      data = JSON.parse(plaintext.toString('utf8'));
    } catch {
      data = undefined;
    }
    const secret = SecretDataSchema.safeParse(data);
    if (!secret.success) return rejected('bad_params', 'the sealed credentials are not a JSON object of strings');
    return { kind: 'run', payload: job, job: typed, secret: secret.data };
  }
  if (typed.type === 'cancel') {
    const { targetSeq, targetId } = typed.params;
    // A cancel can only name a job issued before it: later seqs run after the cancel itself.
    const state = targetSeq < job.seq ? ctx.targetState(targetSeq, targetId) : 'unknown';
    if (state === 'unknown') return rejected('unknown_target', `no pending or finished job ${targetId} at seq ${targetSeq} to cancel`);
  }
  return { kind: 'run', payload: job, job: typed };
}
