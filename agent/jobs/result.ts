// The signed result the agent writes to clusters/<c>/results/<seq>.json, and reading its own back.
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { JOB_LIMITS, JobResultSchema, type JobResult } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';

export function sealResult(result: JobResult, key: SigningKey): Buffer {
  const checked = JobResultSchema.parse({ ...result, detail: result.detail.slice(0, 4096) });
  const body = sealEnvelope(PAYLOAD_TYPES.result, checked, key);
  if (body.length <= JOB_LIMITS.maxResultBytes) return body;
  // An executor's output that does not fit is dropped; the state and detail always reach the daemon.
  return sealEnvelope(PAYLOAD_TYPES.result, { ...checked, output: { truncated: true } }, key);
}

/** A result in the store that this agent signed for this cluster and seq, or null. */
export function openOwnResult(body: Buffer, key: SigningKey, cluster: string, seq: number): JobResult | null {
  try {
    const opened = openEnvelope(body, { payloadType: PAYLOAD_TYPES.result, maxBytes: JOB_LIMITS.maxResultBytes, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    const result = JobResultSchema.parse(opened.payload);
    return result.cluster === cluster && result.seq === seq ? result : null;
  } catch {
    return null;
  }
}
