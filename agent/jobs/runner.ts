// The agent's job runner. Polls the job keys above its high-water seq (scan.ts; the daemon is not
// needed, only the store), runs jobs strictly in seq order, one at a time, and writes a signed result
// for each. A missing seq N waits for N: the daemon writes jobs in order, so a gap is a write still on
// its way. Finished seqs are never looked at again, so a poll costs the same with 10 finished jobs
// in the store as with 10,000, and an old envelope written back over a finished seq is never read.
// The journal gives each effect exactly once across crashes; store outages are retried with
// jittered backoff, keeping every piece of state.
import type { KeyObject } from 'node:crypto';
import type { Counter, Gauge } from 'prom-client';
import { jitteredBackoffMs } from '../../core/backoff.js';
import { isFlotillaError } from '../../core/errors.js';
import { JOB_LIMITS, type JobRejectionReason, type JobResult, type ResultState } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import type { EncryptionKey } from '../../core/secrets.js';
import type { AgentRejection } from '../../core/status.js';
import { storeOp, StoreFailure } from '../../core/store/failure.js';
import { seqFromKey, storeKeys, type ObjectStore, type StoreEntry } from '../../core/store/types.js';
import { readOwnStatus } from '../own-status.js';
import type { ActionContext, ClusterActions } from '../actions.js';
import type { LoggingApplier } from '../logs/logging-apply.js';
import type { MonitoringApplier } from '../monitoring/apply.js';
import { execute } from './execute.js';
import { JobJournal, type FinishedRecord, type StartedRecord } from './journal.js';
import { openOwnResult, sealResult } from './result.js';
import { SeqScanner } from './scan.js';
import { verifyJob, type TargetState, type Verdict } from './verify.js';

export interface JobMetrics {
  jobsFinished: Counter<'type' | 'state'>;
  jobRejections: Counter<'reason'>;
  lastJobSeq: Gauge;
  storeErrors: Counter<'op'>;
}

export interface JobRunnerDeps {
  cluster: string;
  store: ObjectStore;
  actions: ClusterActions;
  /** The agent's signing key: results and backup manifests. */
  key: SigningKey;
  encryption: EncryptionKey;
  controlPlane: { keyid: string; publicKey: KeyObject };
  /** The journal lives here. */
  dataDir: string;
  pollIntervalMs: number;
  logger: Logger;
  metrics?: JobMetrics;
  /** configure-logging jobs (agent/logs/logging-apply.ts). */
  logging?: LoggingApplier;
  /** configure-monitoring jobs (agent/monitoring/apply.ts). */
  monitoring?: MonitoringApplier;
  clock?: () => Date;
  random?: () => number;
}

/** Refusals waiting for a status report; older ones give way when more pile up. */
export const MAX_PENDING_REJECTIONS = 100;
const MAX_BACKOFF_MS = 30_000;
const MAX_REPORTED_VERSIONS = 10_000;
/** Store requests in flight at once while recovering at start. */
const RECOVER_WIDTH = 32;

class Stopped extends Error {}

type RunVerdict = Extract<Verdict, { kind: 'run' }>;

export class JobRunner {
  private readonly entries = new Map<number, StoreEntry>();
  /** Ids of verified jobs waiting to run, so a cancel can name them. */
  private readonly pendingIds = new Map<number, string>();
  /** target seq → the verified cancel waiting behind it. */
  private readonly cancels = new Map<number, { cancelSeq: number; targetId: string }>();
  private readonly reported = new Set<string>();
  private rejections: AgentRejection[] = [];
  private blocked: { key: string; etag: string } | undefined;
  private readonly scanner: SeqScanner;
  private scanChain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly clock: () => Date;
  private readonly random: () => number;
  private recovered = false;
  private stopped = false;
  private pollFailed = false;
  private pollFailures = 0;
  private workFailures = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private working: Promise<void> | undefined;
  private kicked = false;

  private constructor(
    private readonly deps: JobRunnerDeps,
    private readonly journal: JobJournal,
  ) {
    this.clock = deps.clock ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.scanner = new SeqScanner(deps.store, (seq) => storeKeys.job(deps.cluster, seq));
  }

