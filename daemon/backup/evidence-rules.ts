// Which store objects a restore may count as evidence of the seqs a cluster's agent has received
// (daemon/backup/seq-floor.ts). Each must be signed by the right key and belong to the cluster's
// current registration, or it is refused with a reason and counts for nothing. Pure apart from
// signature verification.
import type { KeyObject } from 'node:crypto';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../../core/dsse.js';
import { JOB_LIMITS, JobPayloadSchema, JobResultSchema, type JobPayload, type JobResult } from '../../core/jobs.js';
import type { TrustedControlPlane } from './manifest.js';

export interface AgentKey {
  keyid: string;
  key: KeyObject;
}

function schemaIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}` : 'payload does not match the schema';
}

/** A job envelope this control plane signed for this cluster, at this seq, for this agent key. */
export function evidenceJob(raw: Buffer, cluster: string, keySeq: number, controlPlane: TrustedControlPlane, agentKeyId: string): JobPayload {
  const opened = openEnvelope(raw, { payloadType: PAYLOAD_TYPES.job, maxBytes: JOB_LIMITS.maxEnvelopeBytes, keyFor: (id) => (id === controlPlane.keyid ? controlPlane.key : undefined) });
  const parsed = JobPayloadSchema.safeParse(opened.payload);
  if (!parsed.success) throw new EnvelopeRejected('malformed_payload', schemaIssue(parsed.error));
  const job = parsed.data;
  if (job.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `job for "${job.cluster.slice(0, 63)}" found under cluster "${cluster}"`);
  if (job.seq !== keySeq) throw new EnvelopeRejected('malformed_payload', `job says seq ${job.seq} but is stored as seq ${keySeq}`);
  // A job of an earlier registration of this name (seqs restart at 1 for each) says nothing about this one.
  if (job.agentKeyId !== agentKeyId) throw new EnvelopeRejected('unknown_key', `job was issued to agent key ${job.agentKeyId.slice(0, 48)}, not the pinned ${agentKeyId}`);
  return job;
}

/** A result signed by the cluster's agent key, for this cluster, at this seq. */
export function evidenceResult(raw: Buffer, cluster: string, keySeq: number, agent: AgentKey): JobResult {
  const opened = openEnvelope(raw, { payloadType: PAYLOAD_TYPES.result, maxBytes: JOB_LIMITS.maxResultBytes, keyFor: (id) => (id === agent.keyid ? agent.key : undefined) });
  const parsed = JobResultSchema.safeParse(opened.payload);
  if (!parsed.success) throw new EnvelopeRejected('malformed_payload', schemaIssue(parsed.error));
  const result = parsed.data;
  if (result.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `result for "${result.cluster.slice(0, 63)}" found under cluster "${cluster}"`);
  if (result.seq !== keySeq) throw new EnvelopeRejected('malformed_payload', `result says seq ${result.seq} but is stored as seq ${keySeq}`);
  return result;
}
