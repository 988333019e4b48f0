// File-system calls for the directory store, run synchronously in one worker thread per process.
// A poll that stats 20,000 keys costs about a third of the CPU this way that it costs through
// libuv's thread pool, where every call is a hand-off between threads; calls made in the same turn
// of the event loop travel in one message; and a slow or hung mount (NFS) stalls the worker, never
// the event loop that serves the API.
import { Worker } from 'node:worker_threads';

/** What lstat found. "loop": a symlink loop on the path, so a link stands somewhere on it. */
export type EntryType = 'missing' | 'file' | 'dir' | 'symlink' | 'special' | 'denied' | 'loop';

export interface LstatAnswer {
  type: EntryType;
  ino: number;
  mtimeMs: number;
  size: number;
}

export interface DirAnswer {
  /** null: the directory is missing, not a directory, or (denied) exists but cannot be read. */
  entries: { name: string; type: EntryType }[] | null;
  denied: boolean;
}

export interface ReadRequest {
  path: string;
  /** The real path the opened file must have: no symlink on the way to it. */
  realPath: string;
  maxBytes: number;
}

/** null: no regular file inside the store at that path (missing, a link, a FIFO, or reached through a link). */
export type ReadAnswer = { body: Buffer; ino: number; mtimeMs: number; size: number } | null;

export interface BatchRequest {
  lstat?: readonly string[];
  readdir?: readonly string[];
  read?: readonly ReadRequest[];
}

export interface BatchAnswer {
  lstat: LstatAnswer[];
  readdir: DirAnswer[];
  read: ReadAnswer[];
}

/** A failure that is none of the expected ones (EIO, ESTALE, EMFILE…): the request fails. */
export class FsBatchError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FsBatchError';
  }
}

const TYPES: EntryType[] = ['missing', 'file', 'dir', 'symlink', 'special', 'denied', 'loop'];

interface WireRequest {
  id: number;
  lstat: readonly string[];
  readdir: readonly string[];
  read: readonly ReadRequest[];
}

type WireDir = { names: string[]; types: Uint8Array } | 'missing' | 'denied';
type WireRead = { body: Uint8Array; ino: number; mtimeMs: number; size: number } | null;
interface WireError {
  path: string;
  code: string;
  message: string;
}

interface WireAnswer {
  id: number;
  /** Four numbers per lstat path: type index, ino, mtimeMs, size. */
  stats: Float64Array;
  dirs: (WireDir | WireError)[];
  reads: (WireRead | WireError)[];
  /** Per lstat path that failed unexpectedly. */
  statErrors: { index: number; error: WireError }[];
}

/**
 * The worker's whole program. It is sent as source text (the worker runs it as a script), so it
 * uses nothing but its arguments: no imports, no names from this module.
 */
function workerMain(fs: typeof import('node:fs'), port: import('node:worker_threads').MessagePort): void {
  const [MISSING, FILE, DIR, SYMLINK, SPECIAL, DENIED, LOOP] = [0, 1, 2, 3, 4, 5, 6];
  const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
  const codeOf = (e: unknown) => (e as { code?: string }).code ?? 'EUNKNOWN';
  const expected = (code: string) => (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' ? MISSING : code === 'EACCES' || code === 'EPERM' ? DENIED : code === 'ELOOP' ? LOOP : -1);
  const failure = (path: string, e: unknown) => ({ path, code: codeOf(e), message: (e as Error).message ?? String(e) });
  const typeOf = (s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }) =>
    s.isFile() ? FILE : s.isDirectory() ? DIR : s.isSymbolicLink() ? SYMLINK : SPECIAL;

  // The kernel names the file behind a descriptor, which no rename race can fake; without procfs,
  // the real path must be the expected one and hold the very file opened.
  const opensAt = (fd: number, path: string, realPath: string, opened: { dev: number; ino: number }) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === realPath;
    } catch {
      try {
        const s = fs.realpathSync(path) === realPath ? fs.statSync(realPath) : undefined;
        return s !== undefined && s.dev === opened.dev && s.ino === opened.ino;
      } catch {
        return false;
      }
    }
  };

  const read = (r: ReadRequest): WireRead | WireError => {
    let fd: number;
    try {
      fd = fs.openSync(r.path, READ_FLAGS);
    } catch (e) {
      // ELOOP: a symlink at the path; ENXIO: a socket, or a device without a reader.
      const code = codeOf(e);
      if (expected(code) === MISSING || code === 'ELOOP' || code === 'ENXIO') return null;
      return failure(r.path, e);
    }
    try {
      const s = fs.fstatSync(fd);
      if (!s.isFile() || !opensAt(fd, r.path, r.realPath, s)) return null;
      const want = Math.min(s.size, r.maxBytes + 1);
      const body = new Uint8Array(want);
      let off = 0;
      while (off < want) {
        const n = fs.readSync(fd, body, off, want - off, off);
        if (n === 0) break;
        off += n;
      }
      return { body: off === want ? body : body.slice(0, off), ino: s.ino, mtimeMs: s.mtimeMs, size: s.size };
    } catch (e) {
      return failure(r.path, e);
    } finally {
      fs.closeSync(fd);
    }
  };

  port.on('message', (req: WireRequest) => {
    const stats = new Float64Array(req.lstat.length * 4);
    const statErrors: WireAnswer['statErrors'] = [];
    req.lstat.forEach((path, i) => {
      try {
        const s = fs.lstatSync(path, { throwIfNoEntry: false });
        if (!s) return; // MISSING is 0
        stats[i * 4] = typeOf(s);
        stats[i * 4 + 1] = s.ino;
        stats[i * 4 + 2] = s.mtimeMs;
        stats[i * 4 + 3] = s.size;
      } catch (e) {
        const type = expected(codeOf(e));
        if (type >= 0) stats[i * 4] = type;
        else statErrors.push({ index: i, error: failure(path, e) });
      }
    });
    const dirs = req.readdir.map((path): WireDir | WireError => {
      try {
        const entries = fs.readdirSync(path, { withFileTypes: true });
        const types = new Uint8Array(entries.length);
        entries.forEach((d, i) => {
          types[i] = typeOf(d);
        });
        return { names: entries.map((d) => d.name), types };
      } catch (e) {
        const type = expected(codeOf(e));
        return type === DENIED ? 'denied' : type >= 0 ? 'missing' : failure(path, e);
      }
    });
    const reads = req.read.map(read);
    const transfer = [stats.buffer, ...reads.flatMap((r) => (r && 'body' in r ? [r.body.buffer as ArrayBuffer] : []))];
    port.postMessage({ id: req.id, stats, dirs, reads, statErrors } satisfies WireAnswer, transfer);
  });
}

