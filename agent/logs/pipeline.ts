// The shipping loop (docs/LOGS.md, Shipping): per input, read a chunk (up to logs.batch, waiting at
// most flushMs), build one batch, ship it, and only on the ack commit the chunk, which moves the
// checkpoints. While a batch ships, the next one is read and built (one read ahead), so the agent's
// work overlaps the round trip; batches still ship one at a time and commit in read order. While the
// hop is away or refuses, the SAME batch is retried with jittered exponential backoff and nothing
// more is read, so memory holds at most two batches per input and the tailed file stays the buffer.
// Nothing is ever skipped: a refused batch is retried at the longest delay and shown as lastError
// until the operator fixes identity or config.
import { randomUUID } from 'node:crypto';
import type { Counter, Gauge } from 'prom-client';
import type { AgentLogsConfig } from '../../config/logs-schema.js';
import { jitteredBackoffMs } from '../../core/backoff.js';
import type { Logger } from '../../core/log.js';
import type { LogBatch } from '../../core/logs/batch.js';
import type { PipelineFigures } from '../../core/status.js';
import { buildBatch, errorLines } from './batch-build.js';
import { ERROR_RATE_SECONDS, pipelineFigures, RATE_SECONDS } from './figures.js';
import type { LogChunk, LogInput } from './input.js';
import { RateWindow } from '../../core/rate-window.js';
import { ShipError, type Shipper } from './shipper.js';

/** The agent metrics the pipeline keeps (agent/metrics.ts). */
export interface PipelineMetrics {
  linesRead: Counter;
  linesShipped: Counter;
  droppedLines: Counter;
  droppedBytes: Counter;
  shipErrors: Counter<'kind'>;
  bytesBehind: Gauge;
}

export interface PipelineDeps {
  cluster: string;
  inputs: LogInput[];
  shipper: Shipper;
  batch: AgentLogsConfig['batch'];
  retry: AgentLogsConfig['retry'];
  logger: Logger;
  metrics?: PipelineMetrics;
  /** How long stop() lets a ship attempt in flight finish before abandoning it. */
  stopGraceMs?: number;
  clock?: () => number;
  random?: () => number;
  newBatchId?: () => string;
  /** Waits ms or until the signal aborts, whichever comes first. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const DEFAULT_STOP_GRACE_MS = 2000;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Batches an input holds at most: the one shipping and the one read ahead. */
export const HELD_BATCHES = 2;

/** One input's loop state: the batches it holds (read, not yet acked), oldest first. */
interface Lane {
  input: LogInput;
  held: { chunk: LogChunk; batch: LogBatch }[];
  /** Woken when a batch is added or acked, or on stop. */
  waiters: (() => void)[];
  failures: number;
  /** Why this input's last attempt failed; null once its batch is acked. */
  lastError: string | null;
}

export class LogPipeline {
  private readonly lanes: Lane[];
  private readonly stopSignal = new AbortController();
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly newBatchId: () => string;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly read = new RateWindow(RATE_SECONDS);
  private readonly shipped = new RateWindow(RATE_SECONDS);
  private readonly errors = new RateWindow(ERROR_RATE_SECONDS);
  private readonly startedMs: number;
  private running: Promise<void>[] = [];
  private stopping: Promise<void> | undefined;
  private reportedDrops = { lines: 0, bytes: 0 };

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.newBatchId = deps.newBatchId ?? randomUUID;
    this.sleep = deps.sleep ?? abortableSleep;
    this.startedMs = this.clock();
    this.lanes = deps.inputs.map((input) => ({ input, held: [], waiters: [], failures: 0, lastError: null }));
  }

  get transport(): Shipper['transport'] {
    return this.deps.shipper.transport;
  }

  start(): void {
    if (this.running.length > 0 || this.stopSignal.signal.aborted) return;
    this.running = this.lanes.map((lane) => this.run(lane));
  }

  /**
   * Stops reading; a ship attempt in flight may finish (and its chunk commit) within the grace,
   * after which it is abandoned: its chunk stays uncommitted and is read again, with the same ids,
   * after a restart. Then the shipper and the inputs are closed.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      const loops = Promise.all(this.running);
      const graceOver = new AbortController();
      const grace = abortableSleep(this.deps.stopGraceMs ?? DEFAULT_STOP_GRACE_MS, graceOver.signal).then(() => 'grace' as const);
      const first = await Promise.race([loops.then(() => 'done' as const), grace]);
      graceOver.abort();
      if (first === 'grace') this.deps.logger.warn('log shipping stopped with a batch in flight; it ships again after the restart');
      await this.deps.shipper.close();
      await loops;
      for (const lane of this.lanes) {
        try {
          await lane.input.close();
        } catch (e) {
          this.deps.logger.warn({ input: lane.input.name, err: errorText(e) }, 'closing a log input failed');
        }
      }
      this.syncMetrics();
    })();
    return this.stopping;
  }

  private get stopped(): boolean {
    return this.stopSignal.signal.aborted;
  }

  private async run(lane: Lane): Promise<void> {
    const wakeAll = () => this.wake(lane);
    this.stopSignal.signal.addEventListener('abort', wakeAll);
    try {
      await Promise.all([this.readLoop(lane), this.shipLoop(lane)]);
    } finally {
      this.stopSignal.signal.removeEventListener('abort', wakeAll);
    }
  }

  private wake(lane: Lane): void {
    for (const w of lane.waiters.splice(0)) w();
  }

  private waitForChange(lane: Lane): Promise<void> {
    return new Promise((resolve) => lane.waiters.push(resolve));
  }

  /** Reads and builds batches while the lane holds fewer than HELD_BATCHES; only a ship attempt's outcome makes room. */
  private async readLoop(lane: Lane): Promise<void> {
    const { deps } = this;
    while (!this.stopped) {
      if (lane.held.length >= HELD_BATCHES) {
        await this.waitForChange(lane);
        continue;
      }
      try {
        const chunk = await lane.input.read({ records: deps.batch.maxRecords, bytes: deps.batch.maxBytes }, deps.batch.flushMs);
        if (chunk.records.length === 0 && chunk.drops.length === 0) continue;
        this.read.add(this.clock(), chunk.records.length);
        deps.metrics?.linesRead.inc(chunk.records.length);
        lane.held.push({ chunk, batch: buildBatch(deps.cluster, this.newBatchId(), new Date(this.clock()), chunk.records, chunk.drops) });
        this.wake(lane);
      } catch (e) {
        await this.inputFailed(lane, e);
      }
    }
  }

