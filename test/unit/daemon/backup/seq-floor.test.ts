import { describe, expect, it } from 'vitest';
import type { JobPayload } from '../../../../core/jobs.js';
import { planSeqs, receivedSeq, type RegistryJob, type StoreEvidence } from '../../../../daemon/backup/seq-floor.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function envelope(seq: number, jobId = id(seq)): JobPayload {
  return {
    cluster: 'c1',
    agentKeyId: 'ed25519:agent',
    seq,
    id: jobId,
    type: 'cordon',
    params: { node: 'n1' },
    issuedAt: '2025-01-01T00:00:00.000Z',
    notAfter: '2025-01-01T01:00:00.000Z',
    destructive: false,
    issuer: { tokenId: 't', name: 'ops' },
  };
}

const none: StoreEvidence = { envelopes: [], results: [] };

describe('the seq a cluster has received', () => {
  it('is the highest of envelopes, results, lastJobSeq and runningJobSeq, each on its own', () => {
    expect(receivedSeq(none)).toBe(0);
    expect(receivedSeq({ ...none, envelopes: [envelope(3), envelope(7)] })).toBe(7);
    expect(receivedSeq({ ...none, results: [{ seq: 9, id: id(9) }] })).toBe(9);
    expect(receivedSeq({ ...none, lastJobSeq: 11 })).toBe(11);
    expect(receivedSeq({ ...none, runningJobSeq: 12 })).toBe(12);
    expect(receivedSeq({ envelopes: [envelope(4)], results: [{ seq: 5, id: id(5) }], lastJobSeq: 3, runningJobSeq: 6 })).toBe(6);
  });
});

describe('planSeqs: the seq rule of a restore', () => {
  const snapshot = (lastSeq: number, jobs: RegistryJob[] = []) => ({ cluster: 'c1', lastSeq, jobs });

  it('leaves a cluster alone when the store shows nothing after the snapshot', () => {
    const plan = planSeqs(snapshot(4, [{ id: id(4), seq: 4, state: 'succeeded' }]), { envelopes: [envelope(4)], results: [{ seq: 4, id: id(4) }], lastJobSeq: 4 });
    expect(plan).toEqual({ cluster: 'c1', lastSeqBefore: 4, received: 4, lastSeq: 4, adopt: [], dispatch: [], conflicts: [] });
  });

  it('adopts envelopes issued after the snapshot and continues above them', () => {
    const plan = planSeqs(snapshot(2), { envelopes: [envelope(5), envelope(3), envelope(4)], results: [{ seq: 3, id: id(3) }] });
    expect(plan.adopt.map((j) => j.seq)).toEqual([3, 4, 5]);
    expect(plan.lastSeq).toBe(5);
  });

  it('learns the seq from the status report when retention deleted the envelopes and results', () => {
    const plan = planSeqs(snapshot(2), { ...none, lastJobSeq: 8 });
    expect(plan).toMatchObject({ received: 8, lastSeq: 8, adopt: [] });
  });

  it('learns it from results alone, and from the job the agent is running', () => {
    expect(planSeqs(snapshot(2), { ...none, results: [{ seq: 6, id: id(6) }] }).lastSeq).toBe(6);
    expect(planSeqs(snapshot(2), { ...none, lastJobSeq: 6, runningJobSeq: 7 }).lastSeq).toBe(7);
  });

  it('never lowers the counter (a status report older than the snapshot)', () => {
    expect(planSeqs(snapshot(9), { ...none, lastJobSeq: 3 }).lastSeq).toBe(9);
  });

  it('marks a pending snapshot job dispatched once the agent has its seq, and leaves later ones pending', () => {
    const jobs: RegistryJob[] = [
      { id: id(1), seq: 1, state: 'succeeded' },
      { id: id(2), seq: 2, state: 'pending' },
      { id: id(3), seq: 3, state: 'pending' },
    ];
    const plan = planSeqs(snapshot(3, jobs), { envelopes: [envelope(2)], results: [] });
    expect(plan.dispatch).toEqual([id(2)]);
    expect(plan.lastSeq).toBe(3);
    expect(planSeqs(snapshot(3, jobs), { ...none, lastJobSeq: 3 }).dispatch).toEqual([id(2), id(3)]);
  });

  it('reports an envelope that names another job than the snapshot at the same seq, and changes nothing for it', () => {
    const jobs: RegistryJob[] = [{ id: id(2), seq: 2, state: 'pending' }];
    const plan = planSeqs(snapshot(2, jobs), { envelopes: [envelope(2, id(99))], results: [] });
    expect(plan.conflicts).toEqual([{ seq: 2, registryId: id(2), storeId: id(99) }]);
    expect(plan.adopt).toEqual([]);
    expect(plan.dispatch).toEqual([]);
  });

  it('adopts nothing at or below the snapshot counter that the snapshot does not know', () => {
    const plan = planSeqs(snapshot(5), { envelopes: [envelope(4)], results: [] });
    expect(plan.adopt).toEqual([]);
    expect(plan.lastSeq).toBe(5);
  });
});