// Transpilers that keep function names (tsx, for the benchmarks) wrap them in a __name helper the
// worker lacks; the stand-in returns the function unchanged.
const WORKER_SOURCE = `var __name = (f) => f;\n(${workerMain.toString()})(require('node:fs'), require('node:worker_threads').parentPort);`;

interface Queued {
  req: Required<BatchRequest>;
  resolve: (a: BatchAnswer) => void;
  reject: (e: Error) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const inFlight = new Map<number, { queued: Queued[]; answer: (a: WireAnswer) => void; fail: (e: Error) => void }>();
let queue: Queued[] = [];
let flushScheduled = false;

function failAll(e: Error): void {
  for (const f of inFlight.values()) f.fail(e);
  inFlight.clear();
  worker = undefined;
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, name: 'flotilla-store-fs' });
  w.on('message', (a: WireAnswer) => {
    const f = inFlight.get(a.id);
    inFlight.delete(a.id);
    // Idle, the worker must not keep the process alive; busy, it must (a CLI awaiting its answer).
    if (inFlight.size === 0) w.unref();
    f?.answer(a);
  });
  w.on('error', (e) => failAll(e));
  w.on('exit', (code) => {
    if (worker === w) failAll(new Error(`the store's file-system worker exited with code ${code}`));
  });
  worker = w;
  return w;
}

function isWireError(x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && 'code' in x && 'path' in x;
}

/** Sends every request queued in this turn of the event loop as one message. */
function flush(): void {
  flushScheduled = false;
  const queued = queue;
  queue = [];
  if (queued.length === 0) return;
  const req: WireRequest = { id: nextId++, lstat: queued.flatMap((q) => q.req.lstat), readdir: queued.flatMap((q) => q.req.readdir), read: queued.flatMap((q) => q.req.read) };
  const answer = (a: WireAnswer) => {
    let [l, d, r] = [0, 0, 0];
    for (const q of queued) {
      const [nl, nd, nr] = [q.req.lstat.length, q.req.readdir.length, q.req.read.length];
      const error = a.statErrors.find((s) => s.index >= l && s.index < l + nl)?.error ?? [...a.dirs.slice(d, d + nd), ...a.reads.slice(r, r + nr)].find(isWireError);
      if (error) q.reject(new FsBatchError(error.path, error.code, error.message));
      else q.resolve(decode(a, l, nl, d, nd, r, nr));
      [l, d, r] = [l + nl, d + nd, r + nr];
    }
  };
  const fail = (e: Error) => {
    for (const q of queued) q.reject(e);
  };
  let w: Worker;
  try {
    w = ensureWorker();
  } catch (e) {
    fail(e as Error);
    return;
  }
  inFlight.set(req.id, { queued, answer, fail });
  w.ref();
  w.postMessage(req);
}

function decode(a: WireAnswer, l: number, nl: number, d: number, nd: number, r: number, nr: number): BatchAnswer {
  const lstat = new Array<LstatAnswer>(nl);
  for (let i = 0; i < nl; i++) {
    const j = (l + i) * 4;
    lstat[i] = { type: TYPES[a.stats[j] as number] as EntryType, ino: a.stats[j + 1] as number, mtimeMs: a.stats[j + 2] as number, size: a.stats[j + 3] as number };
  }
  const readdir = (a.dirs.slice(d, d + nd) as WireDir[]).map((x): DirAnswer => {
    if (x === 'missing') return { entries: null, denied: false };
    if (x === 'denied') return { entries: null, denied: true };
    return { entries: x.names.map((name, i) => ({ name, type: TYPES[x.types[i] as number] as EntryType })), denied: false };
  });
  const read = (a.reads.slice(r, r + nr) as WireRead[]).map((x): ReadAnswer => (x ? { ...x, body: Buffer.from(x.body.buffer, x.body.byteOffset, x.body.byteLength) } : null));
  return { lstat, readdir, read };
}

/** Runs the request's lstats, readdirs and reads in the worker; answers in the order asked. */
export function fsBatch(req: BatchRequest): Promise<BatchAnswer> {
  const full = { lstat: req.lstat ?? [], readdir: req.readdir ?? [], read: req.read ?? [] };
  if (full.lstat.length === 0 && full.readdir.length === 0 && full.read.length === 0) return Promise.resolve({ lstat: [], readdir: [], read: [] });
  return new Promise((resolve, reject) => {
    queue.push({ req: full, resolve, reject });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
}
