// The file input (docs/LOGS.md "Collecting"): follows the files its globs match, reads their lines
// through one parser per file and hands out records in bounded chunks, fairly across files. The
// files are the buffer (DESIGN.md §3.6): nothing is copied, and a checkpoint moves only when the
// pipeline commits a chunk the next hop has acked.
//
// Rotation: a followed file is held by its open fd, so a rename-and-create rotation (app.log →
// app.log.1, new app.log) keeps the old file readable to its end while the new one is followed
// from 0; a deleted file is read on through its fd, and held at most holdDeletedSeconds with
// unshipped data (then what it still held is counted as dropped); a copytruncate rotation (the
// size falls below the read position, or the first bytes changed) restarts at 0 under a new
// identity, counting what it had not read as dropped. All state changes run one at a time (scan,
// read pass, commit) on one promise chain, so no two can interleave.
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import type { Logger } from '../../core/log.js';
import type { LogDrop } from '../../core/logs/batch.js';
import { LOG_LIMITS, type LogRecord } from '../../core/logs/record.js';
import type { LogFileInput } from '../../config/logs-schema.js';
import { RELEASED_KEPT, type CheckpointEntry, type CheckpointStore, type PendingEntry, type ReleasedEntry } from './checkpoints.js';
import { lineParser } from './formats/index.js';
import type { LineParser } from './formats/parser.js';
import type { LineBase, PartialState } from './formats/partial.js';
import { metaFromPath } from './formats/path-meta.js';
import { FINGERPRINT_BYTES, fingerprintOf, identityKey, isSameFile, readHead, type FileIdentity } from './identity.js';
import type { InputFigures, LogChunk, LogInput, ReadLimits } from './input.js';
import type { BuildStats } from './record-build.js';

/** One read per file at a time, into a buffer reused for every file of the input. */
const READ_BYTES = 256 * 1024;
/** A line longer than this is cut here, the rest following as the next line (bounds the carry buffer). */
export const LINE_MAX_BYTES = 1024 * 1024;
/** How often a waiting read() looks for new data. */
const POLL_MS = 50;
/** A file that has not grown for this long is read again only once a scan sees it grow. */
const IDLE_MS = 10_000;
const REFUSED_LISTED = 100;
/**
 * File times move in clock ticks (a few ms), so a file written just before the previous run's last
 * checkpoint write may carry an older time; files released then are told apart by the released list.
 */
const MTIME_SLACK_MS = 2000;

/** Followed files over all file inputs, capped by logs.maxFiles. */
export class FileBudget {
  used = 0;
  constructor(readonly max: number) {}
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
  give(): void {
    this.used = Math.max(0, this.used - 1);
  }
}

export interface FileInputOptions {
  /** The input's name: its checkpoint section and LogInput.name. */
  name: string;
  input: LogFileInput;
  cluster: string;
  podNode(namespace: string, pod: string): string | undefined;
  store: CheckpointStore;
  budget: FileBudget;
  scanIntervalMs: number;
  holdDeletedSeconds: number;
  /** Relative globs are resolved from here (the config file's directory). */
  cwd: string;
  logger: Logger;
}

interface Position {
  key: string;
  offset: number;
  partials: PartialState[];
}

interface Tracked {
  path: string;
  fh: FileHandle;
  dev: number;
  ino: number;
  /** Set once the file has its first bytes (see keyFile). */
  id: FileIdentity | undefined;
  parser: LineParser | undefined;
  base: LineBase | undefined;
  readPos: number;
  carry: Buffer | undefined;
  carryFrom: number;
  committed: { offset: number; partials: PartialState[] };
  /** Size and mtime at the last look; the size at the previous scan (a short file is keyed once it stops growing). */
  size: number;
  mtimeMs: number;
  sizeAtScan: number;
  eof: boolean;
  lastGrowthMs: number;
  /** No glob match names it any more (renamed away or deleted): read to its end, then closed. */
  rotated: boolean;
  deletedAt: number | undefined;
  /** Read but not committed: where each read ended and the time of its first record. */
  inflight: { end: number; tsMs: number }[];
  closed: boolean;
}

const nextLine = (t: Tracked): number => (t.carry ? t.carryFrom : t.readPos);

