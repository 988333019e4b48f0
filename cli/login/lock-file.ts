// A lock between processes on one host (the TUI and CLI commands of one user): a file created with
// O_EXCL, removed when done. A holder that died leaves its file behind, so one older than staleMs is
// taken over; the owner re-stamps nothing, so callers keep what they do under a lock shorter than that.
// Two waiters may both judge a file stale at once; the inode check before removing it narrows that
// window to the gap between two system calls, which is enough for a rare refresh race.
import { open, stat, unlink } from 'node:fs/promises';
import { FlotillaError } from '../../core/errors.js';

export interface LockOptions {
  /** a lock file older than this is a dead holder's (default 30 s) */
  staleMs?: number;
  /** how often a waiter looks again (default 50 ms) */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FlotillaError('unavailable', `cannot create the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, `Check that ${path}'s directory exists and is writable by you.`, { cause: e });
  }
}

async function removeIfStale(path: string, staleMs: number): Promise<void> {
  const seen = await stat(path).catch(() => undefined);
  if (!seen || Date.now() - seen.mtimeMs < staleMs) return;
  const again = await stat(path).catch(() => undefined);
  if (again?.ino === seen.ino) await unlink(path).catch(() => undefined);
}

export async function withLockFile<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 30_000;
  const pollMs = opts.pollMs ?? 50;
  // A live holder either finishes or goes stale within staleMs; twice that means something else is wrong.
  const deadline = Date.now() + 2 * staleMs + 1000;
  while (!(await tryCreate(path))) {
    if (Date.now() > deadline) {
      throw new FlotillaError('retry', `timed out waiting for the lock ${path}`, `Try again; if it keeps happening, delete ${path}.`);
    }
    await removeIfStale(path, staleMs);
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
