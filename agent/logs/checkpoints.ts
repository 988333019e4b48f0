// Where each followed file was committed to (docs/LOGS.md "Checkpoints"): one JSON file in the agent
// data dir, written atomically, one section per file input. A file's entry is written when it is
// first followed (so its identity key, and with it every record id, survives a restart) and moved
// on each commit, i.e. only once the next hop has acked. The file is the agent's own, but a damaged
// one must not stop log collection: it is set aside, reported, and collection starts over (the ids
// repeat for what is re-read, and the sink stores each id once).
import { readFile, rename, stat } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { Logger } from '../../core/log.js';
import { LOG_LEVELS, LOG_STREAMS } from '../../core/logs/record.js';

const PartialSchema = z
  .object({ stream: z.enum(LOG_STREAMS), start: z.number().int().nonnegative(), part: z.number().int().nonnegative(), from: z.number().int().nonnegative(), ts: z.string().max(40), level: z.enum(LOG_LEVELS) })
  .strict();

export const CheckpointEntrySchema = z
  .object({
    key: z.string().min(1).max(128),
    dev: z.number().int().nonnegative(),
    ino: z.number().int().nonnegative(),
    fp: z.object({ len: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    /** The path the file had when last seen. */
    path: z.string().max(4096),
    /** Committed: every line before it was acked (or pieces of an open run, see partials). */
    offset: z.number().int().nonnegative(),
    /** The size last seen, for what a file that is gone after a restart took with it. */
    size: z.number().int().nonnegative(),
    partials: z.array(PartialSchema).max(2).default([]),
  })
  .strict();
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;

/**
 * A followed file that has no identity yet (empty, or short and still growing): nothing of it has
 * been read, but it must be found again after a restart even when a rotation renamed it out of the
 * globs meanwhile, or its lines would go unread and uncounted.
 */
export const PendingEntrySchema = z
  .object({ dev: z.number().int().nonnegative(), ino: z.number().int().nonnegative(), path: z.string().max(4096), size: z.number().int().nonnegative() })
  .strict();
export type PendingEntry = z.infer<typeof PendingEntrySchema>;

/** A file read to its end, committed and let go: remembered so a restart does not take it for one rotated while the agent was down. */
export const ReleasedEntrySchema = PendingEntrySchema;
export type ReleasedEntry = PendingEntry;
/** Released files remembered per input, the newest kept. */
export const RELEASED_KEPT = 256;

const FileSchema = z
  .object({
    version: z.literal(1),
    inputs: z.record(z.string().max(256), z.array(CheckpointEntrySchema)),
    pending: z.record(z.string().max(256), z.array(PendingEntrySchema)).default({}),
    released: z.record(z.string().max(256), z.array(ReleasedEntrySchema).max(RELEASED_KEPT)).default({}),
  })
  .strict();

interface Sections {
  inputs: Record<string, CheckpointEntry[]>;
  pending: Record<string, PendingEntry[]>;
  released: Record<string, ReleasedEntry[]>;
}
const empty = (): Sections => ({ inputs: {}, pending: {}, released: {} });

export class CheckpointStore {
  private data: Sections;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    data: Sections,
    /**
     * When the previous run last wrote the file (null: no earlier run). The agent saves on every
     * commit and every new file, so a file modified after this was changed while the agent was down.
     */
    readonly lastSavedMs: number | null = null,
  ) {
    this.data = data;
  }

  static async open(path: string, logger: Logger): Promise<CheckpointStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new CheckpointStore(path, empty());
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const r = FileSchema.safeParse(parsed);
    if (r.success) return new CheckpointStore(path, r.data, (await stat(path)).mtimeMs);
    const aside = `${path}.bad-${Date.now()}`;
    await rename(path, aside);
    logger.error({ path, aside }, 'log checkpoints unreadable; set aside, collection starts over from the start of every file (already stored lines keep their ids and are not stored twice)');
    return new CheckpointStore(path, empty());
  }

  entries(input: string): CheckpointEntry[] {
    return this.data.inputs[input] ?? [];
  }

  pending(input: string): PendingEntry[] {
    return this.data.pending[input] ?? [];
  }

  released(input: string): ReleasedEntry[] {
    return this.data.released[input] ?? [];
  }

  /** Replace an input's sections and write the file; writes are serialised, each one atomic. */
  save(input: string, entries: CheckpointEntry[], pending: PendingEntry[] = [], released: ReleasedEntry[] = []): Promise<void> {
    const d = this.data;
    this.data = { inputs: { ...d.inputs, [input]: entries }, pending: { ...d.pending, [input]: pending }, released: { ...d.released, [input]: released.slice(-RELEASED_KEPT) } };
    const body = JSON.stringify({ version: 1, ...this.data });
    const next = this.writing.then(() => writeFileAtomic(this.path, body));
    this.writing = next.catch(() => undefined);
    return next;
  }
}
