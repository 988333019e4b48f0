import { describe, expect, it } from 'vitest';
import { EnvelopeRejected, PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import type { JobPayload, JobResult } from '../../../../core/jobs.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { evidenceJob, evidenceResult } from '../../../../daemon/backup/evidence-rules.js';

const controlPlane = generateSigningKey();
const agent = generateSigningKey();
const stranger = generateSigningKey();
const cp = { keyid: controlPlane.keyid, key: controlPlane.publicKey };
const ag = { keyid: agent.keyid, key: agent.publicKey };
const ID = '00000000-0000-4000-8000-000000000007';

const job = (over: Partial<JobPayload> = {}): JobPayload => ({
  cluster: 'c1',
  agentKeyId: agent.keyid,
  seq: 7,
  id: ID,
  type: 'scale',
  params: { namespace: 'a', name: 'b', replicas: 2 },
  issuedAt: '2025-06-01T12:00:00.000Z',
  notAfter: '2025-06-01T13:00:00.000Z',
  destructive: false,
  issuer: { tokenId: 't', name: 'ops' },
  ...over,
});
const result = (over: Partial<JobResult> = {}): JobResult => ({ cluster: 'c1', seq: 7, id: ID, state: 'succeeded', startedAt: '2025-06-01T12:00:01.000Z', finishedAt: '2025-06-01T12:00:02.000Z', detail: 'done', ...over });

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvelopeRejected) return e.reason;
    throw e;
  }
  throw new Error('accepted');
}

describe('job envelopes as seq evidence', () => {
  it('counts a job this control plane signed for this cluster, seq and agent key', () => {
    expect(evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job(), controlPlane), 'c1', 7, cp, agent.keyid)).toEqual(job());
  });

  it('refuses a job signed by anyone else, even by the agent itself', () => {
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job(), stranger), 'c1', 7, cp, agent.keyid))).toBe('unknown_key');
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job(), agent), 'c1', 7, cp, agent.keyid))).toBe('unknown_key');
  });

  it("refuses a genuine job of another cluster, another seq, or an earlier registration's agent", () => {
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job({ cluster: 'c2' }), controlPlane), 'c1', 7, cp, agent.keyid))).toBe('wrong_cluster');
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job(), controlPlane), 'c1', 900, cp, agent.keyid))).toBe('malformed_payload');
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, job({ agentKeyId: stranger.keyid }), controlPlane), 'c1', 7, cp, agent.keyid))).toBe('unknown_key');
  });

  it('refuses a malformed payload and a result posing as a job', () => {
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.job, { ...job(), seq: -1 }, controlPlane), 'c1', 7, cp, agent.keyid))).toBe('malformed_payload');
    expect(reason(() => evidenceJob(sealEnvelope(PAYLOAD_TYPES.result, job(), controlPlane), 'c1', 7, cp, agent.keyid))).toBe('wrong_payload_type');
  });
});

describe('results as seq evidence', () => {
  it("counts a result signed by the cluster's agent key", () => {
    expect(evidenceResult(sealEnvelope(PAYLOAD_TYPES.result, result(), agent), 'c1', 7, ag)).toEqual(result());
  });

  it('refuses a result signed by another key, for another cluster, or at another seq', () => {
    expect(reason(() => evidenceResult(sealEnvelope(PAYLOAD_TYPES.result, result(), stranger), 'c1', 7, ag))).toBe('unknown_key');
    expect(reason(() => evidenceResult(sealEnvelope(PAYLOAD_TYPES.result, result({ cluster: 'c2' }), agent), 'c1', 7, ag))).toBe('wrong_cluster');
    expect(reason(() => evidenceResult(sealEnvelope(PAYLOAD_TYPES.result, result(), agent), 'c1', 8, ag))).toBe('malformed_payload');
  });
});
