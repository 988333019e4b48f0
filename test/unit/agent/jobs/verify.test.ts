// verifyJob's bound on params: a job the control plane really signed, for this cluster and seq, whose
// params nest past JOB_LIMITS.params is rejected (consuming its seq) before any schema walks it.
import { describe, expect, it } from 'vitest';
import { verifyJob, type VerifyContext } from '../../../../agent/jobs/verify.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { JOB_LIMITS } from '../../../../core/jobs.js';
import { CORPUS_CLUSTER, CORPUS_NOW, fixtureKeys } from '../../../fixtures/jobs/helpers.js';

const keys = fixtureKeys();
const ID = '20000000-0000-4000-8000-000000000001';

const ctx: VerifyContext = {
  cluster: CORPUS_CLUSTER,
  agentKeyId: keys.agent.keyid,
  controlPlane: { keyid: keys.controlPlane.keyid, publicKey: keys.controlPlane.publicKey },
  encryption: keys.agentEncryption,
  lastFinishedSeq: 0,
  journaledId: () => undefined,
  targetState: () => 'unknown',
  now: CORPUS_NOW,
};

function applyJob(data: unknown): Buffer {
  const params = { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'apps' }, data }] };
  const payload = { cluster: CORPUS_CLUSTER, agentKeyId: keys.agent.keyid, seq: 1, id: ID, type: 'apply', params, issuedAt: '2030-05-31T23:00:00.000Z', notAfter: '2030-06-01T01:00:00.000Z', destructive: false, issuer: { tokenId: 't', name: 'test' } };
  return sealEnvelope(PAYLOAD_TYPES.job, payload, keys.controlPlane);
}

const nested = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}`);

describe('agent job verification bounds', () => {
  it('runs an apply whose params are exactly at the depth limit', () => {
    expect(verifyJob(applyJob(nested(JOB_LIMITS.params.maxDepth - 3)), 1, ctx).kind).toBe('run');
  });

  it('rejects, as bad_params on its own seq, a signed job nested past the limit', () => {
    for (const depth of [JOB_LIMITS.params.maxDepth - 2, 3000]) {
      expect(verifyJob(applyJob(nested(depth)), 1, ctx)).toEqual({ kind: 'rejected', seq: 1, id: ID, reason: 'bad_params', detail: `apply params nest deeper than ${JOB_LIMITS.params.maxDepth} levels` });
    }
  });

  it('rejects signed params over the size limit', () => {
    const verdict = verifyJob(applyJob({ big: 'x'.repeat(JOB_LIMITS.params.maxBytes) }), 1, ctx);
    expect(verdict).toMatchObject({ kind: 'rejected', reason: 'bad_params', detail: expect.stringMatching(/^apply params are \d+ bytes of JSON, over the 1048576-byte limit$/) as unknown });
  });
});
