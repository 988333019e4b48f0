// One container instance's log, read through pods/log (@kubernetes/client-node's Log, follow +
// timestamps + sinceTime): connects, turns lines into records, reconnects with backoff from where it
// read when the stream breaks, and finishes when the instance's log is over (it terminated and was
// read to its end, or its pod is gone).
//
// Back-pressure: the records wait in `queue` until the input hands them out, and the input's memory
// budget (unshipped records of all streams) is checked on every write; over it, the write's callback
// is held until a commit frees room, so the HTTP body is paused and TCP pushes back on the kubelet.
import { Writable } from 'node:stream';
import type { LogOptions } from '@kubernetes/client-node';
import { jitteredBackoffMs } from '../../../core/backoff.js';
import { LOG_LIMITS, type LogRecord } from '../../../core/logs/record.js';
import type { Logger } from '../../../core/log.js';
import { buildRecords, type BuildStats } from '../record-build.js';
import { howToRead, type ContainerStatusView, type Instance } from './instances.js';
import { LineSplitter, Resume, splitTimestamped, type StreamPosition } from './position.js';

/** A line longer than this is cut into pieces (each still split into records of messageBytes by buildRecords). */
const MAX_LINE_BYTES = 64 * LOG_LIMITS.messageBytes;

export interface QueuedRecord {
  record: LogRecord;
  /** Where committing this record moves the checkpoint: past its line for the line's last record, before it for earlier parts. */
  pos: StreamPosition | undefined;
  bytes: number;
  /** ms epoch of the record's time, for the oldest-unshipped figure. */
  ms: number;
}

export interface StreamHost {
  readonly cluster: string;
  readonly logger: Logger;
  readonly stats: BuildStats;
  readonly retry: { initialMs: number; maxMs: number };
  /** The container's status from a fresh read of its pod; undefined when the pod (or container) is gone. Throws when the API cannot be asked. */
  status(inst: Instance): Promise<ContainerStatusView | undefined>;
  /** Log.log: resolves once the response has started (its body is piped into `into`); rejects with the API's status code as `code` when refused. */
  openLog(inst: Instance, into: Writable, opts: LogOptions): Promise<AbortController>;
  /** New records were queued. */
  queued(stream: ContainerStream, records: number, bytes: number): void;
  /** Whether the unshipped records held in memory are over budget; if so, `resume` runs once there is room. */
  full(resume: () => void): boolean;
  /** The stream will read no more; `why` for the log. */
  finished(stream: ContainerStream, why: string): void;
  /** The API refused the stream in a way a retry will not fix by itself (403), or stopped refusing (null). */
  refused(stream: ContainerStream, reason: string | null): void;
}

export class ContainerStream {
  readonly queue: QueuedRecord[] = [];
  /** Where the last record handed out leaves the checkpoint, and the last committed one. */
  committed: StreamPosition | undefined;
  state: 'connecting' | 'open' | 'backoff' | 'finished' = 'connecting';
  private resume: Resume;
  private splitter = new LineSplitter(MAX_LINE_BYTES);
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;
  /** Bumped on every connection: writes of an older (broken) connection are dropped, as the reconnect reads them again. */
  private generation = 0;
  private closing = false;
  linesRead = 0;

  constructor(
    readonly inst: Instance,
    private readonly host: StreamHost,
    from: StreamPosition | undefined,
  ) {
    this.resume = new Resume(from);
    this.committed = from;
  }

  get key(): string {
    return this.inst.key;
  }

  /** Position of everything read so far (what a reconnect resumes from). */
  get readPosition(): StreamPosition | undefined {
    return this.resume.position;
  }

  start(): void {
    void this.connect();
  }

  close(): void {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller?.abort();
  }

  private retryLater(why: string): void {
    if (this.closing || this.state === 'finished') return;
    this.attempts += 1;
    const ms = jitteredBackoffMs(this.attempts, Math.random(), { baseMs: this.host.retry.initialMs, capMs: this.host.retry.maxMs });
    this.state = 'backoff';
    this.host.logger.debug({ stream: this.key, why, ms }, 'log stream: reconnecting later');
    this.timer = setTimeout(() => void this.connect(), ms);
  }

