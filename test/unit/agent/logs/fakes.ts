// A scripted LogInput and Shipper for the pipeline tests: the input serves records from memory and
// records every read and commit; the shipper answers each ship() with the next scripted outcome.
import type { InputFigures, LogChunk, LogInput, ReadLimits } from '../../../../agent/logs/input.js';
import { ShipError, type Shipper } from '../../../../agent/logs/shipper.js';
import type { LogBatch, LogBatchAck, LogDrop } from '../../../../core/logs/batch.js';
import type { LogLevel, LogRecord } from '../../../../core/logs/record.js';

export function record(n: number, level: LogLevel = 'info', cluster = 'c1'): LogRecord {
  return { id: n.toString(16).padStart(32, '0'), ts: '2026-01-01T00:00:00.000Z', cluster, namespace: 'ns', pod: 'p', container: 'c', node: '', stream: 'stdout', level, message: `line ${n}`, fields: {} };
}

export class FakeInput implements LogInput {
  readonly reads: ReadLimits[] = [];
  readonly commits: LogChunk[] = [];
  private readonly pending: LogRecord[] = [];
  private pendingDrops: LogDrop[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  failReads = 0;
  figuresValue: InputFigures = { linesRead: 0, bytesBehind: 0, oldestUnshippedMs: null, droppedLines: 0, droppedBytes: 0, sources: 1, refused: [] };

  constructor(readonly name = 'fake') {}

  append(records: LogRecord[], drops: LogDrop[] = []): void {
    this.pending.push(...records);
    this.pendingDrops.push(...drops);
    this.wake?.();
  }

  async read(limits: ReadLimits, waitMs: number): Promise<LogChunk> {
    this.reads.push(limits);
    if (this.failReads > 0) {
      this.failReads -= 1;
      throw new Error('disk on fire');
    }
    if (this.pending.length === 0 && this.pendingDrops.length === 0) {
      // As a real input does: wait for data up to waitMs.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const records = this.pending.splice(0, limits.records);
    const drops = this.pendingDrops;
    this.pendingDrops = [];
    this.figuresValue = { ...this.figuresValue, linesRead: this.figuresValue.linesRead + records.length };
    return { records, bytes: records.length * 10, drops, positions: { last: records.at(-1)?.id } };
  }

  async commit(chunk: LogChunk): Promise<void> {
    this.commits.push(chunk);
  }

  figures(): InputFigures {
    return this.figuresValue;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export type Outcome = 'ack' | 'retry' | 'refused' | 'hang';

export class FakeShipper implements Shipper {
  readonly transport = 'daemon' as const;
  readonly shipped: LogBatch[] = [];
  /** Outcomes for the next calls, in order; past the script every call is acked. */
  script: Outcome[] = [];
  private hung: { resolve: (a: LogBatchAck) => void; reject: (e: unknown) => void; batch: LogBatch }[] = [];
  closed = false;

  ship(batch: LogBatch): Promise<LogBatchAck> {
    this.shipped.push(batch);
    const outcome = this.script.shift() ?? 'ack';
    if (outcome === 'ack') return Promise.resolve({ batchId: batch.batchId, stored: batch.records.length, duplicates: 0 });
    if (outcome === 'retry') return Promise.reject(new ShipError('cannot reach the daemon: ECONNREFUSED', 'retry'));
    if (outcome === 'refused') return Promise.reject(new ShipError('the daemon refused the batch: 401 unauthenticated: unknown agent key', 'refused'));
    return new Promise((resolve, reject) => this.hung.push({ resolve, reject, batch }));
  }

  /** Answers the oldest hung call with an ack. */
  release(): void {
    const h = this.hung.shift();
    h?.resolve({ batchId: h.batch.batchId, stored: h.batch.records.length, duplicates: 0 });
  }

  get hanging(): number {
    return this.hung.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.hung.splice(0)) h.reject(new ShipError('shipping stopped before the daemon answered', 'retry'));
  }
}