  /** Ships the oldest held batch until it is acked, commits it, and goes on with the next. */
  private async shipLoop(lane: Lane): Promise<void> {
    while (!this.stopped) {
      const held = lane.held[0];
      if (!held) {
        await this.waitForChange(lane);
        continue;
      }
      try {
        await this.shipHeld(lane, held);
      } catch (e) {
        await this.inputFailed(lane, e);
      }
    }
  }

  /** An input that fails to read or commit is logged and tried again after a pause; the loop outlives it. */
  private async inputFailed(lane: Lane, e: unknown): Promise<void> {
    const { deps } = this;
    lane.failures += 1;
    lane.lastError = `log input ${lane.input.name}: ${errorText(e)}`;
    deps.logger.error({ input: lane.input.name, err: errorText(e), failures: lane.failures }, 'log input failed; retrying');
    await this.sleep(jitteredBackoffMs(lane.failures, this.random(), { capMs: deps.retry.maxMs, baseMs: deps.retry.initialMs }), this.stopSignal.signal);
  }

  /** One ship attempt of the lane's oldest held batch; on the ack it is committed and let go. */
  private async shipHeld(lane: Lane, held: Lane['held'][number]): Promise<void> {
    const { deps } = this;
    let ack;
    try {
      ack = await deps.shipper.ship(held.batch);
    } catch (e) {
      const refused = e instanceof ShipError && e.kind === 'refused';
      lane.failures += 1;
      deps.metrics?.shipErrors.inc({ kind: refused ? 'refused' : 'retry' });
      lane.lastError = errorText(e);
      if (this.stopped) return;
      const delay = jitteredBackoffMs(refused ? Number.MAX_SAFE_INTEGER : lane.failures, this.random(), { capMs: deps.retry.maxMs, baseMs: deps.retry.initialMs });
      const fields = { input: lane.input.name, batchId: held.batch.batchId, records: held.batch.records.length, failures: lane.failures, retryInMs: delay, err: lane.lastError };
      if (refused) deps.logger.error(fields, 'the next hop refused a log batch; fix the agent identity or config, retrying the same batch');
      else if (lane.failures === 1 || lane.failures % 10 === 0) deps.logger.warn(fields, 'log shipping: next hop unavailable; retrying the same batch');
      await this.sleep(delay, this.stopSignal.signal);
      return;
    }
    // The hop has the batch: only now may the checkpoints move.
    await lane.input.commit(held.chunk);
    lane.held.shift();
    this.wake(lane);
    if (lane.failures > 0) deps.logger.info({ input: lane.input.name, failures: lane.failures }, 'log shipping flowing again');
    lane.failures = 0;
    lane.lastError = null;
    const now = this.clock();
    this.shipped.add(now, held.batch.records.length);
    this.errors.add(now, errorLines(held.batch.records));
    deps.metrics?.linesShipped.inc(held.batch.records.length);
    if (ack.duplicates > 0) deps.logger.debug({ batchId: ack.batchId, duplicates: ack.duplicates }, 'records already stored (a resend or a re-read)');
    this.syncMetrics();
  }

  /** Brings the dropped counters and the bytes-behind gauge up to the inputs' figures. */
  private syncMetrics(): void {
    const m = this.deps.metrics;
    if (!m) return;
    let lines = 0;
    let bytes = 0;
    let behind = 0;
    for (const lane of this.lanes) {
      const f = lane.input.figures();
      lines += f.droppedLines;
      bytes += f.droppedBytes;
      behind += f.bytesBehind;
    }
    if (lines > this.reportedDrops.lines) m.droppedLines.inc(lines - this.reportedDrops.lines);
    if (bytes > this.reportedDrops.bytes) m.droppedBytes.inc(bytes - this.reportedDrops.bytes);
    this.reportedDrops = { lines: Math.max(lines, this.reportedDrops.lines), bytes: Math.max(bytes, this.reportedDrops.bytes) };
    m.bytesBehind.set(behind);
  }

  /** The figures for the next status report. */
  figures(): PipelineFigures {
    const now = this.clock();
    this.syncMetrics();
    return pipelineFigures(
      this.lanes.map((l) => l.input.figures()),
      {
        transport: this.transport,
        inFlightRecords: this.lanes.reduce((n, l) => n + l.held.reduce((m, h) => m + h.batch.records.length, 0), 0),
        linesReadPerSecond: this.read.perSecond(now, RATE_SECONDS, this.startedMs),
        linesShippedPerSecond: this.shipped.perSecond(now, RATE_SECONDS, this.startedMs),
        errorLinesLastMinute: this.errors.sum(now, ERROR_RATE_SECONDS),
        lastError: this.lanes.find((l) => l.lastError !== null)?.lastError ?? null,
      },
      now,
    );
  }
}