  /** Loads the journal of this agent key's registration; nothing runs until start() or pollNow(). */
  static async open(deps: JobRunnerDeps): Promise<JobRunner> {
    const { journal, load } = await JobJournal.open(deps.dataDir, deps.key.keyid);
    if (load.skippedLines > 0) deps.logger.warn({ path: journal.path, skippedLines: load.skippedLines }, 'job journal had unreadable lines (a torn last line is normal after a crash)');
    if (load.discardedScope) {
      deps.logger.warn({ path: journal.path, previousKeyid: load.discardedScope.scope, previousLastJobSeq: load.discardedScope.lastFinished, keyid: deps.key.keyid }, 'job journal of an earlier registration discarded; this registration starts at seq 1');
    }
    deps.metrics?.lastJobSeq.set(journal.lastFinished);
    return new JobRunner(deps, journal);
  }

  start(): void {
    this.schedulePoll(0);
  }

  /** Aborts a running executor (the journal resumes it on the next start) and waits for the worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.working;
    await this.journal.close();
  }

  /** One poll, then every job it made runnable; for tests and for callers that want no timers. */
  async pollNow(): Promise<void> {
    await this.pollCycle();
    while (this.working) await this.working;
  }

  lastJobSeq(): number {
    return this.journal.lastFinished;
  }

  /** The seq started and not yet finished (running, or to be resumed), for status reports. */
  runningJobSeq(): number | undefined {
    return this.journal.inFlight()?.seq;
  }

  /** Refusals not yet in a status report; pass them to rejectionsReported once a report carried them. */
  pendingRejections(): AgentRejection[] {
    return [...this.rejections];
  }

