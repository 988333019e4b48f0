// Deletes finished jobs' envelopes and results from the store under jobs.retention (the rule is
// retention.ts). The envelope goes first and then the result: an agent re-writes a result missing
// from the store only while its envelope is still there, so a collected job never comes back. Each
// cluster's deletes are checked against its registration generation right before they are sent, and
// job writes wait for the deletes in flight (idle()), so a delete meant for an earlier registration
// of a cluster name can never remove a job of the next one, whose seqs start at 1 again.
import type { Logger } from '../../core/log.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import type { DaemonMetrics } from '../metrics.js';
import type { StoredJob } from '../registry/jobs.js';
import type { Registry } from '../registry/registry.js';
import { retentionExpired, type RetentionPolicy } from './retention.js';

export interface RetentionSweepOptions {
  registry: Registry;
  store: ObjectStore;
  policy: RetentionPolicy;
  log: Logger;
  metrics?: Pick<DaemonMetrics, 'jobsRemovedFromStore'>;
  clock?: () => number;
}

/** Deletes in flight at once per cluster (each is two store requests, one after the other). */
const DELETE_WIDTH = 16;

export class RetentionSweep {
  private readonly busy = new Map<string, Promise<void>>();
  private chain: Promise<number> = Promise.resolve(0);
  private readonly clock: () => number;

  constructor(private readonly opts: RetentionSweepOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Resolves when no retention delete of this cluster is in flight. */
  idle(cluster: string): Promise<void> {
    return this.busy.get(cluster) ?? Promise.resolve();
  }

  /** One sweep (of these clusters, or of all), after any sweep already running; resolves with the jobs removed. */
  sweep(clusters?: readonly string[]): Promise<number> {
    const run = this.chain.then(() => this.sweepNow(clusters));
    this.chain = run.catch(() => 0);
    return run;
  }

  private async sweepNow(clusters: readonly string[] | undefined): Promise<number> {
    // Only a cluster storing more than keepLast finished jobs can have any to delete.
    const names = clusters ?? this.opts.registry.jobs.clustersStoringMoreThan(Math.max(1, this.opts.policy.keepLast));
    const rows = names.flatMap((c) => this.opts.registry.jobs.storedFinished(c));
    const byCluster = new Map<string, StoredJob[]>();
    for (const r of rows) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
    const now = this.clock();
    let removed = 0;
    for (const [cluster, stored] of byCluster) {
      const generation = (stored[0] as StoredJob).generation;
      const seqs = retentionExpired(stored.map((r) => ({ seq: r.seq, collectedAtMs: Date.parse(r.collectedAt) })), this.opts.policy, now);
      if (seqs.length === 0) continue;
      const work = this.remove(cluster, generation, seqs).then((n) => {
        removed += n;
      });
      this.busy.set(cluster, work);
      try {
        await work;
      } finally {
        this.busy.delete(cluster);
      }
    }
    return removed;
  }

  private async remove(cluster: string, generation: number, seqs: number[]): Promise<number> {
    const { registry, store, log, metrics } = this.opts;
    let removed = 0;
    try {
      for (let i = 0; i < seqs.length; i += DELETE_WIDTH) {
        // The registration may have ended since the rows were read: its seqs now name the next one's jobs.
        if (registry.jobs.generation(cluster) !== generation) break;
        const batch = seqs.slice(i, i + DELETE_WIDTH);
        await Promise.all(
          batch.map(async (seq) => {
            await store.delete(storeKeys.job(cluster, seq));
            await store.delete(storeKeys.result(cluster, seq));
          }),
        );
        registry.jobs.markRemovedFromStore(cluster, generation, batch, new Date(this.clock()).toISOString());
        removed += batch.length;
        metrics?.jobsRemovedFromStore.inc(batch.length);
      }
    } catch (e) {
      log.warn({ err: e, cluster, removed }, 'deleting finished jobs from the store failed; the next sweep tries again');
    }
    if (removed > 0) log.debug({ cluster, removed, through: seqs[removed - 1] }, 'finished jobs removed from the store');
    return removed;
  }
}
