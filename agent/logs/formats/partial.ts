// Joining the pieces of one long line that a runtime wrote as several (CRI `P` lines, docker
// json-file entries without a trailing newline). Bounded: pieces are buffered only up to
// LOG_LIMITS.messageBytes; a longer run is emitted as marked parts as it goes, so a container that
// never ends its line cannot make the agent buffer without limit. The parts keep the id of the
// run's first line (file identity, its offset, part index), so a re-read joins to the same records.
// One joiner per stream, since stdout and stderr pieces may interleave in one file. Pure.
import { LOG_LIMITS, type LogLevel, type LogRecord, type LogStream } from '../../../core/logs/record.js';
import { buildRecords, type BuildStats } from '../record-build.js';

/** The record fields a file's lines share. */
export interface LineBase {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
  /** The file's identity (the first id part). */
  file: string;
}

/**
 * An open run whose first parts were already emitted: what a checkpoint keeps so a restart resumes
 * mid-run with the right part index. Lines of this stream before `from` are in those parts.
 */
export interface PartialState {
  stream: LogStream;
  start: number;
  part: number;
  from: number;
  ts: string;
  level: LogLevel;
}

class Joiner {
  private run: { start: number; part: number; ts: string; level: LogLevel | undefined } | undefined;
  private pieces: Buffer[] = [];
  private piecesBytes = 0;
  private piecesFrom = 0;
  /** Set after a restore: this stream's lines before it are already in emitted parts. */
  private skipBefore = 0;

  constructor(
    private readonly base: LineBase,
    private readonly stream: LogStream,
  ) {}

  restore(p: PartialState): void {
    this.run = { start: p.start, part: p.part, ts: p.ts, level: p.level };
    this.pieces = [];
    this.piecesBytes = 0;
    this.piecesFrom = p.from;
    this.skipBefore = p.from;
  }

  reset(): void {
    this.run = undefined;
    this.pieces = [];
    this.piecesBytes = 0;
    this.skipBefore = 0;
  }

  piece(offset: number, next: number, ts: string, msg: Buffer, out: LogRecord[], stats: BuildStats): void {
    if (offset < this.skipBefore) return;
    if (!this.run) {
      this.run = { start: offset, part: 0, ts, level: undefined };
      this.piecesFrom = offset;
    }
    if (this.piecesBytes > 0 && this.piecesBytes + msg.length > LOG_LIMITS.messageBytes) this.flush(offset, out, stats);
    if (msg.length > LOG_LIMITS.messageBytes) {
      this.emit(msg, true, out, stats);
      this.piecesFrom = next;
      return;
    }
    if (this.pieces.length === 0) this.piecesFrom = offset;
    // A copy: the caller's buffer is reused for the next read.
    this.pieces.push(Buffer.from(msg));
    this.piecesBytes += msg.length;
  }

  final(offset: number, ts: string, msg: Buffer, malformed: boolean, out: LogRecord[], stats: BuildStats): void {
    if (offset < this.skipBefore) return;
    const run = this.run;
    if (!run) {
      // The common case, once per line: a literal of fixed shape rather than a spread of the base.
      const b = this.base;
      const records = buildRecords({ cluster: b.cluster, namespace: b.namespace, pod: b.pod, container: b.container, node: b.node, stream: this.stream, ts, idParts: [b.file, offset], bytes: msg, malformed }, stats);
      for (let i = 0; i < records.length; i++) out.push(records[i]!);
      return;
    }
    const bytes = this.pieces.length === 0 ? msg : Buffer.concat([...this.pieces, msg]);
    this.pieces = [];
    this.piecesBytes = 0;
    this.emit(bytes, false, out, stats);
    this.run = undefined;
    this.skipBefore = 0;
  }

  /** Where a restart must read from for this stream, and the state to restore there (only once parts were emitted). */
  resume(next: number): { offset: number; partial?: PartialState } {
    const run = this.run;
    if (!run) return { offset: next };
    if (run.part === 0) return { offset: run.start };
    // The first piece not yet in an emitted part (buffered, or the next one to come).
    const offset = this.piecesFrom;
    return { offset, partial: { stream: this.stream, start: run.start, part: run.part, from: offset, ts: run.ts, level: run.level ?? 'unknown' } };
  }

  private flush(nextFrom: number, out: LogRecord[], stats: BuildStats): void {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    this.pieces = [];
    this.piecesBytes = 0;
    this.emit(bytes, true, out, stats);
    this.piecesFrom = nextFrom;
  }

  private emit(bytes: Buffer, continues: boolean, out: LogRecord[], stats: BuildStats): void {
    const run = this.run!;
    const records = buildRecords(
      { ...this.base, stream: this.stream, ts: run.ts, idParts: [this.base.file, run.start], bytes, firstPart: run.part, continues, ...(run.part > 0 || continues ? { level: run.level } : {}) },
      stats,
    );
    for (const r of records) out.push(r);
    run.part += records.length;
    run.level ??= records[0]?.level;
  }
}

/** The joiners of one file, one per stream; the file's resume point is the earlier of theirs. */
export class PartialJoiners {
  private readonly byStream: Record<LogStream, Joiner>;

  constructor(base: LineBase, restored: PartialState[] = []) {
    this.byStream = { stdout: new Joiner(base, 'stdout'), stderr: new Joiner(base, 'stderr') };
    for (const p of restored) this.byStream[p.stream].restore(p);
  }

  piece(stream: LogStream, offset: number, next: number, ts: string, msg: Buffer, out: LogRecord[], stats: BuildStats): void {
    this.byStream[stream].piece(offset, next, ts, msg, out, stats);
  }

  final(stream: LogStream, offset: number, ts: string, msg: Buffer, malformed: boolean, out: LogRecord[], stats: BuildStats): void {
    this.byStream[stream].final(offset, ts, msg, malformed, out, stats);
  }

  resume(next: number): { offset: number; partials: PartialState[] } {
    const a = this.byStream.stdout.resume(next);
    const b = this.byStream.stderr.resume(next);
    const partials = [a.partial, b.partial].filter((p): p is PartialState => p !== undefined);
    return { offset: Math.min(a.offset, b.offset), partials };
  }

  reset(): void {
    this.byStream.stdout.reset();
    this.byStream.stderr.reset();
  }
}
