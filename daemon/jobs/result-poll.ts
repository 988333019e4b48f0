// Collects job results by asking the store for the result keys of the jobs the daemon is waiting
// for, instead of listing every results/ directory: a poll costs about one HEAD per cluster with open
// work and nothing for a cluster without, however many finished jobs the store still keeps.
// An agent finishes its jobs strictly in seq order, so per cluster the poll looks at the lowest open
// seq, then at the next ones in doubling windows while results are there. It also looks past a
// missing result up to the seq the agent's last status report says it has finished (a result that
// should be there, e.g. one someone deleted, does not hide the ones after it). Each object version
// is read once; results are verified and applied as before (result-rules.ts, JobService).
import type { Logger } from '../../core/log.js';
import { JOB_LIMITS } from '../../core/jobs.js';
import type { StatusReport } from '../../core/status.js';
import { storeKeys, type ObjectStore, type StoreEntry } from '../../core/store/types.js';
import type { AcceptedStatus, FleetService } from '../fleet/service.js';
import type { RejectionInput } from '../registry/rejections.js';
import type { AwaitedJob } from '../registry/jobs.js';
import type { Registry } from '../registry/registry.js';
import type { AcceptedResult, JobService } from './service.js';

export interface ResultPollOptions {
  registry: Registry;
  store: ObjectStore;
  fleet: FleetService;
  jobs: Pick<JobService, 'verifyResult' | 'applyResults'>;
  log: Logger;
  intervalMs: number;
  /** Called with the clusters that had results applied (retention looks at them). */
  onApplied?: (clusters: string[]) => void;
}

/** The widest window of HEADs per cluster, and clusters polled at once. */
const MAX_WINDOW = 64;
const CLUSTER_WIDTH = 32;
const READ_WIDTH = 64;

export class ResultPoll {
  /** Result key → etag of the version already judged. */
  private readonly seen = new Map<string, string>();
  /** What each cluster's agent (by key id) last reported as its highest finished seq. */
  private readonly reported = new Map<string, { keyid: string; lastJobSeq: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ResultPollOptions) {
    opts.fleet.onReports((accepted) => this.noteReports(accepted));
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for a poll in progress, so the registry can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain;
  }

  /** One poll, after any poll already running; never throws for anything found in the store. */
  pollOnce(): Promise<void> {
    const run = this.chain.then(() => this.poll());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.pollOnce()
        .catch((e: unknown) => this.opts.log.error({ err: e }, 'job result poll failed; retrying at the next interval'))
        .finally(() => this.schedule(Math.max(0, this.opts.intervalMs - (Date.now() - started))));
    }, delayMs);
    this.timer.unref?.();
  }

  private noteReports(accepted: readonly Pick<AcceptedStatus, 'cluster' | 'report'>[]): void {
    for (const a of accepted) {
      const keyid = this.opts.fleet.state.get(a.cluster)?.record.agentKeyid;
      if (keyid && a.report.lastJobSeq !== undefined) this.reported.set(a.cluster, { keyid, lastJobSeq: a.report.lastJobSeq });
    }
  }

  /** The agent's last reported high-water seq, from the registry's latest report after a restart. */
  private reportedLastJobSeq(cluster: string): number {
    const keyid = this.opts.fleet.state.get(cluster)?.record.agentKeyid;
    const known = this.reported.get(cluster);
    if (known && known.keyid === keyid) return known.lastJobSeq;
    const latest = this.opts.registry.clusters.latest(cluster);
    let seq = 0;
    try {
      seq = latest ? ((JSON.parse(latest.payload) as Partial<StatusReport>).lastJobSeq ?? 0) : 0;
    } catch {
      seq = 0;
    }
    if (keyid) this.reported.set(cluster, { keyid, lastJobSeq: seq });
    return seq;
  }

  private async poll(): Promise<void> {
    const awaited = this.opts.registry.jobs.awaitingResults();
    const byCluster = new Map<string, number[]>();
    for (const j of awaited) byCluster.set(j.cluster, [...(byCluster.get(j.cluster) ?? []), j.seq]);
    const open = new Set(awaited.map((j: AwaitedJob) => storeKeys.result(j.cluster, j.seq)));
    for (const k of this.seen.keys()) if (!open.has(k)) this.seen.delete(k);

    const found: StoreEntry[] = [];
    const clusters = [...byCluster.entries()];
    for (let i = 0; i < clusters.length; i += CLUSTER_WIDTH) {
      const batch = clusters.slice(i, i + CLUSTER_WIDTH);
      const lists = await Promise.all(batch.map(([cluster, seqs]) => this.probe(cluster, seqs)));
      for (const l of lists) found.push(...l);
    }
    const changed = found.filter((e) => this.seen.get(e.key) !== e.etag);
    if (changed.length > 0) await this.judge(changed);
  }

  /** HEADs the open seqs of one cluster in order; store errors end this cluster's probe for this poll. */
  private async probe(cluster: string, seqs: number[]): Promise<StoreEntry[]> {
    const reported = this.reportedLastJobSeq(cluster);
    const present: StoreEntry[] = [];
    let width = 1;
    try {
      for (let i = 0; i < seqs.length; i += width, width = Math.min(width * 2, MAX_WINDOW)) {
        const window = seqs.slice(i, i + width);
        const heads = await Promise.all(window.map((seq) => this.opts.store.head(storeKeys.result(cluster, seq))));
        for (const h of heads) if (h) present.push(h);
        // A missing result the agent has not reported finishing yet: later ones cannot exist either.
        const gap = window.findIndex((seq, j) => heads[j] === null && seq > reported);
        if (gap >= 0) break;
      }
    } catch (e) {
      this.opts.log.warn({ err: e, cluster }, 'store unavailable while looking for job results; will retry');
    }
    return present;
  }

  private async judge(entries: StoreEntry[]): Promise<void> {
    const { store, jobs, fleet, log } = this.opts;
    const accepted: AcceptedResult[] = [];
    const rejections: RejectionInput[] = [];
    for (let i = 0; i < entries.length; i += READ_WIDTH) {
      const batch = entries.slice(i, i + READ_WIDTH);
      const objects = await Promise.all(
        batch.map((e) =>
          store.get(e.key, JOB_LIMITS.maxResultBytes).catch((err: unknown) => {
            log.warn({ err, key: e.key }, 'store read failed; will retry');
            return undefined;
          }),
        ),
      );
      batch.forEach((entry, j) => {
        const object = objects[j];
        // undefined: the read failed (tried again next poll); null: gone since the HEAD.
        if (!object) return;
        const cluster = entry.key.split('/')[1] as string;
        this.seen.set(entry.key, object.etag);
        const verdict = jobs.verifyResult(cluster, entry.key, object.body);
        if (verdict.kind === 'accept') accepted.push({ cluster, key: entry.key, etag: object.etag, result: verdict.result });
        else if (verdict.kind === 'reject') rejections.push({ at: new Date().toISOString(), cluster, key: entry.key, etag: object.etag, reason: verdict.reason, message: verdict.message });
      });
    }
    try {
      if (rejections.length > 0) fleet.applyBatch([], rejections);
    } catch (e) {
      log.error({ err: e }, 'could not record rejected job results; will retry');
      for (const r of rejections) this.seen.delete(r.key);
    }
    try {
      jobs.applyResults(accepted);
    } catch (e) {
      log.error({ err: e }, 'could not store a batch of job results; will retry');
      for (const a of accepted) this.seen.delete(a.key);
      return;
    }
    if (accepted.length > 0) this.opts.onApplied?.([...new Set(accepted.map((a) => a.cluster))]);
  }
}
