// The agent's job journal: JSON lines in <dataDir>/jobs.journal, one fsync per record. `started` is
// written before an executor runs (with the verified envelope, so a job that vanishes from the store
// can still be finished), `finished` after its result envelope is in the store (with those bytes, so
// a lost result can be re-written). A torn last line from a crash is ignored. The highest finished
// seq only ever grows; compaction keeps it as a checkpoint plus the recent records.
// A journal belongs to one registration: its scope is the agent key id the jobs are issued to (seqs
// restart at 1 with each registration). Opened for another scope it starts empty, so nothing of an
// earlier registration — its high-water seq, its finished results, a job it left in flight — can
// ever act on the new one; within one scope the high-water seq never goes down.
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { FlotillaError } from '../../core/errors.js';
import { RESULT_STATES } from '../../core/jobs.js';

export const JOURNAL_FILE = 'jobs.journal';
/** Finished records kept for replay detection and result re-writes. */
export const JOURNAL_KEEP_FINISHED = 256;
/** Appends between compactions. */
const COMPACT_EVERY = 1024;

const seq = z.number().int().positive();
const StartedSchema = z.object({ t: z.literal('started'), seq, id: z.string(), type: z.string(), at: z.string(), envelope: z.string() }).strict();
const FinishedSchema = z.object({ t: z.literal('finished'), seq, id: z.string(), type: z.string(), state: z.enum(RESULT_STATES), at: z.string(), result: z.string() }).strict();
/** `scope` is absent only in journals written before scopes existed; they had one registration. */
const CheckpointSchema = z.object({ t: z.literal('checkpoint'), lastFinished: z.number().int().nonnegative(), scope: z.string().min(1).optional() }).strict();
const RecordSchema = z.discriminatedUnion('t', [StartedSchema, FinishedSchema, CheckpointSchema]);

export type StartedRecord = z.infer<typeof StartedSchema>;
export type FinishedRecord = z.infer<typeof FinishedSchema>;

export interface JournalLoad {
  /** Lines that did not parse; a torn last line is expected after a crash, others are not. */
  skippedLines: number;
  /** The scope of another registration the file held, now discarded; absent when it was this scope's (or empty). */
  discardedScope?: { scope: string; lastFinished: number };
}

export class JobJournal {
  private last = 0;
  private readonly done = new Map<number, FinishedRecord>();
  private started: StartedRecord | undefined;
  private handle: FileHandle | undefined;
  private appends = 0;
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    /** The agent key id of the registration this journal belongs to. */
    readonly scope: string,
  ) {}

  /**
   * Reads the journal (if any) for this scope, then rewrites it compacted so appends never follow a
   * torn line. A file of another scope is replaced by an empty journal of this one, atomically.
   */
  static async open(dataDir: string, scope: string): Promise<{ journal: JobJournal; load: JournalLoad }> {
    const journal = new JobJournal(join(dataDir, JOURNAL_FILE), scope);
    const load = journal.read();
    await journal.compact();
    return { journal, load };
  }

  get lastFinished(): number {
    return this.last;
  }

  finished(s: number): FinishedRecord | undefined {
    return this.done.get(s);
  }

  recentFinished(): FinishedRecord[] {
    return [...this.done.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The job that was started and not finished, if any (at most one: jobs run one at a time). */
  inFlight(): StartedRecord | undefined {
    return this.started && this.started.seq > this.last ? this.started : undefined;
  }

  async recordStarted(rec: Omit<StartedRecord, 't'>): Promise<void> {
    if (rec.seq <= this.last) throw new FlotillaError('internal', `journal: seq ${rec.seq} is at or below the last finished seq ${this.last}`, 'This is a bug in the agent; report it with the agent log.');
    const full: StartedRecord = { t: 'started', ...rec };
    await this.append(full);
    this.started = full;
  }

  /**
   * Raises the high-water seq to at least `seq` without a finished record: what the agent's own
   * signed reports in the store say it had finished, when the journal lost that (a restored or lost
   * data dir). Never lowers it.
   */
  async raiseFloor(seq: number): Promise<void> {
    if (seq <= this.last) return;
    await this.append({ t: 'checkpoint', lastFinished: seq, scope: this.scope });
    this.last = seq;
  }

  async recordFinished(rec: Omit<FinishedRecord, 't'>): Promise<void> {
    if (rec.seq <= this.last) throw new FlotillaError('internal', `journal: seq ${rec.seq} is at or below the last finished seq ${this.last}`, 'This is a bug in the agent; report it with the agent log.');
    const full: FinishedRecord = { t: 'finished', ...rec };
    await this.append(full);
    this.apply(full);
    if (this.appends >= COMPACT_EVERY) await this.compact();
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }

  private read(): JournalLoad {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { skippedLines: 0 };
      throw new FlotillaError('config', `cannot read the job journal ${this.path}: ${(e as Error).message}`, 'Make the agent data dir readable by this user.', { cause: e });
    }
    let skippedLines = 0;
    let fileScope: string | undefined;
    let fileLast = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skippedLines += 1;
        continue;
      }
      const rec = RecordSchema.safeParse(value);
      if (!rec.success) {
        skippedLines += 1;
        continue;
      }
      // Records follow the checkpoint of their scope; a file only changes scope by being rewritten.
      if (rec.data.t === 'checkpoint' && rec.data.scope !== undefined && rec.data.scope !== fileScope) {
        if (fileScope !== undefined) this.reset();
        fileScope = rec.data.scope;
      }
      this.apply(rec.data);
      fileLast = this.last;
    }
    if (fileScope !== undefined && fileScope !== this.scope) {
      this.reset();
      return { skippedLines, discardedScope: { scope: fileScope, lastFinished: fileLast } };
    }
    return { skippedLines };
  }

  private reset(): void {
    this.last = 0;
    this.done.clear();
    this.started = undefined;
  }

  private apply(rec: z.infer<typeof RecordSchema>): void {
    switch (rec.t) {
      case 'checkpoint':
        this.last = Math.max(this.last, rec.lastFinished);
        break;
      case 'started':
        this.started = rec;
        break;
      case 'finished':
        this.done.set(rec.seq, rec);
        this.last = Math.max(this.last, rec.seq);
        if (this.started?.seq === rec.seq) this.started = undefined;
        this.trim();
        break;
    }
  }

  private trim(): void {
    if (this.done.size <= JOURNAL_KEEP_FINISHED) return;
    const keep = new Set([...this.done.keys()].sort((a, b) => b - a).slice(0, JOURNAL_KEEP_FINISHED));
    for (const k of this.done.keys()) if (!keep.has(k)) this.done.delete(k);
  }

  private append(rec: object): Promise<void> {
    const line = `${JSON.stringify(rec)}\n`;
    const write = this.chain.then(async () => {
      this.handle ??= await openFile(this.path, 'a', 0o600);
      await this.handle.appendFile(line);
      await this.handle.datasync();
      this.appends += 1;
    });
    this.chain = write.catch(() => undefined);
    return write;
  }

  private compact(): Promise<void> {
    const records: object[] = [{ t: 'checkpoint', lastFinished: this.last, scope: this.scope }, ...this.recentFinished()];
    const inFlight = this.inFlight();
    if (inFlight) records.push(inFlight);
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const write = this.chain.then(async () => {
      await this.handle?.close();
      this.handle = undefined;
      await writeFileAtomic(this.path, text);
      this.appends = 0;
    });
    this.chain = write.catch(() => undefined);
    return write;
  }
}
