// The seq rule of a restore. A snapshot is older than the fleet: the daemon that made it may have
// issued more jobs before it died, and their agents may have run them. A restored daemon that issued
// seq N again would be refused by the agent (it never runs a seq at or below one it has finished), so
// before it issues anything it learns, per cluster, the highest seq the cluster's agent has received,
// from three kinds of verified evidence in the store, because job retention deletes finished envelopes
// and results, and a status report lags by up to one interval:
//   - job envelopes at clusters/<c>/jobs/ signed by the control-plane key for this registration,
//   - results at clusters/<c>/results/ signed by the cluster's pinned agent key,
//   - the agent's signed status report: lastJobSeq (finished) and runningJobSeq (started).
// The seq counter becomes the highest of the snapshot's counter and all of these; never more, since a
// seq the agent never received would leave a gap it waits at forever. Envelopes the snapshot does not
// know are adopted as dispatched jobs (so their results are recorded), and snapshot jobs still
// `pending` at a seq the agent already received are marked dispatched (so they are not written again).
// Pure.
import type { JobPayload, JobState } from '../../core/jobs.js';

export interface RegistryJob {
  id: string;
  seq: number;
  state: JobState;
}

export interface ClusterSeqs {
  cluster: string;
  /** The seq counter of the cluster's current registration in the snapshot. */
  lastSeq: number;
  /** The snapshot's jobs of that registration. */
  jobs: readonly RegistryJob[];
}

/** What the store holds for the cluster's current registration, every item already verified. */
export interface StoreEvidence {
  envelopes: readonly JobPayload[];
  results: readonly { seq: number; id: string }[];
  lastJobSeq?: number | undefined;
  runningJobSeq?: number | undefined;
}

export interface SeqPlan {
  cluster: string;
  lastSeqBefore: number;
  /** The highest seq the agent has received, by the evidence (0 for none). */
  received: number;
  /** The seq counter after the restore: the next job gets lastSeq + 1. */
  lastSeq: number;
  /** Signed envelopes above the snapshot's counter that the snapshot does not know, by seq. */
  adopt: JobPayload[];
  /** Snapshot jobs still pending at a seq the agent already received. */
  dispatch: string[];
  /** A seq where the store's envelope names another job than the snapshot (left alone, reported). */
  conflicts: { seq: number; registryId: string; storeId: string }[];
}

export function receivedSeq(e: StoreEvidence): number {
  return Math.max(0, ...e.envelopes.map((j) => j.seq), ...e.results.map((r) => r.seq), e.lastJobSeq ?? 0, e.runningJobSeq ?? 0);
}

export function planSeqs(c: ClusterSeqs, e: StoreEvidence): SeqPlan {
  const received = receivedSeq(e);
  const bySeq = new Map(c.jobs.map((j) => [j.seq, j]));
  const envelopeAt = new Map(e.envelopes.map((j) => [j.seq, j]));
  const conflicts: SeqPlan['conflicts'] = [];
  const adopt: JobPayload[] = [];
  for (const env of [...envelopeAt.values()].sort((a, b) => a.seq - b.seq)) {
    const known = bySeq.get(env.seq);
    if (known && known.id !== env.id) conflicts.push({ seq: env.seq, registryId: known.id, storeId: env.id });
    else if (!known && env.seq > c.lastSeq) adopt.push(env);
  }
  const dispatch = c.jobs
    .filter((j) => j.state === 'pending' && j.seq <= received && (envelopeAt.get(j.seq)?.id ?? j.id) === j.id)
    .sort((a, b) => a.seq - b.seq)
    .map((j) => j.id);
  return { cluster: c.cluster, lastSeqBefore: c.lastSeq, received, lastSeq: Math.max(c.lastSeq, received), adopt, dispatch, conflicts };
}
