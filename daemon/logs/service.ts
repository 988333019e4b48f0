// The daemon's log service: owns the sink. Ingest is verify → validate → commit (one writer, a
// bounded wait list) → publish the stored records to live subscribers → ack, so an acked batch is
// committed (a SIGKILL after the ack loses nothing) and the agent advances its checkpoint only then.
// Refusals are counted, logged and recorded as rejections, rate-limited per source so a flood
// cannot fill the registry. Searches go straight to the sink; retention runs on a timer.
import type { KeyObject } from 'node:crypto';
import { parseDuration } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { LogContext, LogHistogram, LogHit, LogSearchResponse } from '../../core/logs/api.js';
import type { LogBatch, LogBatchAck } from '../../core/logs/batch.js';
import type { StoredLogRecord } from '../../core/logs/record.js';
import type { ResolvedQuery } from '../../core/query/ast.js';
import type { DaemonLogsConfig } from '../../config/logs-schema.js';
import { sourceOf } from '../api/connection-limits.js';
import { DenialSummary, summaryText, type DenialWindow } from '../api/denial-summary.js';
import { agentActor, ANONYMOUS_ACTOR } from '../auth/actor.js';
import type { DaemonMetrics } from '../metrics.js';
import type { Registry } from '../registry/registry.js';
import { shareOfEachBatch } from './group-acks.js';
import { IngestFigures } from './ingest-figures.js';
import { checkLogBatch, IngestRefused, type AcceptedBatch } from './ingest-rules.js';
import type { LogSink, SinkRejection, SinkWriteResult } from './sink.js';
import { QueueFull, WriterQueue } from './writer-queue.js';

/** Batches waiting for the writer before new ones are answered 503 (each is at most logs.ingest.maxBatchBytes). */
export const WRITER_QUEUE_LIMIT = 8;
/**
 * Records one group commit takes at most: batches waiting for the writer are committed together in
 * one sink write (one transaction, one FTS5 segment), up to this many records.
 */
export const GROUP_COMMIT_RECORDS = 10_000;
/** Context lines asked per hit, at most. */
export const MAX_CONTEXT_LINES = 50;
/** The histogram's range when the query has no since: the last hour. */
export const DEFAULT_HISTOGRAM_MS = 3_600_000;
export const MAX_HISTOGRAM_BUCKETS = 500;
/** Rejected records named in the log line of one batch (id and reason each); the count says how many in all. */
export const MAX_LOGGED_REJECTIONS = 10;
/** The key of an ingest refusal in the rejections table (it has no store key). */
export const INGEST_REJECTION_KEY = 'POST /api/v1/ingest/logs';
/** The key of a refused broker delivery in the rejections table. */
export const BROKER_REJECTION_KEY = 'AMQP flotilla.logs.ingest';

/** Newly stored records of one commit, in stored order; `rev` counts commits. */
export interface LogCommit {
  rev: number;
  records: StoredLogRecord[];
}

export interface LogServiceOptions {
  sink: LogSink;
  config: DaemonLogsConfig;
  /** The registered cluster whose pinned agent key has this id (FleetService.pinnedKey). */
  pinnedKey(keyid: string): { cluster: string; key: KeyObject } | undefined;
  registry: Registry;
  metrics: DaemonMetrics;
  log: Logger;
  /** Rate limit of refusal records: per source and reason, one sampled record and one summary per window. */
  refusalWindowSeconds: number;
  refusalMaxSources: number;
  writerQueueLimit?: number;
}

/** A verified ingest batch waiting for its group commit; `outcome` is set once it has one. */
interface PendingIngest {
  cluster: string;
  batch: LogBatch;
  outcome?: { ack: LogBatchAck } | { error: unknown };
}

export class LogService {
  private readonly queue: WriterQueue;
  /** Verified batches in arrival order whose commit has not run yet (each also holds a writer-queue place). */
  private pending: PendingIngest[] = [];
  private readonly listeners = new Set<(c: LogCommit) => void>();
  private readonly refusals: DenialSummary;
  private readonly timers: NodeJS.Timeout[] = [];
  private retention: Promise<void> | undefined;
  private revision = 0;
  private stopped = false;
  /** What the center stored and refused per cluster (the pipeline reads it). */
  readonly ingested = new IngestFigures();