  rejectionsReported(sent: readonly AgentRejection[]): void {
    const done = new Set(sent);
    this.rejections = this.rejections.filter((r) => !done.has(r));
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => {
      const started = Date.now();
      void this.pollCycle().then(() => {
        const delay = this.pollFailures > 0 ? jitteredBackoffMs(this.pollFailures, this.random(), { capMs: MAX_BACKOFF_MS }) : Math.max(0, this.deps.pollIntervalMs - (Date.now() - started));
        this.schedulePoll(delay);
      });
    }, delayMs);
  }

  private async pollCycle(): Promise<void> {
    this.pollFailed = false;
    await this.scanOnce();
    if (this.pollFailed) {
      this.pollFailures += 1;
    } else {
      if (this.pollFailures > 0) this.deps.logger.info({ failures: this.pollFailures }, 'job store reachable again');
      this.pollFailures = 0;
    }
    this.kick();
  }

  /** One scan at a time: a timer poll and pollNow() never overlap. */
  private scanOnce(): Promise<void> {
    const run = this.scanChain.then(async () => {
      let found;
      try {
        found = await this.scanner.scan(this.journal.lastFinished + 1);
      } catch (e) {
        this.pollFailed = true;
        this.deps.metrics?.storeErrors.inc({ op: 'scan_jobs' });
        this.logStoreError('scan_jobs', e, this.pollFailures + 1);
        return;
      }
      if (found.changed.length > 0 || found.removed.length > 0) await this.onChange(found.changed, found.removed);
    });
    this.scanChain = run.catch(() => undefined);
    return run;
  }

  private storeOp<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return storeOp(op, fn, () => this.deps.metrics?.storeErrors.inc({ op }));
  }

  private verify(body: Buffer, seq: number, resume = false): Verdict {
    return verifyJob(body, seq, {
      cluster: this.deps.cluster,
      agentKeyId: this.deps.key.keyid,
      controlPlane: this.deps.controlPlane,
      encryption: this.deps.encryption,
      lastFinishedSeq: this.journal.lastFinished,
      journaledId: (s) => this.journal.finished(s)?.id,
      targetState: (s, id) => this.targetState(s, id),
      now: this.clock(),
      resume,
    });
  }

  private targetState(seq: number, id: string): TargetState {
    if (this.journal.finished(seq)?.id === id) return 'journaled';
    if (seq > this.journal.lastFinished && this.pendingIds.get(seq) === id) return 'pending';
    return 'unknown';
  }

  /** Reads what changed at once: refusals are reported without waiting for their turn, cancels are indexed. */
  private async onChange(changed: StoreEntry[], removed: string[]): Promise<void> {
    for (const key of removed) {
      const seq = seqFromKey(key);
      if (seq === null) continue;
      this.entries.delete(seq);
      this.pendingIds.delete(seq);
      for (const [target, c] of this.cancels) if (c.cancelSeq === seq) this.cancels.delete(target);
    }
    const bySeq = changed.map((e) => ({ e, seq: seqFromKey(e.key) })).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    for (const { e, seq } of bySeq) {
      if (seq === null) {
        this.refuse(e.key, e.etag, 'malformed', 'not a job file name (jobs/<12-digit seq>.json)');
        continue;
      }
      // The worker may have finished this seq since the scan: it is history now, not a replay.
      if (seq <= this.journal.lastFinished) continue;
      this.entries.set(seq, e);
      let body: Buffer;
      try {
        const obj = await this.storeOp('get_job', () => this.deps.store.get(e.key, JOB_LIMITS.maxEnvelopeBytes));
        if (!obj) continue;
        body = obj.body;
      } catch (err) {
        // Read again on the next poll; the worker reads it itself when its turn comes.
        this.scanner.forget(seq);
        this.logStoreError('get_job', err, 1);
        continue;
      }
      if (seq <= this.journal.lastFinished) continue;
      const verdict = this.verify(body, seq);
      if (verdict.kind === 'refused') {
        this.refuse(e.key, e.etag, verdict.reason, verdict.detail);
      } else if (verdict.kind === 'run') {
        this.pendingIds.set(seq, verdict.payload.id);
        if (verdict.job.type === 'cancel') this.cancels.set(verdict.job.params.targetSeq, { cancelSeq: seq, targetId: verdict.job.params.targetId });
      }
    }
  }

  private refuse(key: string, etag: string, reason: JobRejectionReason, detail: string): void {
    const version = `${key}\u0000${etag}`;
    if (this.reported.has(version)) return;
    if (this.reported.size >= MAX_REPORTED_VERSIONS) this.reported.clear();
    this.reported.add(version);
    this.rejections.push({ key: key.slice(0, 1024), reason, detail: detail.slice(0, 1024), at: this.clock().toISOString() });
    if (this.rejections.length > MAX_PENDING_REJECTIONS) this.rejections.splice(0, this.rejections.length - MAX_PENDING_REJECTIONS);
    this.deps.metrics?.jobRejections.inc({ reason });
    this.deps.logger.warn({ key, reason, detail }, 'refused a job envelope; nothing in it is acted on');
  }

  private kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    if (this.working || this.retryTimer) return;
    this.working = (async () => {
      while (this.kicked && !this.stopped) {
        this.kicked = false;
        await this.work();
      }
    })().finally(() => {
      this.working = undefined;
    });
  }

  private async work(): Promise<void> {
    try {
      if (!this.recovered) {
        await this.recover();
        this.recovered = true;
      }
      while (!this.stopped && (await this.step())) this.workFailures = 0;
      this.workFailures = 0;
    } catch (e) {
      if (e instanceof Stopped || this.stopped) return;
      this.workFailures += 1;
      if (e instanceof StoreFailure) {
        this.logStoreError(e.op, e.original, this.workFailures);
      } else {
        this.deps.logger.error({ err: e instanceof Error ? e.message : String(e), failures: this.workFailures }, 'job runner step failed; retrying');
      }
      this.kicked = false;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, jitteredBackoffMs(this.workFailures, this.random(), { capMs: MAX_BACKOFF_MS }));
    }
  }

  /**
   * At start: raises the high-water seq to what its own last status report in the store says,
   * adopts results this agent wrote but did not journal (a crash in between, or a lost journal), and
   * re-writes journaled results missing from the store while their job is still there.
   */
  private async recover(): Promise<void> {
    const { store, cluster, key } = this.deps;
    // The report's lastJobSeq is the agent's own signed word: a journal restored from an old backup
    // (or lost, with the key kept) must not take the seqs it reported finished as new.
    const reported = await this.storeOp('get_status', () => readOwnStatus(store, cluster, key));
    const floor = reported?.lastJobSeq ?? 0;
    if (floor > this.journal.lastFinished) {
      this.deps.logger.warn({ journal: this.journal.lastFinished, reported: floor }, 'job journal is behind this agent’s own last status report; continuing above the reported seq');
      await this.journal.raiseFloor(floor);
    }
    // Results go out in seq order, so those above the high-water follow it without a gap (after a
    // crash between a result's PUT and its journal record, just the next seq). A journal that knows
    // nothing (a first start, or lost with no report of ours left) lists results/ once instead:
    // retention may have removed the oldest results, and the newest tell where this agent got to.
    const candidates =
      this.journal.lastFinished === 0
        ? await this.storeOp('list_results', () => store.list(storeKeys.resultsPrefix(cluster)))
        : (await this.storeOp('scan_results', () => new SeqScanner(store, (seq) => storeKeys.result(cluster, seq)).scan(this.journal.lastFinished + 1))).changed;
    const above = candidates
      .map((e) => ({ e, seq: seqFromKey(e.key) }))
      .filter((c): c is { e: StoreEntry; seq: number } => c.seq !== null && c.seq > this.journal.lastFinished)
      .sort((a, b) => a.seq - b.seq);
    for (const { e, seq } of above) {
      const obj = await this.storeOp('get_result', () => store.get(e.key, JOB_LIMITS.maxResultBytes));
      const result = obj ? openOwnResult(obj.body, key, cluster, seq) : null;
      if (!obj || !result || seq <= this.journal.lastFinished) continue;
      const type = this.journal.inFlight()?.seq === seq ? (this.journal.inFlight()?.type ?? 'unknown') : 'unknown';
      await this.journal.recordFinished({ seq, id: result.id, type, state: result.state, at: result.finishedAt, result: obj.body.toString('utf8') });
      this.deps.logger.warn({ seq, id: result.id, state: result.state }, 'adopted a result from the store that the journal had not recorded');
    }
    const recent = this.journal.recentFinished();
    for (let i = 0; i < recent.length; i += RECOVER_WIDTH) {
      await Promise.all(recent.slice(i, i + RECOVER_WIDTH).map((rec) => this.rewriteMissingResult(rec)));
    }
    this.deps.metrics?.lastJobSeq.set(this.journal.lastFinished);
  }

  private async rewriteMissingResult(rec: FinishedRecord): Promise<void> {
    const { store, cluster } = this.deps;
    const resultKey = storeKeys.result(cluster, rec.seq);
    if (await this.storeOp('head_result', () => store.head(resultKey))) return;
    // The daemon deletes a job's envelope before its result once it has collected it (retention):
    // a result missing next to a missing envelope was collected, and writing it back would only
    // leave an object behind that nobody deletes.
    if (!(await this.storeOp('head_job', () => store.head(storeKeys.job(cluster, rec.seq))))) return;
    await this.storeOp('put_result', () => store.put(resultKey, Buffer.from(rec.result, 'utf8')));
    this.deps.logger.info({ seq: rec.seq, id: rec.id }, 're-wrote a missing result from the journal');
  }

  /** Settles the next seq if it can; false when there is nothing to do until the store changes. */
  private async step(): Promise<boolean> {
    const inFlight = this.journal.inFlight();
    if (inFlight) {
      await this.resume(inFlight);
      return true;
    }
    const seq = this.journal.lastFinished + 1;
    const entry = this.entries.get(seq);
    if (!entry) return false;
    if (this.blocked?.key === entry.key && this.blocked.etag === entry.etag) return false;
    const obj = await this.storeOp('get_job', () => this.deps.store.get(entry.key, JOB_LIMITS.maxEnvelopeBytes));
    if (!obj) {
      this.entries.delete(seq);
      return false;
    }
    const startedAt = this.clock().toISOString();
    const verdict = this.verify(obj.body, seq);
    switch (verdict.kind) {
      case 'refused':
        this.refuse(entry.key, obj.etag, verdict.reason, verdict.detail);
        this.blocked = { key: entry.key, etag: entry.etag };
        return false;
      case 'rejected':
        await this.finish({ seq, id: verdict.id, type: 'unknown', state: 'rejected', startedAt, detail: verdict.detail, reason: verdict.reason });
        return true;
      case 'expired':
        await this.finish({ seq, id: verdict.payload.id, type: verdict.payload.type, state: 'expired', startedAt, detail: verdict.detail });
        return true;
      case 'run':
        if (await this.cancelledBefore(verdict, startedAt)) return true;
        if (verdict.job.type === 'cancel') {
          await this.settleCancel(verdict, startedAt);
          return true;
        }
        await this.journal.recordStarted({ seq, id: verdict.payload.id, type: verdict.job.type, at: startedAt, envelope: obj.body.toString('utf8') });
        await this.runJob(verdict, startedAt);
        return true;
    }
  }

  /** A job the journal started and did not finish: its result may already be in the store; if not, run it again (executors are idempotent). */
  private async resume(rec: StartedRecord): Promise<void> {
    const resultKey = storeKeys.result(this.deps.cluster, rec.seq);
    const existing = await this.storeOp('get_result', () => this.deps.store.get(resultKey, JOB_LIMITS.maxResultBytes));
    const result = existing ? openOwnResult(existing.body, this.deps.key, this.deps.cluster, rec.seq) : null;
    if (existing && result?.id === rec.id) {
      await this.journal.recordFinished({ seq: rec.seq, id: rec.id, type: rec.type, state: result.state, at: result.finishedAt, result: existing.body.toString('utf8') });
      this.afterFinish(rec.type, result.state);
      return;
    }
    const verdict = this.verify(Buffer.from(rec.envelope, 'utf8'), rec.seq, true);
    this.deps.logger.warn({ seq: rec.seq, id: rec.id, type: rec.type }, 'resuming a job interrupted before its result was written');
    if (verdict.kind === 'run' && verdict.job.type !== 'cancel') {
      await this.runJob(verdict, rec.at);
      return;
    }
    const reason = verdict.kind === 'rejected' || verdict.kind === 'refused' ? verdict.reason : undefined;
    await this.finish({ seq: rec.seq, id: rec.id, type: rec.type, state: 'failed', startedAt: rec.at, detail: `interrupted and not resumed: ${verdict.kind === 'run' ? 'cancel' : verdict.detail}`, ...(reason ? { reason } : {}) });
  }

  private async cancelledBefore(verdict: RunVerdict, startedAt: string): Promise<boolean> {
    const { seq, id } = verdict.payload;
    const cancel = this.cancels.get(seq);
    if (!cancel || cancel.targetId !== id) return false;
    // Read the cancel again: only a cancel that still verifies now may stop a job.
    const obj = await this.storeOp('get_job', () => this.deps.store.get(storeKeys.job(this.deps.cluster, cancel.cancelSeq), JOB_LIMITS.maxEnvelopeBytes));
    const check = obj ? this.verify(obj.body, cancel.cancelSeq) : undefined;
    if (check?.kind !== 'run' || check.job.type !== 'cancel' || check.job.params.targetSeq !== seq || check.job.params.targetId !== id) {
      this.cancels.delete(seq);
      return false;
    }
    await this.finish({ seq, id, type: verdict.job.type, state: 'cancelled', startedAt, detail: `cancelled before it started by job ${check.payload.id} (seq ${cancel.cancelSeq})` });
    return true;
  }

  private async settleCancel(verdict: RunVerdict, startedAt: string): Promise<void> {
    if (verdict.job.type !== 'cancel') return;
    const { targetSeq, targetId } = verdict.job.params;
    const target = this.journal.finished(targetSeq);
    const { seq, id } = verdict.payload;
    if (target?.id === targetId && target.state === 'cancelled') {
      await this.finish({ seq, id, type: 'cancel', state: 'succeeded', startedAt, detail: `job ${targetId} (seq ${targetSeq}) was cancelled before it started`, output: { targetSeq, targetId } });
    } else {
      await this.finish({ seq, id, type: 'cancel', state: 'failed', startedAt, detail: `too late: job ${targetId} (seq ${targetSeq}) had already finished ${target?.state ?? ''}`.trim(), output: { targetSeq, targetId } });
    }
  }

  private async runJob(verdict: RunVerdict, startedAt: string): Promise<void> {
    const { job, payload } = verdict;
    if (job.type === 'cancel') return;
    const ctx: ActionContext = { jobId: payload.id, signal: this.abort.signal, fieldManager: 'flotilla' };
    const wrappedStore = this.wrapStore();
    let state: ResultState;
    let detail: string;
    let output: Record<string, unknown> | undefined;
    this.deps.logger.info({ seq: payload.seq, id: payload.id, type: job.type }, 'job started');
    try {
      const outcome = await execute({ cluster: this.deps.cluster, store: wrappedStore, actions: this.deps.actions, key: this.deps.key, now: this.clock, ...(this.deps.logging ? { logging: this.deps.logging } : {}), ...(this.deps.monitoring ? { monitoring: this.deps.monitoring } : {}) }, job, verdict.secret, ctx);
      state = 'succeeded';
      detail = outcome.detail;
      output = outcome.output;
    } catch (e) {
      if (this.abort.signal.aborted) throw new Stopped();
      if (e instanceof StoreFailure) throw e;
      state = 'failed';
      detail = e instanceof Error ? e.message : String(e);
      if (isFlotillaError(e) && e.next) detail = `${detail} — ${e.next}`;
    }
    await this.finish({ seq: payload.seq, id: payload.id, type: job.type, state, startedAt, detail, ...(output ? { output } : {}) });
  }

  /** The store as backup and restore see it: its failures retry the job instead of failing it. */
  private wrapStore(): ObjectStore {
    const { store } = this.deps;
    return {
      description: store.description,
      get: (k, max) => this.storeOp('backup_get', () => store.get(k, max)),
      put: (k, body) => this.storeOp('backup_put', () => store.put(k, body)),
      head: (k) => this.storeOp('backup_head', () => store.head(k)),
      headMany: (keys, o) => this.storeOp('backup_head', () => store.headMany(keys, o)),
      list: (p) => this.storeOp('backup_list', () => store.list(p)),
      delete: (k) => this.storeOp('backup_delete', () => store.delete(k)),
    };
  }

  private async finish(r: { seq: number; id: string; type: string; state: ResultState; startedAt: string; detail: string; reason?: JobRejectionReason; output?: Record<string, unknown> }): Promise<void> {
    const finishedAt = this.clock().toISOString();
    const result: JobResult = { cluster: this.deps.cluster, seq: r.seq, id: r.id, state: r.state, startedAt: r.startedAt, finishedAt, detail: r.detail, ...(r.reason ? { reason: r.reason } : {}), ...(r.output ? { output: r.output } : {}) };
    const body = sealResult(result, this.deps.key);
    await this.storeOp('put_result', () => this.deps.store.put(storeKeys.result(this.deps.cluster, r.seq), body));
    await this.journal.recordFinished({ seq: r.seq, id: r.id, type: r.type, state: r.state, at: finishedAt, result: body.toString('utf8') });
    this.entries.delete(r.seq);
    this.pendingIds.delete(r.seq);
    this.cancels.delete(r.seq);
    this.afterFinish(r.type, r.state);
    const log = { seq: r.seq, id: r.id, type: r.type, state: r.state, reason: r.reason, detail: r.detail };
    if (r.state === 'succeeded') this.deps.logger.info(log, 'job finished');
    else this.deps.logger.warn(log, 'job finished');
  }

  private afterFinish(type: string, state: ResultState): void {
    this.deps.metrics?.jobsFinished.inc({ type, state });
    this.deps.metrics?.lastJobSeq.set(this.journal.lastFinished);
  }

  private logStoreError(op: string, e: unknown, failures: number): void {
    const failure = e instanceof StoreFailure ? e : new StoreFailure(op, e);
    this.deps.logger.warn({ ...failure.logFields, failures }, 'job store unavailable; retrying');
  }
}
