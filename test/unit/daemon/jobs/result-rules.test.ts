// checkResult's bound on a result's output: signed by the right agent, but nested past the params
// depth limit, it is refused as malformed before it is stored or streamed.
import { describe, expect, it } from 'vitest';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { JOB_LIMITS } from '../../../../core/jobs.js';
import { checkResult, type ResultContext } from '../../../../daemon/jobs/result-rules.js';
import { CORPUS_CLUSTER, fixtureKeys } from '../../../fixtures/jobs/helpers.js';

const keys = fixtureKeys();
const ID = '30000000-0000-4000-8000-000000000001';
const ctx: ResultContext = { agent: { keyid: keys.agent.keyid, key: keys.agent.publicKey }, clusterKnown: true, job: { id: ID, state: 'dispatched' } };

function result(output: unknown): Buffer {
  const payload = { cluster: CORPUS_CLUSTER, seq: 1, id: ID, state: 'succeeded', startedAt: '2030-06-01T00:00:00.000Z', finishedAt: '2030-06-01T00:00:01.000Z', detail: 'done', output };
  return sealEnvelope(PAYLOAD_TYPES.result, payload, keys.agent);
}

const nested = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

describe('job result bounds', () => {
  it('accepts output up to the depth limit and refuses deeper output as malformed', () => {
    expect(checkResult(result(nested(JOB_LIMITS.params.maxDepth)), CORPUS_CLUSTER, 1, ctx).kind).toBe('accept');
    expect(checkResult(result(nested(3000)), CORPUS_CLUSTER, 1, ctx)).toEqual({ kind: 'reject', reason: 'malformed_payload', message: `output: values nest deeper than ${JOB_LIMITS.params.maxDepth} levels` });
  });
});