  private finish(why: string): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    this.controller = undefined;
    this.host.finished(this, why);
  }

  private async connect(): Promise<void> {
    if (this.closing || this.state === 'finished') return;
    this.state = 'connecting';
    let status: ContainerStatusView | undefined;
    try {
      status = await this.host.status(this.inst);
    } catch (e) {
      this.retryLater(`pod read failed: ${(e as Error).message}`);
      return;
    }
    const plan = howToRead(this.inst.restart, status);
    if (plan.how === 'gone') return this.finish(status ? 'its log is no longer kept' : 'the pod is gone');
    if (plan.how === 'waiting') return this.retryLater('the container has not started');
    const generation = ++this.generation;
    // Resumed from what was read: a line the last connection had only partly delivered comes again whole.
    this.resume = new Resume(this.resume.position);
    this.splitter.reset();
    const into = this.writable(generation);
    const linesBefore = this.linesRead;
    const since = this.resume.position?.ts;
    const opts: LogOptions = { follow: plan.follow, timestamps: true, ...(plan.how === 'previous' ? { previous: true } : {}), ...(since ? { sinceTime: since } : {}) };
    const ended = (clean: boolean): void => {
      if (generation !== this.generation || this.closing) return;
      this.generation += 1;
      this.controller = undefined;
      if (!clean) return this.retryLater('the stream broke');
      // The kubelet ends a follow stream when the instance stops (or the API server gives up on it):
      // read its pod again to tell which, before resuming or finishing.
      if (!plan.follow) return this.finish('read to its end');
      // A stream that ended without a line is not retried at once, so a server that keeps ending it costs no busy loop.
      if (this.linesRead === linesBefore) return this.retryLater('the stream ended with nothing new');
      this.state = 'connecting';
      void this.connect();
    };
    into.on('finish', () => ended(true));
    into.on('error', (e) => {
      this.host.logger.warn({ stream: this.key, err: e.message }, 'log stream: reading failed; reconnecting');
      ended(false);
    });
    // Log pipes the response body into `into` before it resolves, and does not pass the body's errors
    // on: the body itself, handed over in the 'pipe' event, says whether it ended or broke.
    into.on('pipe', (src: NodeJS.ReadableStream) => {
      let endSeen = false;
      src.on('end', () => (endSeen = true));
      src.on('error', () => ended(false));
      src.on('close', () => {
        if (!endSeen) ended(false);
      });
    });
    try {
      const controller = await this.host.openLog(this.inst, into, opts);
      if (this.closing) {
        controller.abort();
        return;
      }
      if (generation === this.generation) {
        this.controller = controller;
        this.state = 'open';
      }
      this.host.refused(this, null);
    } catch (e) {
      if (generation !== this.generation) return;
      this.generation += 1;
      const code = (e as { code?: number }).code;
      if (code === 404) return this.finish('the pod is gone');
      if (code === 403 || code === 401) this.host.refused(this, `pods/log refused (${code}): grant the agent get on pods/log in ${this.inst.namespace}`);
      this.retryLater(`pods/log answered ${code ?? (e as Error).message}`);
    }
  }

  private writable(generation: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (generation !== this.generation) return cb();
        this.take(this.splitter.push(chunk));
        if (!this.host.full(() => cb())) cb();
      },
      final: (cb) => {
        if (generation === this.generation) {
          const rest = this.splitter.flush();
          if (rest) this.take([rest]);
        }
        cb();
      },
    });
  }

  private take(lines: { bytes: Buffer; continued: boolean }[]): void {
    if (lines.length === 0) return;
    let records = 0;
    let bytes = 0;
    for (const line of lines) {
      const parsed = line.continued ? null : splitTimestamped(line.bytes);
      const before = this.resume.position;
      const v = this.resume.advance(parsed?.ts ?? null);
      if (v.skip) continue;
      this.linesRead += 1;
      const after = this.resume.position;
      const built = buildRecords(
        {
          cluster: this.host.cluster,
          namespace: this.inst.namespace,
          pod: this.inst.pod,
          container: this.inst.container,
          node: this.inst.node,
          // pods/log merges stdout and stderr into one stream and says not which a line came from.
          stream: 'stdout',
          ts: v.ts,
          idParts: [this.inst.uid, this.inst.container, this.inst.restart, v.ts, v.index],
          bytes: parsed ? parsed.message : line.bytes,
          malformed: !parsed && !line.continued,
        },
        this.host.stats,
      );
      const ms = Date.parse(v.ts);
      built.forEach((record, i) => {
        const last = i === built.length - 1;
        this.queue.push({ record, pos: last ? after : before, bytes: last ? line.bytes.length : 0, ms });
      });
      records += built.length;
      bytes += line.bytes.length;
    }
    if (records > 0) {
      this.attempts = 0;
      this.host.queued(this, records, bytes);
    }
  }
}
