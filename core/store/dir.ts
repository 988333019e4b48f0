// Directory (or NFS mount) backend. Atomic writes are temp file + fsync + rename in the same
// directory; temp files start with ".tmp-" and are invisible to list().
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { FlotillaError } from '../errors.js';
import { storeUnavailable } from './failure.js';
import { assertValidKey, assertValidPrefix, type ListOptions, type ObjectStore, type StoreEntry, type StoreObject } from './types.js';

function etagOf(s: { mtimeMs: number; size: number; ino: number }): string {
  return `${s.ino.toString(36)}-${Math.floor(s.mtimeMs * 1000).toString(36)}-${s.size.toString(36)}`;
}

/** Requests in flight at once: enough to keep libuv's threads busy without flooding its queue. */
const IO_WIDTH = 64;

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A directory removed between being listed and being read holds nothing; other errors stand. */
function emptyIfGone(e: unknown): [] {
  if (isNotFound(e)) return [];
  throw e;
}

const DIR_NEXT = 'Check that the store path exists, is mounted and is writable by this user.';

export class DirStore implements ObjectStore {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `dir:${root}`;
  }

  private unavailable(op: string, key: string, e: unknown): FlotillaError {
    return storeUnavailable({ store: this.description, op, key, detail: (e as Error).message, next: DIR_NEXT, cause: e });
  }

  private path(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string, maxBytes: number): Promise<StoreObject | null> {
    const path = this.path(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.unavailable('get', key, e);
    }
    try {
      const s = await handle.stat();
      if (!s.isFile()) return null;
      const want = Math.min(s.size, maxBytes + 1);
      const body = Buffer.alloc(want);
      let off = 0;
      while (off < want) {
        const { bytesRead } = await handle.read(body, off, want - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return { body: body.subarray(0, off), etag: etagOf(s), size: s.size };
    } finally {
      await handle.close();
    }
  }

  async put(key: string, body: Buffer): Promise<StoreEntry> {
    const path = this.path(key);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, body, 0o644);
      const s = await stat(path);
      return { key, etag: etagOf(s), size: s.size };
    } catch (e) {
      throw this.unavailable('put', key, e);
    }
  }

  async head(key: string): Promise<StoreEntry | null> {
    const path = this.path(key);
    try {
      const s = await stat(path);
      return s.isFile() ? { key, etag: etagOf(s), size: s.size } : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.unavailable('head', key, e);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<StoreEntry[]> {
    assertValidPrefix(prefix);
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut >= 0 ? prefix.slice(0, cut) : '';
    const base = dirKey ? join(this.root, ...dirKey.split('/')) : this.root;
    let paths: string[];
    try {
      paths = await this.walk(base, opts.exclude);
    } catch (e) {
      throw this.unavailable('list', prefix, e);
    }
    const keys = paths.map((p) => relative(this.root, p).split(sep).join('/')).filter((k) => k.startsWith(prefix));
    const out: StoreEntry[] = [];
    for (let i = 0; i < keys.length; i += IO_WIDTH) {
      const batch = keys.slice(i, i + IO_WIDTH);
      const stats = await Promise.all(batch.map((k) => stat(join(this.root, ...k.split('/'))).catch(() => null)));
      stats.forEach((s, j) => {
        if (s?.isFile()) out.push({ key: batch[j] as string, etag: etagOf(s), size: s.size });
      });
    }
    return out;
  }

  /**
   * Every file below dir, breadth first, reading many directories at once. (Node's recursive
   * readdir does the same walk several times slower: 620 ms against 100 ms for 10,000 clusters.)
   */
  private async walk(dir: string, exclude?: (dirKey: string) => boolean): Promise<string[]> {
    const files: string[] = [];
    let level = [dir];
    while (level.length > 0) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += IO_WIDTH) {
        const batch = level.slice(i, i + IO_WIDTH);
        const listed = await Promise.all(batch.map((d) => readdir(d, { withFileTypes: true }).catch(emptyIfGone)));
        listed.forEach((entries, j) => {
          for (const entry of entries) {
            const path = join(batch[j] as string, entry.name);
            if (entry.isDirectory()) {
              if (!exclude?.(`${relative(this.root, path).split(sep).join('/')}/`)) next.push(path);
            }
            else if (entry.isFile() && !entry.name.startsWith('.tmp-')) files.push(path);
          }
        });
      }
      level = next;
    }
    return files;
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    try {
      await rm(path, { force: true });
    } catch (e) {
      throw this.unavailable('delete', key, e);
    }
  }

  watch(prefix: string, onHint: () => void): () => void {
    let watcher: FSWatcher | undefined;
    try {
      const cut = prefix.lastIndexOf('/');
      const dir = cut >= 0 ? join(this.root, ...prefix.slice(0, cut).split('/')) : this.root;
      watcher = fsWatch(dir, { recursive: true, persistent: false }, () => onHint());
      watcher.on('error', () => watcher?.close());
    } catch {
      // No events here (NFS, missing dir, platform limits): polling alone still finds every change.
    }
    return () => watcher?.close();
  }
}
