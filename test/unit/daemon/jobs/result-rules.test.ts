import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { JOB_LIMITS, type JobResult } from '../../../../core/jobs.js';
import { checkResult, type ResultContext } from '../../../../daemon/jobs/result-rules.js';

const agentKey = generateSigningKey();
const otherKey = generateSigningKey();
const jobId = randomUUID();

function result(over: Partial<JobResult> = {}): JobResult {
  return { cluster: 'c1', seq: 7, id: jobId, state: 'succeeded', startedAt: '2026-11-01T10:00:00.000Z', finishedAt: '2026-11-01T10:00:01.000Z', detail: 'scaled', ...over };
}

const ctx = (over: Partial<ResultContext> = {}): ResultContext => ({
  agent: { keyid: agentKey.keyid, key: agentKey.publicKey },
  clusterKnown: true,
  job: { id: jobId, state: 'dispatched' },
  ...over,
});

const sealed = (payload: unknown, key = agentKey, type: string = PAYLOAD_TYPES.result): Buffer => sealEnvelope(type, payload, key);

describe('job result rules', () => {
  it('accepts a result signed by the pinned key for the job issued at that seq', () => {
    expect(checkResult(sealed(result()), 'c1', 7, ctx())).toEqual({ kind: 'accept', result: result() });
  });

  it('calls a second result for a job already final a duplicate, not a rejection', () => {
    expect(checkResult(sealed(result()), 'c1', 7, ctx({ job: { id: jobId, state: 'succeeded' } }))).toEqual({ kind: 'duplicate' });
  });

  it('rejects, with a reason, everything it cannot trust or place', () => {
    const cases: [Buffer, string, number, ResultContext, string][] = [
      [sealed(result()), 'c1', 7, ctx({ clusterKnown: false, agent: undefined }), 'unknown_cluster'],
      [sealed(result()), 'c1', 7, ctx({ agent: undefined }), 'unknown_key'],
      [sealed(result(), otherKey), 'c1', 7, ctx(), 'unknown_key'],
      [sealed(result(), agentKey, PAYLOAD_TYPES.status), 'c1', 7, ctx(), 'wrong_payload_type'],
      [Buffer.from('{not json'), 'c1', 7, ctx(), 'malformed_json'],
      [sealed({ ...result(), extra: true }), 'c1', 7, ctx(), 'malformed_payload'],
      [sealed(result({ cluster: 'c2' })), 'c1', 7, ctx(), 'wrong_cluster'],
      [sealed(result()), 'c1', 8, ctx(), 'seq_mismatch'],
      [sealed(result()), 'c1', 7, ctx({ job: undefined }), 'unknown_job'],
      [sealed(result({ id: randomUUID() })), 'c1', 7, ctx(), 'unknown_job'],
    ];
    for (const [raw, cluster, seq, context, reason] of cases) {
      const verdict = checkResult(raw, cluster, seq, context);
      expect(verdict.kind, reason).toBe('reject');
      if (verdict.kind === 'reject') {
        expect(verdict.reason).toBe(reason);
        expect(verdict.message.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('job result bounds', () => {
  const nested = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

  it('accepts output up to the depth limit and refuses deeper output as malformed before it is stored or streamed', () => {
    expect(checkResult(sealed(result({ output: { o: nested(JOB_LIMITS.params.maxDepth - 1) } })), 'c1', 7, ctx()).kind).toBe('accept');
    expect(checkResult(sealed(result({ output: { o: nested(3000) } })), 'c1', 7, ctx())).toEqual({ kind: 'reject', reason: 'malformed_payload', message: `output: values nest deeper than ${JOB_LIMITS.params.maxDepth} levels` });
  });
});
