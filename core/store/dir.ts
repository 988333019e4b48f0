// Directory (or NFS mount) backend. Atomic writes are temp file + fsync + rename in the same
// directory; temp files start with ".tmp-" and are invisible to list().
import { randomBytes } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { FlotillaError } from '../errors.js';
import { assertValidKey, type ObjectStore, type StoreEntry, type StoreObject } from './types.js';

function etagOf(s: { mtimeMs: number; size: number; ino: number }): string {
  return `${s.ino.toString(36)}-${Math.floor(s.mtimeMs * 1000).toString(36)}-${s.size.toString(36)}`;
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unavailable(root: string, e: unknown): FlotillaError {
  return new FlotillaError('unavailable', `store directory ${root}: ${(e as Error).message}`, 'Check that the store path exists, is mounted and is writable by this user.', { cause: e });
}

export class DirStore implements ObjectStore {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `dir:${root}`;
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
      throw unavailable(this.root, e);
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
    const tmp = join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(tmp, 'w', 0o644);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      const s = await stat(path);
      return { key, etag: etagOf(s), size: s.size };
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw unavailable(this.root, e);
    }
  }

  async head(key: string): Promise<StoreEntry | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { key, etag: etagOf(s), size: s.size } : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw unavailable(this.root, e);
    }
  }

  async list(prefix: string): Promise<StoreEntry[]> {
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut >= 0 ? prefix.slice(0, cut) : '';
    const base = dirKey ? join(this.root, ...dirKey.split('/')) : this.root;
    let names: string[];
    try {
      names = (await readdir(base, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile() && !d.name.startsWith('.tmp-'))
        .map((d) => relative(this.root, join(d.parentPath, d.name)).split(sep).join('/'))
        .filter((k) => k.startsWith(prefix));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw unavailable(this.root, e);
    }
    const out: StoreEntry[] = [];
    // Bounded parallelism: libuv has four threads, more in flight only queues.
    const width = 16;
    for (let i = 0; i < names.length; i += width) {
      const batch = names.slice(i, i + width);
      const stats = await Promise.all(batch.map((k) => stat(join(this.root, ...k.split('/'))).catch(() => null)));
      stats.forEach((s, j) => {
        if (s?.isFile()) out.push({ key: batch[j] as string, etag: etagOf(s), size: s.size });
      });
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.path(key), { force: true });
    } catch (e) {
      throw unavailable(this.root, e);
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
