// What the daemon accepts as a job result from the untrusted store: signed by the cluster's pinned
// agent key, a valid JobResult for this cluster, the seq of its key, and a job the daemon issued at
// that seq. Pure apart from signature verification, so every rule is tested directly.
import type { KeyObject } from 'node:crypto';
import { checkJsonBounds, describeViolation } from '../../core/depth.js';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../../core/dsse.js';
import { isFinal, JOB_LIMITS, JobResultSchema, type JobResult, type JobState } from '../../core/jobs.js';
import { firstIssue } from '../../core/schema-issue.js';

export interface ResultContext {
  /** The pinned agent key id and key, or undefined if the cluster is unknown or unregistered. */
  agent: { keyid: string; key: KeyObject } | undefined;
  clusterKnown: boolean;
  /** The job the daemon issued at this key's seq. */
  job: { id: string; state: JobState } | undefined;
}

export type ResultVerdict = { kind: 'accept'; result: JobResult } | { kind: 'duplicate' } | { kind: 'reject'; reason: string; message: string };

function reject(reason: string, message: string): ResultVerdict {
  return { kind: 'reject', reason, message };
}

export function checkResult(raw: Buffer, cluster: string, keySeq: number, ctx: ResultContext): ResultVerdict {
  if (!ctx.clusterKnown) return reject('unknown_cluster', `cluster "${cluster}" is not in the registry`);
  const agent = ctx.agent;
  if (!agent) return reject('unknown_key', `cluster "${cluster}" has no registered agent key`);
  let payload: unknown;
  try {
    payload = openEnvelope(raw, { payloadType: PAYLOAD_TYPES.result, maxBytes: JOB_LIMITS.maxResultBytes, keyFor: (id) => (id === agent.keyid ? agent.key : undefined) }).payload;
  } catch (e) {
    if (e instanceof EnvelopeRejected) return reject(e.reason, e.message);
    throw e;
  }
  const parsed = JobResultSchema.safeParse(payload);
  if (!parsed.success) return reject('malformed_payload', firstIssue(parsed.error, '(payload)'));
  const result = parsed.data;
  // The output is stored and streamed as JSON: a signed but absurdly nested one must not reach that code.
  const bounds = result.output === undefined ? null : checkJsonBounds(result.output, { maxDepth: JOB_LIMITS.params.maxDepth, maxBytes: JOB_LIMITS.maxResultBytes });
  if (bounds) return reject('malformed_payload', `output: values ${describeViolation(bounds)}`);
  if (result.cluster !== cluster) return reject('wrong_cluster', `result for "${result.cluster.slice(0, 63)}" found under cluster "${cluster}"`);
  if (result.seq !== keySeq) return reject('seq_mismatch', `result says seq ${result.seq} but is stored as seq ${keySeq}`);
  if (!ctx.job || ctx.job.id !== result.id) return reject('unknown_job', `no job ${result.id} was issued to "${cluster}" at seq ${keySeq}`);
  if (isFinal(ctx.job.state)) return { kind: 'duplicate' };
  return { kind: 'accept', result };
}
