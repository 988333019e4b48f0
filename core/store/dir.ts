// Directory (or NFS mount) backend. Atomic writes are temp file + fsync + rename in the same
// directory; temp files start with ".tmp-" and are invisible to list(). Whoever can write the
// directory can plant anything in it, so no operation follows a symlink (at a key or on its path),
// and only regular files are read.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { FlotillaError } from '../errors.js';
import { storeUnavailable } from './failure.js';
import { fsBatch, type BatchAnswer, type BatchRequest, type EntryType, type LstatAnswer } from './fs-batch.js';
import {
  assertValidKey,
  assertValidPrefix,
  escapeBadName,
  isValidKey,
  isValidSegment,
  type HeadOptions,
  type IrregularKind,
  type ListOptions,
  type ObjectStore,
  type StoreEntry,
  type StoreObject,
} from './types.js';

function etagOf(s: { mtimeMs: number; size: number; ino: number }): string {
  return `${s.ino.toString(36)}-${Math.floor(s.mtimeMs * 1000).toString(36)}-${s.size.toString(36)}`;
}

/** Beyond this many remembered files (keys no longer asked for), the memory starts afresh. */
const CHECKED_MAX = 200_000;

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Our temp files and NFS's "silly renames" of open deleted files: passing artefacts, not entries. */
function isArtefact(name: string): boolean {
  return name.startsWith('.tmp-') || name.startsWith('.nfs');
}

/** The directory keys on a key's path, outermost first: "a/b/c.json" → ["a", "a/b"]. */
function ancestorsOf(key: string): string[] {
  const out: string[] = [];
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) out.push(key.slice(0, i));
  return out;
}

function irregularKind(type: EntryType): IrregularKind {
  switch (type) {
    case 'symlink':
    case 'loop':
      return 'symlink';
    case 'dir':
      return 'directory';
    case 'denied':
      return 'unreadable';
    default:
      return 'special';
  }
}

const DIR_NEXT = 'Check that the store path exists, is mounted and is writable by this user.';

/** How an error names the keys of a batched request. */
function keysText(keys: readonly string[]): string {
  return keys.length === 1 ? (keys[0] as string) : `${keys.length} keys`;
}

export class DirStore implements ObjectStore {
  readonly description: string;
  private readonly base: string;
  private realBase: Promise<string> | undefined;
  /** Files whose whole path headMany found to be real directories, as they were then. */
  private readonly checked = new Map<string, { ino: number; mtimeMs: number; entry: StoreEntry }>();

  constructor(readonly root: string) {
    this.description = `dir:${root}`;
    this.base = resolve(root);
  }

  /** The path of a key (or of '' for the root); keys are validated before they reach here. */
  private abs(key: string): string {
    if (key === '') return this.base;
    return this.base + sep + (sep === '/' ? key : key.split('/').join(sep));
  }

  private path(key: string): string {
    assertValidKey(key);
    return this.abs(key);
  }

  async get(key: string, maxBytes: number): Promise<StoreObject | null> {
    const path = this.path(key);
    let realPath: string;
    try {
      this.realBase ??= realpath(this.base).catch((e: unknown) => {
        this.realBase = undefined;
        throw e;
      });
      realPath = (await this.realBase) + sep + (sep === '/' ? key : key.split('/').join(sep));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.unavailable('get', key, e);
    }
    const [found] = (await this.batch({ read: [{ path, realPath, maxBytes }] }, 'get', key)).read;
    return found ? { body: found.body, etag: etagOf(found), size: found.size } : null;
  }

  async put(key: string, body: Buffer): Promise<StoreEntry> {
    const path = this.path(key);
    try {
      await this.refuseSymlinkedPath(key);
      await mkdir(this.abs(ancestorsOf(key).pop() ?? ''), { recursive: true });
      // mkdir -p follows symlinks it meets; a symlink planted meanwhile is caught here, before writing.
      await this.refuseSymlinkedPath(key);
      await writeFileAtomic(path, body, 0o644);
      const s = await lstat(path);
      return { key, etag: etagOf(s), size: s.size };
    } catch (e) {
      if (e instanceof FlotillaError) throw e;
      throw this.unavailable('put', key, e);
    }
  }