  constructor(private readonly opts: LogServiceOptions) {
    this.queue = new WriterQueue(opts.writerQueueLimit ?? WRITER_QUEUE_LIMIT);
    this.refusals = new DenialSummary({ windowMs: opts.refusalWindowSeconds * 1000, maxSources: opts.refusalMaxSources });
  }

  get sink(): LogSink {
    return this.opts.sink;
  }

  /** Commits so far: the rev of the `logs` topic. */
  get rev(): number {
    return this.revision;
  }

  /** Starts retention (now and every logs.retention.intervalSeconds) and the refusal summaries. */
  start(): void {
    this.runRetention();
    const retention = setInterval(() => this.runRetention(), this.opts.config.retention.intervalSeconds * 1000);
    const summaries = setInterval(() => this.writeSummaries(this.refusals.due(Date.now())), Math.min(1000, this.opts.refusalWindowSeconds * 1000));
    for (const t of [retention, summaries]) {
      t.unref();
      this.timers.push(t);
    }
  }

  /** Stops ingest (new batches get 503), waits for the writer and retention, writes open summaries, closes the sink. Call before the registry closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.queue.drain();
    await this.retention;
    this.writeSummaries(this.refusals.drain());
    await this.opts.sink.close();
  }

  /** Listens to every commit; returns the function that stops listening. */
  subscribe(listener: (c: LogCommit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs fn between commits: no batch is being written or published meanwhile, so what fn reads of
   * the sink is exactly what the commits up to `rev` published (a snapshot and the live lines after
   * it meet without a gap or an overlap).
   */
  atCommitBoundary<T>(fn: (rev: number) => Promise<T>): Promise<T> {
    try {
      return this.queue.run(() => fn(this.revision));
    } catch (e) {
      throw this.busy(e);
    }
  }

  /** POST /api/v1/ingest/logs: the ack once committed; throws IngestRefused (4xx) or a retry error (503). */
  async ingest(body: Buffer, remote: string | undefined): Promise<LogBatchAck> {
    const { metrics } = this.opts;
    let accepted;
    try {
      accepted = checkLogBatch({ body, maxBytes: this.opts.config.ingest.maxBatchBytes, keyFor: (keyid) => this.opts.pinnedKey(keyid) });
    } catch (e) {
      throw e instanceof IngestRefused ? this.refuse(e, remote) : e;
    }
    const entry: PendingIngest = { ...accepted };
    let commit: Promise<LogBatchAck>;
    try {
      // Each batch keeps its own place in the writer queue (the 503 limit and the order are per
      // batch), but the first of them to run commits every batch waiting behind it as well: under
      // load the writer does one transaction for several agents' batches, not one each.
      commit = this.queue.run(async () => {
        if (!entry.outcome) await this.commitGroup();
        const outcome = entry.outcome!;
        if ('error' in outcome) {
          metrics.logIngestBatches.inc({ result: 'busy' });
          throw outcome.error;
        }
        return outcome.ack;
      });
    } catch (e) {
      metrics.logIngestBatches.inc({ result: 'busy' });
      throw this.busy(e);
    }
    this.pending.push(entry);
    return commit;
  }

  /** Commits the waiting batches, oldest first and up to GROUP_COMMIT_RECORDS records, and gives each its outcome. */
  private async commitGroup(): Promise<void> {
    let records = 0;
    let n = 0;
    while (n < this.pending.length && (n === 0 || records + this.pending[n]!.batch.records.length <= GROUP_COMMIT_RECORDS)) records += this.pending[n++]!.batch.records.length;
    const group = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    try {
      await this.commitTogether(group);
    } catch {
      // One batch the store refuses must not hold the others back: each is committed on its own.
      if (group.length > 1) for (const entry of group) await this.commitTogether([entry]).catch(() => undefined);
    }
  }

  /** One sink write for the group; on a sink failure every entry gets the retry error and this throws. */
  private async commitTogether(group: PendingIngest[]): Promise<void> {
    const { metrics, log } = this.opts;
    let written;
    try {
      written = await this.write(group.flatMap((g) => g.batch.records));
    } catch (e) {
      log.error({ err: e, batches: group.map((g) => ({ cluster: g.cluster, batchId: g.batch.batchId, records: g.batch.records.length })) }, 'log sink could not commit a batch; the agent will retry');
      const error = new FlotillaError('retry', 'the log store could not commit the batch', 'The agent retries with backoff; check the daemon log for the sink error (disk full, database locked).', { cause: e });
      for (const g of group) g.outcome = { error };
      throw e;
    }
    const shares = shareOfEachBatch(group.map((g) => g.batch), written);
    group.forEach((g, i) => {
      try {
        this.recordDrops(g.cluster, g.batch);
      } catch (e) {
        g.outcome = { error: e };
        return;
      }
      const share = shares[i]!;
      metrics.logIngestBatches.inc({ result: 'stored' });
      metrics.logIngestRecords.inc({ result: 'stored' }, share.stored);
      metrics.logIngestRecords.inc({ result: 'duplicate' }, share.duplicates);
      g.outcome = { ack: { batchId: g.batch.batchId, stored: share.stored, duplicates: share.duplicates } };
    });
  }

  /**
   * Commits several verified batches (the deliveries of one RabbitMQ consumer batch) in ONE sink
   * write, one transaction, then records their drops. Throws a retry error when the writer is busy,
   * the sink fails or the drops cannot be recorded: the caller then acks none of them. `rejected` are
   * the records the store refused one by one (Elasticsearch item 400s), for the caller to dead-letter.
   */
  commitBatches(batches: readonly AcceptedBatch[]): Promise<{ stored: number; duplicates: number; rejected: SinkRejection[] }> {
    let commit: Promise<{ stored: number; duplicates: number; rejected: SinkRejection[] }>;
    try {
      commit = this.queue.run(async () => {
        let written;
        try {
          written = await this.write(batches.flatMap((b) => b.batch.records));
        } catch (e) {
          this.opts.log.error({ err: e, batches: batches.length }, 'log sink could not commit a batch of broker deliveries; they stay unacked and are redelivered');
          throw new FlotillaError('retry', 'the log store could not commit the batch', 'Check the daemon log for the sink error (disk full, database locked); the deliveries are redelivered.', { cause: e });
        }
        for (const b of batches) this.recordDrops(b.cluster, b.batch);
        return { stored: written.stored.length, duplicates: written.duplicates, rejected: written.rejected ?? [] };
      });
    } catch (e) {
      throw this.busy(e);
    }
    return commit;
  }

  /** One sink write; the stored records are published to subscribers at once. */
  private async write(records: LogBatch['records']): Promise<SinkWriteResult> {
    const started = process.hrtime.bigint();
    const written = await this.opts.sink.write(records);
    this.opts.metrics.logSinkWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    // Published before the drops are recorded: these records are stored, and a resend would only find them duplicates.
    if (written.stored.length > 0) {
      this.ingested.stored(written.stored, Date.now());
      this.revision += 1;
      const event: LogCommit = { rev: this.revision, records: written.stored };
      for (const l of this.listeners) {
        try {
          l(event);
        } catch (e) {
          this.opts.log.error({ err: e }, 'a log subscriber failed');
        }
      }
    }
    // Refused for good by the store (an Elasticsearch item 400): sending them again would not help, so
    // the batch is acked; on the embedded chain their dead letter is the daemon log and the counter.
    const rejected = written.rejected ?? [];
    if (rejected.length > 0) {
      this.opts.metrics.logIngestRecords.inc({ result: 'rejected' }, rejected.length);
      this.opts.log.warn({ rejected: rejected.length, records: rejected.slice(0, MAX_LOGGED_REJECTIONS) }, 'the log store refused records of a batch; they are not stored');
    }
    return written;
  }

  /** Drops are durable before the ack; if the registry refuses them the batch is not acked and the agent resends it (its drops are deduplicated). */
  private recordDrops(cluster: string, batch: LogBatch): void {
    if (batch.drops.length === 0) return;
    let fresh;
    try {
      fresh = this.opts.registry.logDrops.record(cluster, batch.drops, new Date().toISOString());
    } catch (e) {
      this.opts.log.error({ err: e, cluster }, 'could not record dropped log lines; the batch is not acked and comes again');
      throw new FlotillaError('retry', 'the registry could not record the batch’s dropped lines', 'The agent retries with backoff; check the daemon log for the registry error.', { cause: e });
    }
    for (const d of fresh) {
      this.opts.metrics.logDroppedReported.inc({ cluster }, d.lines);
      this.opts.log.warn({ cluster, path: d.path, file: d.file, lines: d.lines, bytes: d.bytes, reason: d.reason, at: d.at }, 'agent reports log lines lost before they were shipped');
    }
  }

  private busy(e: unknown): FlotillaError {
    if (e instanceof QueueFull) {
      return new FlotillaError('retry', this.queue.accepting ? `the log writer is busy (${e.limit} batches waiting)` : 'the daemon is stopping', 'The agent retries with backoff; nothing is lost (the tailed file is the buffer).');
    }
    return e instanceof FlotillaError ? e : new FlotillaError('internal', String(e), 'Check the daemon log; this is a bug.', { cause: e });
  }

  /** Counts a refused batch, and records it (rejections, audit, log) once per source, reason and window, then in a summary; returns it to throw. */
  refuse(e: IngestRefused, remote: string | undefined): IngestRefused {
    const { metrics } = this.opts;
    metrics.logIngestBatches.inc({ result: 'refused' });
    metrics.logIngestRejected.inc({ reason: e.reason });
    this.noteRefusal({ source: sourceOf(remote), reason: e.reason, cluster: e.cluster, message: e.message, key: INGEST_REJECTION_KEY });
    return e;
  }

  /**
   * Records a refused broker delivery (dead-lettered by the RabbitMQ consumer) as the HTTP ingest
   * records its refusals: rejections, audit and log, sampled per source (the delivery's user_id)
   * and reason, then summarised. Counting is the caller's (flotilla_log_dead_letters_total).
   */
  refuseDelivery(r: { source: string; reason: string; cluster: string | null; message: string }): void {
    this.noteRefusal({ ...r, key: BROKER_REJECTION_KEY });
  }

  private noteRefusal(r: { source: string; reason: string; cluster: string | null; message: string; key: string }): void {
    if (r.cluster !== null) this.ingested.refused(r.cluster, Date.now());
    if (!this.refusals.hit(r.source, `${r.reason}\u0000${r.cluster ?? ''}\u0000${r.key}`, Date.now()).sample) return;
    const at = new Date().toISOString();
    this.opts.log.warn({ source: r.source, cluster: r.cluster, reason: r.reason, via: r.key, summarisedFor: `${this.opts.refusalWindowSeconds}s` }, `log batch refused: ${r.message}`);
    this.record({ at, cluster: r.cluster, reason: r.reason, message: r.message, key: r.key, etag: `${r.reason} ${r.source} ${at}`, detail: { source: r.source } });
  }

  private writeSummaries(windows: DenialWindow[]): void {
    for (const w of windows) {
      const [reason = '', cluster = '', key = INGEST_REJECTION_KEY] = w.subject.split('\u0000');
      const text = summaryText(w, `log batches refused as ${reason}`, cluster ? `for cluster ${cluster}` : `to ${key}`);
      this.opts.log.warn({ source: w.source, reason, cluster: cluster || null, via: key, count: w.count }, text);
      this.record({ at: new Date(w.lastAt).toISOString(), cluster: cluster || null, reason, message: text, key, etag: `${reason} ${w.source} summary ${new Date(w.firstAt).toISOString()}`, detail: { source: w.source, count: w.count } });
    }
  }

  private record(r: { at: string; cluster: string | null; reason: string; message: string; key: string; etag: string; detail: Record<string, unknown> }): void {
    const { registry, log } = this.opts;
    try {
      registry.tx(() => {
        if (!registry.rejections.record({ at: r.at, cluster: r.cluster, key: r.key, etag: r.etag, reason: r.reason, message: r.message })) return;
        registry.audit.append({ actor: r.cluster ? agentActor(r.cluster) : ANONYMOUS_ACTOR, action: 'log.ingest', target: r.key, allowed: false, detail: { ...r.detail, cluster: r.cluster, reason: r.reason, message: r.message } });
      });
    } catch (e) {
      log.error({ err: e, reason: r.reason }, 'could not record a refused log batch');
    }
  }

  /** Newest first (or, with `after`, stored after that cursor), with `context` lines per hit. */
  async search(query: ResolvedQuery, opts: { limit: number; before?: string; after?: string; context?: number }): Promise<LogSearchResponse> {
    const sink = this.opts.sink;
    let items: StoredLogRecord[];
    let next: string | undefined;
    if (opts.after !== undefined) {
      const page = await this.read(() => sink.storedAfter(query, opts.after || null, opts.limit));
      items = page.items;
      next = page.next ?? undefined;
    } else {
      const page = await this.read(() => sink.search({ query, limit: opts.limit, ...(opts.before !== undefined ? { before: opts.before } : {}) }));
      items = page.items;
      next = page.next;
    }
    const lines = Math.min(opts.context ?? 0, MAX_CONTEXT_LINES);
    const hits: LogHit[] = lines > 0 ? await Promise.all(items.map(async (hit) => ({ ...hit, context: await this.neighbours(hit, lines) }))) : items;
    return { items: hits, ...(next !== undefined ? { next } : {}) };
  }

  private async neighbours(hit: StoredLogRecord, lines: number): Promise<NonNullable<LogHit['context']>> {
    const c = await this.read(() => this.opts.sink.context(hit.id, lines));
    return c ? { before: c.before, after: c.after } : { before: [], after: [] };
  }

  /** A record and its container's neighbours; not_found for an unknown id (retention may have removed it). */
  async context(id: string, lines: number): Promise<LogContext> {
    const c = await this.read(() => this.opts.sink.context(id, Math.min(lines, MAX_CONTEXT_LINES)));
    if (!c) throw new FlotillaError('not_found', `no log record with id ${id.slice(0, 40)}`, 'It may have been removed by retention (logs.retention); search again.');
    return c;
  }

  /** Matches by level over the query's since..until (default: the hour before until, or now). */
  async histogram(query: ResolvedQuery, buckets: number, nowMs: number): Promise<LogHistogram> {
    const untilMs = query.untilMs ?? nowMs;
    const sinceMs = query.sinceMs ?? untilMs - DEFAULT_HISTOGRAM_MS;
    if (sinceMs >= untilMs) throw new FlotillaError('usage', 'the histogram range is empty: since is not before until', 'Give a since: earlier than the until: of the query.');
    return this.read(() => this.opts.sink.histogram({ ...query, sinceMs, untilMs }, Math.min(Math.max(1, buckets), MAX_HISTOGRAM_BUCKETS)));
  }

  /** A sink read; a sink failure is 503, not a bug of the caller's. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.stopped) throw new FlotillaError('retry', 'the daemon is stopping', 'Retry once it is back.');
    try {
      return await fn();
    } catch (e) {
      if (e instanceof FlotillaError) throw e;
      this.opts.log.error({ err: e }, 'log sink read failed');
      throw new FlotillaError('unavailable', `the log store could not be read: ${(e as Error).message}`, 'Retry; if it persists, check the daemon log for the sink error.', { cause: e });
    }
  }

  private runRetention(): void {
    if (this.retention || this.stopped) return;
    const { config, sink, metrics, log } = this.opts;
    const policy = { maxAgeMs: parseDuration(config.retention.maxAge), maxBytes: config.retention.maxBytes };
    this.retention = (async () => {
      try {
        // through the writer, so the sink has one writer at a time; a full queue skips this round
        const removed = await this.queue.run(() => sink.retain(policy, Date.now()));
        metrics.logRetentionRemoved.inc(removed.removedRecords);
        const stats = await sink.stats();
        metrics.logSinkBytes.set(stats.bytes);
        if (removed.removedRecords > 0 || removed.removedPartitions > 0) {
          log.info({ ...removed, records: stats.records, bytes: stats.bytes, maxAge: config.retention.maxAge, maxBytes: config.retention.maxBytes }, 'log retention removed old records');
        }
      } catch (e) {
        if (e instanceof QueueFull) log.info('log retention skipped: the writer is busy; will run at the next interval');
        else log.error({ err: e }, 'log retention failed; will retry at the next interval');
      } finally {
        this.retention = undefined;
      }
    })();
  }
}