export class FileInput implements LogInput {
  readonly name: string;
  private readonly o: FileInputOptions;
  private readonly buf = Buffer.alloc(READ_BYTES);
  private readonly files: Tracked[] = [];
  private readonly byPath = new Map<string, Tracked>();
  private readonly byKey = new Map<string, Tracked>();
  private readonly byInode = new Map<string, Tracked>();
  private readonly isExcluded: (p: string) => boolean;
  private chain: Promise<unknown> = Promise.resolve();
  private restored = false;
  private rr = 0;
  private pendingDrops: LogDrop[] = [];
  /** Files read to their end and let go, newest last (see CheckpointStore.released). */
  private released: ReleasedEntry[] = [];
  private readonly stats: BuildStats = { malformed: 0 };
  private linesRead = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  private readonly unreadable = new Map<string, string>();
  private overCap = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(opts: FileInputOptions) {
    this.o = opts;
    this.name = opts.name;
    this.isExcluded = opts.input.exclude.length > 0 ? picomatch(opts.input.exclude, { dot: true }) : () => false;
  }

  /** Restore from the checkpoints, run the first scan, and keep scanning every scanIntervalMs. */
  async start(): Promise<void> {
    await this.locked(() => this.scan());
    this.schedule();
  }

  /**
   * Passes until the limits are reached or waitMs is over: a partial batch waits (at most waitMs)
   * to fill, so a busy input ships full batches and the per-batch costs (a signature, a round trip,
   * a checkpoint write) stay few; a quiet one still ships within waitMs.
   */
  read(limits: ReadLimits, waitMs: number): Promise<LogChunk> {
    const deadline = Date.now() + waitMs;
    const merged = { records: [] as LogRecord[], bytes: 0, drops: [] as LogDrop[], positions: new Map<string, Position>() };
    const attempt = async (): Promise<LogChunk> => {
      const left = { records: limits.records - merged.records.length, bytes: limits.bytes - merged.bytes };
      const chunk = await this.locked(() => this.pass(left, merged.records.length === 0));
      merged.records.push(...chunk.records);
      merged.bytes += chunk.bytes;
      merged.drops.push(...chunk.drops);
      for (const p of chunk.positions as Position[]) merged.positions.set(p.key, p);
      const wait = deadline - Date.now();
      if (chunk.full || wait <= 0 || this.closing) return { records: merged.records, bytes: merged.bytes, drops: merged.drops, positions: [...merged.positions.values()] };
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, wait)));
      return attempt();
    };
    return attempt();
  }

  commit(chunk: LogChunk): Promise<void> {
    return this.locked(async () => {
      const positions = chunk.positions as Position[];
      for (const p of positions) {
        const t = this.byKey.get(p.key);
        if (!t || t.id?.key !== p.key) continue;
        t.committed = { offset: p.offset, partials: p.partials };
        t.inflight = t.inflight.filter((x) => x.end > p.offset);
        if (this.done(t)) await this.release(t);
      }
      await this.save();
    });
  }

  figures(): InputFigures {
    let bytesBehind = 0;
    let oldest: number | null = null;
    for (const t of this.files) {
      bytesBehind += Math.max(0, t.size - t.committed.offset);
      const first = t.inflight[0]?.tsMs ?? (t.size > nextLine(t) ? t.mtimeMs : undefined);
      if (first !== undefined && (oldest === null || first < oldest)) oldest = first;
    }
    const refused = [...this.unreadable].slice(0, REFUSED_LISTED).map(([path, reason]) => ({ path, reason }));
    if (this.overCap > 0) refused.unshift({ path: this.o.input.paths.join(' '), reason: `${this.overCap} matching files not followed: logs.maxFiles (${this.o.budget.max}) reached; raise logs.maxFiles or narrow the globs` });
    return { linesRead: this.linesRead, bytesBehind, oldestUnshippedMs: oldest, droppedLines: this.droppedLines, droppedBytes: this.droppedBytes, malformed: this.stats.malformed, sources: this.files.length, refused };
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    await this.locked(async () => {
      for (const t of [...this.files]) await this.forget(t);
    });
  }

  // ---- one at a time ----

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => {
      this.locked(() => this.scan())
        .catch((e: unknown) => this.o.logger.error({ err: e, input: this.name }, 'log file scan failed; retrying at the next interval'))
        .finally(() => this.schedule());
    }, this.o.scanIntervalMs);
    this.timer.unref();
  }

  // ---- scanning ----

  private async scan(): Promise<void> {
    if (this.closing) return;
    const matches = (await glob(this.o.input.paths, { cwd: this.o.cwd, absolute: true, onlyFiles: true, dot: true })).filter((p) => !this.isExcluded(p)).sort();
    if (!this.restored) {
      this.restored = true;
      await this.restore(matches);
    }
    const seen = new Set<Tracked>();
    let overCap = 0;
    let followed = false;
    for (const path of matches) {
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      const t = this.byPath.get(path);
      if (t && t.dev === st.dev && t.ino === st.ino) {
        seen.add(t);
        continue;
      }
      if (t) this.byPath.delete(path); // the path now names another file: t was rotated away
      const moved = this.byInode.get(`${st.dev}:${st.ino}`);
      if (moved) {
        // A followed file renamed to another matched path: its fd keeps it the same file.
        if (this.byPath.get(moved.path) === moved) this.byPath.delete(moved.path);
        moved.path = path;
        moved.rotated = false;
        this.byPath.set(path, moved);
        seen.add(moved);
        continue;
      }
      if (this.unreadable.has(path)) continue;
      if (!this.o.budget.take()) {
        overCap++;
        continue;
      }
      const fresh = await this.follow(path);
      if (fresh) {
        seen.add(fresh);
        followed = true;
      } else this.o.budget.give();
    }
    if (overCap !== this.overCap) {
      if (overCap > 0) this.o.logger.warn({ input: this.name, notFollowed: overCap, maxFiles: this.o.budget.max }, 'log globs match more files than logs.maxFiles; the rest are not followed');
      this.overCap = overCap;
    }
    let keyed = false;
    const now = Date.now();
    for (const t of [...this.files]) {
      if (!seen.has(t) && !t.rotated) {
        t.rotated = true;
        if (this.byPath.get(t.path) === t) this.byPath.delete(t.path);
      }
      keyed = (await this.look(t, now)) || keyed;
    }
    // A file is in the checkpoints from the scan that first follows it, keyed or pending.
    if (keyed || followed) await this.save();
  }

  /** Open a newly matched file and follow it from its start. */
  private async follow(path: string): Promise<Tracked | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      this.refuse(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return undefined;
    }
    return this.track(path, fh, await fh.stat(), { rotated: false });
  }

  /** Start tracking an open file from its start, without an identity until look() keys it. */
  private track(path: string, fh: FileHandle, st: { dev: number; ino: number; size: number; mtimeMs: number }, opts: { rotated: boolean }): Tracked {
    const t: Tracked = {
      path,
      fh,
      dev: st.dev,
      ino: st.ino,
      id: undefined,
      parser: undefined,
      base: undefined,
      readPos: 0,
      carry: undefined,
      carryFrom: 0,
      committed: { offset: 0, partials: [] },
      size: st.size,
      mtimeMs: st.mtimeMs,
      sizeAtScan: -1,
      eof: false,
      lastGrowthMs: Date.now(),
      rotated: opts.rotated,
      deletedAt: undefined,
      inflight: [],
      closed: false,
    };
    this.files.push(t);
    if (!opts.rotated) this.byPath.set(path, t);
    this.byInode.set(`${t.dev}:${t.ino}`, t);
    return t;
  }

  private refuse(path: string, reason: string): void {
    if (this.unreadable.has(path)) return;
    this.o.logger.warn({ input: this.name, path, reason }, 'log file refused');
    if (this.unreadable.size < 10 * REFUSED_LISTED) this.unreadable.set(path, reason);
  }

  /** Per scan and file: key it, notice truncation, deletion, hold expiry and the end of a rotated file. True when a new identity was keyed. */
  private async look(t: Tracked, now: number): Promise<boolean> {
    if (t.closed) return false;
    const st = await t.fh.stat();
    if (st.nlink === 0 && t.deletedAt === undefined) t.deletedAt = now;
    let keyed = false;
    if (!t.id) {
      // A key from fewer than FINGERPRINT_BYTES only once the file stopped growing for a scan, so
      // short fingerprints (which two files could share) are rare.
      if (st.size >= FINGERPRINT_BYTES || (st.size > 0 && st.size === t.sizeAtScan)) {
        await this.keyFile(t, st.size);
        keyed = true;
      }
    } else if (st.size < t.readPos || ((st.size !== t.size || st.mtimeMs !== t.mtimeMs) && !(await isSameFile(t.id, st.dev, st.ino, t.fh)))) {
      this.truncated(t);
      if (st.size > 0) {
        await this.keyFile(t, st.size);
        keyed = true;
      }
    } else if (t.id.fp.len < FINGERPRINT_BYTES && st.size > t.id.fp.len) {
      t.id = { ...t.id, fp: fingerprintOf(await readHead(t.fh, Math.min(st.size, FINGERPRINT_BYTES))) };
    }
    if (st.size > t.readPos) t.eof = false;
    t.size = st.size;
    t.mtimeMs = st.mtimeMs;
    t.sizeAtScan = st.size;
    if (t.deletedAt !== undefined && now - t.deletedAt > this.o.holdDeletedSeconds * 1000 && t.size > nextLine(t)) {
      this.recordDrop(t, 'held_too_long', await this.countLines(t, nextLine(t), t.size), t.size - nextLine(t));
      await this.release(t);
    } else if (this.done(t)) {
      await this.release(t);
    }
    return keyed;
  }

  private async keyFile(t: Tracked, size: number): Promise<void> {
    const fp = fingerprintOf(await readHead(t.fh, Math.min(size, FINGERPRINT_BYTES)));
    t.id = { key: identityKey(t.dev, t.ino, fp), dev: t.dev, ino: t.ino, fp };
    this.attach(t, []);
  }

  private attach(t: Tracked, partials: PartialState[]): void {
    const meta = metaFromPath(this.o.input.format, t.path, this.o.input.namespace);
    t.base = { cluster: this.o.cluster, ...meta, node: (meta.pod && this.o.podNode(meta.namespace, meta.pod)) || '', file: t.id!.key };
    t.parser = lineParser(this.o.input.format, t.base, partials);
    this.byKey.set(t.id!.key, t);
  }

  /** Copytruncate: what was not read is gone; the file starts over at 0 as a new identity. */
  private truncated(t: Tracked): void {
    const lost = Math.max(0, t.size - t.readPos);
    if (lost > 0) this.recordDrop(t, 'truncated_unread', 0, lost);
    if (t.id) this.byKey.delete(t.id.key);
    t.id = undefined;
    t.parser = undefined;
    t.readPos = 0;
    t.carry = undefined;
    t.committed = { offset: 0, partials: [] };
    t.inflight = [];
    t.eof = false;
  }

  /** A rotated or deleted file read to its end with everything committed. */
  private done(t: Tracked): boolean {
    return !t.closed && (t.rotated || t.deletedAt !== undefined) && t.eof && t.size <= nextLine(t) && t.committed.offset >= nextLine(t) && t.committed.partials.length === 0;
  }

  private async release(t: Tracked): Promise<void> {
    if (!t.closed) this.released = [...this.released, { dev: t.dev, ino: t.ino, path: t.path, size: t.size }].slice(-RELEASED_KEPT);
    await this.forget(t);
    await this.save();
  }

  private async forget(t: Tracked): Promise<void> {
    if (t.closed) return;
    t.closed = true;
    await t.fh.close().catch(() => undefined);
    this.o.budget.give();
    const i = this.files.indexOf(t);
    if (i >= 0) this.files.splice(i, 1);
    if (this.byPath.get(t.path) === t) this.byPath.delete(t.path);
    if (t.id && this.byKey.get(t.id.key) === t) this.byKey.delete(t.id.key);
    if (this.byInode.get(`${t.dev}:${t.ino}`) === t) this.byInode.delete(`${t.dev}:${t.ino}`);
  }

  private recordDrop(t: Pick<Tracked, 'path' | 'id'>, reason: LogDrop['reason'], lines: number, bytes: number, key = t.id?.key ?? ''): void {
    this.droppedLines += lines;
    this.droppedBytes += bytes;
    this.pendingDrops.push({ path: t.path.slice(-4096), file: key, lines, bytes, reason, at: new Date().toISOString() });
    this.o.logger.warn({ input: this.name, path: t.path, reason, lines, bytes }, 'log lines dropped');
  }

  /** Newlines in [from, to) of a file, read through its fd. */
  private async countLines(t: Tracked, from: number, to: number): Promise<number> {
    let n = 0;
    for (let pos = from; pos < to; ) {
      const { bytesRead } = await t.fh.read(this.buf, 0, Math.min(this.buf.length, to - pos), pos);
      if (bytesRead === 0) break;
      for (let i = this.buf.indexOf(10, 0); i >= 0 && i < bytesRead; i = this.buf.indexOf(10, i + 1)) n++;
      pos += bytesRead;
    }
    return n;
  }

  // ---- restart ----

  /** Find each checkpointed file again: at its path, at another matched path, or a sibling (app.log → app.log.1). */
  private async restore(matches: string[]): Promise<void> {
    const siblingsOf = new Map<string, string[]>();
    const matched = new Set(matches);
    for (const e of this.o.store.entries(this.name)) {
      const dir = dirname(e.path);
      if (!siblingsOf.has(dir)) siblingsOf.set(dir, (await readdir(dir).catch(() => [] as string[])).map((n) => join(dir, n)));
      const candidates = [...new Set([e.path, ...matches, ...siblingsOf.get(dir)!])];
      const found = (await this.findAgain(e, candidates, matched, 'same')) || (await this.findAgain(e, candidates, matched, 'copy'));
      if (!found && e.size > e.offset) this.recordDrop({ path: e.path, id: undefined }, 'missing_after_restart', 0, e.size - e.offset, e.key);
    }
    for (const e of this.o.store.pending(this.name)) await this.restorePending(e, matches, matched);
    await this.adoptRotatedWhileDown(matches);
    await this.save();
  }

  /**
   * A checkpointed file among the candidates: the same file (device, inode, first bytes), or else
   * a copy of it (other inode, same first bytes and at least the committed length): a copytruncate
   * rotation while the agent was down moved the file's lines to the copy, which goes on from the
   * checkpoint under the file's key, so nothing is shipped twice or lost.
   */
  private async findAgain(e: CheckpointEntry, candidates: string[], matched: Set<string>, how: 'same' | 'copy'): Promise<boolean> {
    for (const path of candidates) {
      const st = await stat(path).catch(() => undefined);
      if (!st || !st.isFile() || this.byInode.has(`${st.dev}:${st.ino}`)) continue;
      const same = st.dev === e.dev && st.ino === e.ino;
      if (how === 'same' ? !same : same || st.size < e.offset) continue;
      const fh = await open(path, 'r').catch(() => undefined);
      if (!fh) continue;
      if (!(await isSameFile({ ...e, dev: st.dev, ino: st.ino }, st.dev, st.ino, fh))) {
        await fh.close();
        continue;
      }
      this.o.budget.used++; // a file found again is followed even over the cap: its lines were promised
      this.resume({ ...e, dev: st.dev, ino: st.ino }, path, fh, st.size, st.mtimeMs, matched.has(path));
      return true;
    }
    return false;
  }

  /**
   * Files a rotation made while the agent was down, which no checkpoint names: a file created and
   * renamed out of the globs between two runs (app.log → app.log.4, 0.log → 0.log.20261202-101500).
   * A file in a followed file's directory, named after it plus a suffix, not matched by the globs,
   * modified after the previous run's last checkpoint write (within MTIME_SLACK_MS) and not among
   * the files it released, cannot have been read: it is followed from its start, as a rotated file.
   */
  private async adoptRotatedWhileDown(matches: string[]): Promise<void> {
    const since = this.o.store.lastSavedMs;
    if (since === null) return;
    this.released = this.o.store.released(this.name);
    const known = new Set(this.released.map((r) => `${r.dev}:${r.ino}:${r.size}`));
    const stems = new Map<string, Set<string>>();
    for (const p of [...matches, ...this.o.store.entries(this.name).map((e) => e.path), ...this.o.store.pending(this.name).map((e) => e.path)]) {
      const dir = dirname(p);
      if (!stems.has(dir)) stems.set(dir, new Set());
      stems.get(dir)!.add(basename(p));
    }
    const matched = new Set(matches);
    for (const [dir, names] of stems) {
      for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
        const path = join(dir, name);
        if (matched.has(path) || this.isExcluded(path) || ![...names].some((stem) => name.length > stem.length + 1 && name.startsWith(stem) && '.-_'.includes(name[stem.length]!))) continue;
        const st = await stat(path).catch(() => undefined);
        if (!st || !st.isFile() || st.mtimeMs < since - MTIME_SLACK_MS || this.byInode.has(`${st.dev}:${st.ino}`) || known.has(`${st.dev}:${st.ino}:${st.size}`)) continue;
        if (!this.o.budget.take()) {
          this.refuse(path, `rotated while the agent was down, not followed: logs.maxFiles (${this.o.budget.max}) reached`);
          continue;
        }
        const fh = await open(path, 'r').catch(() => undefined);
        if (!fh) {
          this.o.budget.give();
          this.refuse(path, 'cannot open a file rotated while the agent was down');
          continue;
        }
        this.o.logger.info({ input: this.name, path }, 'following a file rotated while the agent was down');
        this.track(path, fh, st, { rotated: true });
      }
    }
  }

  /**
   * A file followed before it had an identity: found again by device and inode alone (nothing of it
   * was read, so no id depends on it), at its path or wherever a rotation moved it in its directory.
   */
  private async restorePending(e: PendingEntry, matches: string[], matched: Set<string>): Promise<void> {
    if (this.byInode.has(`${e.dev}:${e.ino}`)) return;
    const dir = dirname(e.path);
    const siblings = (await readdir(dir).catch(() => [] as string[])).map((n) => join(dir, n));
    for (const path of [...new Set([e.path, ...matches, ...siblings])]) {
      const st = await stat(path).catch(() => undefined);
      if (!st || st.dev !== e.dev || st.ino !== e.ino || !st.isFile()) continue;
      const fh = await open(path, 'r').catch(() => undefined);
      if (!fh) continue;
      this.o.budget.used++;
      this.track(path, fh, st, { rotated: !matched.has(path) });
      return;
    }
    if (e.size > 0) this.recordDrop({ path: e.path, id: undefined }, 'missing_after_restart', 0, e.size, '');
  }

  private resume(e: CheckpointEntry, path: string, fh: FileHandle, size: number, mtimeMs: number, matched: boolean): void {
    const t: Tracked = {
      path,
      fh,
      dev: e.dev,
      ino: e.ino,
      id: { key: e.key, dev: e.dev, ino: e.ino, fp: e.fp },
      parser: undefined,
      base: undefined,
      readPos: e.offset,
      carry: undefined,
      carryFrom: e.offset,
      committed: { offset: e.offset, partials: e.partials },
      size,
      mtimeMs,
      sizeAtScan: size,
      eof: false,
      lastGrowthMs: Date.now(),
      rotated: !matched,
      deletedAt: undefined,
      inflight: [],
      closed: false,
    };
    this.files.push(t);
    this.byInode.set(`${t.dev}:${t.ino}`, t);
    if (matched) this.byPath.set(path, t);
    this.attach(t, e.partials);
  }

  private save(): Promise<void> {
    const entries: CheckpointEntry[] = [];
    const pending: PendingEntry[] = [];
    for (const t of this.files) {
      if (t.closed) continue;
      if (!t.id) {
        pending.push({ dev: t.dev, ino: t.ino, path: t.path, size: t.size });
        continue;
      }
      entries.push({ key: t.id.key, dev: t.dev, ino: t.ino, fp: t.id.fp, path: t.path, offset: t.committed.offset, size: t.size, partials: t.committed.partials });
    }
    return this.o.store.save(this.name, entries, pending, this.released);
  }

  // ---- reading ----

  /** One round-robin pass: a read per file and round, until the limits are reached or nothing is left. */
  private async pass(limits: ReadLimits, first: boolean): Promise<LogChunk & { full: boolean }> {
    const out: LogRecord[] = [];
    const used = { bytes: 0, full: limits.records <= 0 || limits.bytes <= 0 };
    const positions = new Map<string, Position>();
    const now = Date.now();
    const active = this.files.filter((t) => t.id && !t.closed && !(t.eof && now - t.lastGrowthMs > IDLE_MS));
    const start = active.length > 0 ? this.rr % active.length : 0;
    this.rr++;
    const exhausted = new Set<Tracked>();
    for (let progressed = true; progressed && !used.full; ) {
      progressed = false;
      for (let i = 0; i < active.length && !used.full; i++) {
        const t = active[(start + i) % active.length]!;
        if (t.closed || exhausted.has(t)) continue;
        if (t.eof && !(await this.grew(t))) {
          exhausted.add(t);
          continue;
        }
        const from = out.length;
        const n = await this.readOnce(t, limits, out, used, now, first);
        if (n > 0) progressed = true;
        else exhausted.add(t);
        if (out.length > from) t.inflight.push({ end: nextLine(t), tsMs: Date.parse(out[from]!.ts) });
        if (n > 0 || out.length > from) {
          const r = t.parser!.resume(nextLine(t));
          positions.set(t.id!.key, { key: t.id!.key, offset: r.offset, partials: r.partials });
        }
      }
    }
    const drops = this.pendingDrops;
    this.pendingDrops = [];
    return { records: out, bytes: used.bytes, drops, positions: [...positions.values()], full: used.full };
  }

  /**
   * Whether a file found at its end last time has new bytes to read. A copytruncate seen here
   * (smaller than the read position, or other first bytes) restarts the file before anything is
   * read from the new content at the old position; the next scan keys it again.
   */
  private async grew(t: Tracked): Promise<boolean> {
    const st = await t.fh.stat();
    if (st.size === t.readPos) return false;
    if (st.size < t.readPos || !(await isSameFile(t.id!, st.dev, st.ino, t.fh))) {
      this.truncated(t);
      return false;
    }
    return true;
  }

  /** One read at the file's position; lines go through its parser. Returns the bytes consumed. */
  private async readOnce(t: Tracked, limits: ReadLimits, out: LogRecord[], used: { bytes: number; full: boolean }, now: number, first: boolean): Promise<number> {
    let n: number;
    try {
      ({ bytesRead: n } = await t.fh.read(this.buf, 0, this.buf.length, t.readPos));
    } catch (e) {
      this.refuse(t.path, `read failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      await this.forget(t);
      return 0;
    }
    if (n === 0) {
      t.eof = true;
      return 0;
    }
    t.lastGrowthMs = now;
    const view = this.buf.subarray(0, n);
    const base = t.readPos;
    const readTs = new Date().toISOString();
    const parser = t.parser!;
    // Room for a line of `len` bytes: its records (parts of the line, plus a joined run's buffered
    // pieces) and its bytes. The first line of a chunk always fits, so every chunk makes progress;
    // a later pass of the same chunk (first false) is held to what is left of the limits.
    const fits = (len: number): boolean => (first && out.length === 0) || (out.length + Math.ceil(len / LOG_LIMITS.messageBytes) + 2 <= limits.records && used.bytes + len + 1 <= limits.bytes);
    let i = 0;
    if (t.carry) {
      const nl = view.indexOf(10);
      if (nl < 0) {
        const carry = Buffer.concat([t.carry, view]);
        t.readPos = base + n;
        if (carry.length < LINE_MAX_BYTES) {
          t.carry = carry;
          return n;
        }
        if (!fits(carry.length)) {
          used.full = true;
          t.carry = carry;
          return n;
        }
        parser.line(carry, t.carryFrom, t.carryFrom + carry.length, readTs, out, this.stats, true);
        this.linesRead++;
        used.bytes += carry.length;
        t.carry = undefined;
        return n;
      }
      const lineLen = t.carry.length + nl;
      if (!fits(lineLen)) {
        used.full = true;
        return 0;
      }
      parser.line(Buffer.concat([t.carry, view.subarray(0, nl)]), t.carryFrom, base + nl + 1, readTs, out, this.stats);
      this.linesRead++;
      used.bytes += lineLen + 1;
      t.carry = undefined;
      i = nl + 1;
    }
    for (;;) {
      const nl = view.indexOf(10, i);
      if (nl < 0) break;
      if (!fits(nl - i)) {
        used.full = true;
        t.readPos = base + i;
        return i;
      }
      parser.line(view.subarray(i, nl), base + i, base + nl + 1, readTs, out, this.stats);
      this.linesRead++;
      used.bytes += nl - i + 1;
      i = nl + 1;
    }
    if (i < n) {
      t.carry = Buffer.from(view.subarray(i));
      t.carryFrom = base + i;
    }
    t.readPos = base + n;
    if (out.length >= limits.records || used.bytes >= limits.bytes) used.full = true;
    return n;
  }
}