  /** Refuses to write or delete through a directory on the key's path that is not a real directory. */
  private async refuseSymlinkedPath(key: string): Promise<void> {
    for (const dir of ancestorsOf(key)) {
      let s;
      try {
        s = await lstat(this.abs(dir));
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (!s.isDirectory()) {
        throw new FlotillaError(
          'unavailable',
          `store directory ${this.root}: "${dir}" is ${s.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; refusing to write or delete through it`,
          `Someone with write access to the store put it there. Remove ${this.abs(dir)} (the store never follows links) and check who can write the store.`,
        );
      }
    }
  }

  async head(key: string): Promise<StoreEntry | null> {
    const [entry] = await this.headMany([key]);
    return entry ?? null;
  }

  async headMany(keys: readonly string[], opts: HeadOptions = {}): Promise<(StoreEntry | null)[]> {
    for (const k of keys) assertValidKey(k);
    const answer = await this.batch({ lstat: keys.map((k) => this.abs(k)) }, 'headMany', keysText(keys));
    const out: (StoreEntry | null)[] = new Array<StoreEntry | null>(keys.length).fill(null);
    // A file just as it was when its path was last checked is that same file, however the path
    // reaches it now; only the others have every directory on their path checked.
    const check: number[] = [];
    keys.forEach((key, i) => {
      const s = answer.lstat[i] as LstatAnswer;
      if (s.type === 'missing') {
        this.checked.delete(key);
        return;
      }
      const known = s.type === 'file' ? this.checked.get(key) : undefined;
      if (known && known.ino === s.ino && known.mtimeMs === s.mtimeMs && known.entry.size === s.size) out[i] = known.entry;
      else check.push(i);
    });
    if (check.length === 0) return out;
    const dirs = [...new Set(check.flatMap((i) => ancestorsOf(keys[i] as string)))];
    const dirAnswer = await this.batch({ lstat: dirs.map((d) => this.abs(d)) }, 'headMany', keysText(keys));
    const dirInfo = new Map(dirs.map((d, i) => [d, dirAnswer.lstat[i] as LstatAnswer]));
    if (this.checked.size > CHECKED_MAX) this.checked.clear();
    for (const i of check) {
      const key = keys[i] as string;
      const s = answer.lstat[i] as LstatAnswer;
      this.checked.delete(key);
      const blocked = ancestorsOf(key).find((d) => (dirInfo.get(d) as LstatAnswer).type !== 'dir');
      if (blocked !== undefined) {
        const b = dirInfo.get(blocked) as LstatAnswer;
        if (b.type !== 'missing' && b.type !== 'file' && opts.irregular) out[i] = irregularEntry(key, irregularKind(b.type), `${blocked}/`, b);
      } else if (s.type === 'file') {
        const entry = { key, etag: etagOf(s), size: s.size };
        this.checked.set(key, { ino: s.ino, mtimeMs: s.mtimeMs, entry });
        out[i] = entry;
      } else if (opts.irregular) {
        out[i] = irregularEntry(key, irregularKind(s.type), key, s);
      }
    }
    return out;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<StoreEntry[]> {
    assertValidPrefix(prefix);
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut >= 0 ? prefix.slice(0, cut) : '';
    if (baseKey !== '') {
      const [start] = await this.headDirs([baseKey]);
      if (start !== 'dir') return start && opts.irregular ? [start] : [];
    }
    const files: string[] = [];
    const odd: { key: string; kind: IrregularKind }[] = [];
    let level = [baseKey];
    while (level.length > 0) {
      const answer = await this.batch({ readdir: level.map((d) => this.abs(d)) }, 'list', prefix);
      const next: string[] = [];
      level.forEach((dirKey, i) => {
        const r = answer.readdir[i]!;
        if (!r.entries) {
          if (r.denied && dirKey === baseKey) throw this.unavailable('list', prefix, new Error(`cannot read ${this.abs(dirKey)}: permission denied`));
          if (r.denied) odd.push({ key: `${dirKey}/`, kind: 'unreadable' });
          return;
        }
        for (const e of r.entries) {
          if (isArtefact(e.name)) continue;
          const key = dirKey ? `${dirKey}/${e.name}` : e.name;
          if (e.type === 'dir') {
            const dirKeySlash = `${key}/`;
            if (!dirKeySlash.startsWith(prefix) && !prefix.startsWith(dirKeySlash)) continue;
            if (!isValidSegment(e.name)) odd.push({ key: dirKeySlash, kind: 'bad_name' });
            else {
              const ex = opts.exclude?.(dirKeySlash);
              if (ex === 'report') odd.push({ key: dirKeySlash, kind: 'directory' });
              else if (!ex) next.push(key);
            }
          } else if (key.startsWith(prefix)) {
            if (!isValidSegment(e.name)) odd.push({ key, kind: 'bad_name' });
            else if (e.type === 'file') files.push(key);
            else odd.push({ key, kind: irregularKind(e.type) });
          }
        }
      });
      level = next;
    }
    this.forgetCheckedBelow(odd.map((o) => o.key));
    const wanted = opts.irregular ? odd : [];
    const answer = await this.batch({ lstat: [...files, ...wanted.map((o) => o.key.replace(/\/$/, ''))].map((k) => this.abs(k)) }, 'list', prefix);
    const out: StoreEntry[] = [];
    files.forEach((key, i) => {
      const s = answer.lstat[i] as LstatAnswer;
      if (s.type === 'file') out.push({ key, etag: etagOf(s), size: s.size });
      // Replaced since the listing: report what stands there now.
      else if (s.type !== 'missing' && opts.irregular) out.push(irregularEntry(key, irregularKind(s.type), key, s));
    });
    wanted.forEach((o, i) => {
      const s = answer.lstat[files.length + i] as LstatAnswer;
      if (s.type !== 'missing') out.push(irregularEntry(o.kind === 'bad_name' ? escapeBadName(o.key) : o.key, o.kind, o.kind === 'bad_name' ? escapeBadName(o.key) : o.key, s));
    });
    return out;
  }

  /**
   * A link, special file or unreadable directory that the listing met makes every file below it one
   * whose path must be checked again: a directory moved out of the store and linked back keeps its
   * files' inodes and mtimes, so "just as it was" would otherwise hold for them.
   */
  private forgetCheckedBelow(oddKeys: readonly string[]): void {
    if (oddKeys.length === 0 || this.checked.size === 0) return;
    const dirs = oddKeys.map((k) => (k.endsWith('/') ? k : `${k}/`));
    for (const key of this.checked.keys()) if (dirs.some((d) => key.startsWith(d))) this.checked.delete(key);
  }

  /**
   * 'dir' when every directory from the root down to each dir key is a real directory; otherwise
   * null (something is missing) or the irregular entry that stands in the way.
   */
  private async headDirs(dirKeys: string[]): Promise<('dir' | StoreEntry | null)[]> {
    const paths = [...new Set(dirKeys.flatMap((d) => [...ancestorsOf(d), d]))];
    const answer = await this.batch({ lstat: paths.map((d) => this.abs(d)) }, 'head', keysText(dirKeys));
    const info = new Map(paths.map((d, i) => [d, answer.lstat[i] as LstatAnswer]));
    return dirKeys.map((dirKey) => {
      for (const d of [...ancestorsOf(dirKey), dirKey]) {
        const s = info.get(d) as LstatAnswer;
        if (s.type === 'dir') continue;
        if (s.type === 'missing' || s.type === 'file') return null;
        return irregularEntry(`${d}/`, irregularKind(s.type), `${d}/`, s);
      }
      return 'dir';
    });
  }

  private unavailable(op: string, key: string, e: unknown): FlotillaError {
    return storeUnavailable({ store: this.description, op, key, detail: (e as Error).message, next: DIR_NEXT, cause: e });
  }

  /** One round trip to the fs worker; `op` and `key` name what it was for in an error. */
  private async batch(req: BatchRequest, op: string, key: string): Promise<BatchAnswer> {
    try {
      return await fsBatch(req);
    } catch (e) {
      throw this.unavailable(op, key, e);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    try {
      await this.refuseSymlinkedPath(key);
      // Only ever a file: rm without recursive removes a symlink itself, never what it points to.
      await rm(path, { force: true });
    } catch (e) {
      if (e instanceof FlotillaError) throw e;
      throw this.unavailable('delete', key, e);
    }
  }

  watch(prefix: string, onHint: (key?: string) => void): () => void {
    let watcher: FSWatcher | undefined;
    try {
      const cut = prefix.lastIndexOf('/');
      const dirKey = cut >= 0 ? prefix.slice(0, cut) : '';
      const dir = this.abs(dirKey);
      watcher = fsWatch(dir, { recursive: true, persistent: false }, (_event, filename) => {
        if (filename === null) return onHint();
        const key = (dirKey ? `${dirKey}/` : '') + (sep === '/' ? filename : filename.split(sep).join('/'));
        // Temp files and odd names are no key: the rename that completes a write names the real one.
        if (isValidKey(key)) onHint(key);
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // No events here (NFS, missing dir, platform limits): polling alone still finds every change.
    }
    return () => watcher?.close();
  }
}

/** The etag says what kind of entry it is, so a file replaced by a link (or back) counts as a change. */
function irregularEntry(key: string, kind: IrregularKind, at: string, s: LstatAnswer): StoreEntry {
  return { key, etag: `${kind}:${etagOf(s)}`, size: 0, irregular: { kind, at } };
}
