// The orchestration store (DESIGN.md §3.3): a flat key space, the same on a directory and on S3.
// Backends only move bytes; everything read back is untrusted and verified by the caller.
import { FlotillaError } from '../errors.js';

export interface StoreEntry {
  key: string;
  /** Changes whenever the object's content may have changed (mtime+size+inode on a dir, ETag on S3). */
  etag: string;
  size: number;
  /**
   * Set only when a caller asks for irregular entries: what stands at this key instead of an object.
   * Such an entry is never followed or read; get() answers null for it.
   */
  irregular?: Irregular;
}

/**
 * symlink, directory, special (FIFO, socket, device), unreadable (permission denied): on a
 * directory store, at the key itself or on its path (`at` names the entry). bad_name: a name no
 * store key can have (`key` shows it escaped).
 */
export type IrregularKind = 'symlink' | 'directory' | 'special' | 'unreadable' | 'bad_name';

export interface Irregular {
  kind: IrregularKind;
  /** The key, or the directory key (ending in "/") on its path, that is irregular. */
  at: string;
}

export interface ListOptions {
  /**
   * Asked for each directory below the prefix (its key ends in "/"): true leaves it out unread;
   * "report" leaves it out too but returns it as one irregular entry of kind "directory" when
   * `irregular` is set (a directory where the caller's key space has none).
   */
  exclude?: (dirKey: string) => boolean | 'report';
  /** Also return irregular entries (see StoreEntry.irregular) instead of passing over them. */
  irregular?: boolean;
}

export interface HeadOptions {
  /** Answer an irregular entry instead of null where something other than an object stands. */
  irregular?: boolean;
}

export interface StoreObject {
  /** At most maxBytes + 1 bytes, so a caller can tell an oversize object without reading all of it. */
  body: Buffer;
  etag: string;
  size: number;
}

export interface ObjectStore {
  /** Human description for logs and `flotilla info`, e.g. "dir:/var/lib/flotilla/store". */
  readonly description: string;
  get(key: string, maxBytes: number): Promise<StoreObject | null>;
  /** Atomic: readers see the old object or the new one, never a torn write. */
  put(key: string, body: Buffer): Promise<StoreEntry>;
  head(key: string): Promise<StoreEntry | null>;
  /**
   * head() for many keys at once, answered in the order asked (null: no object there). Each backend
   * does it the cheapest way it has: a directory store stats every key in one batch off the event
   * loop; S3 sends one HEAD per key or lists the keys' common prefix, whichever takes fewer requests.
   * A poller that knows its keys uses this instead of listing everything.
   */
  headMany(keys: readonly string[], opts?: HeadOptions): Promise<(StoreEntry | null)[]>;
  /**
   * Every object whose key starts with prefix, in no particular order, except those under a
   * directory that `opts.exclude` names (it is asked with directory keys ending in "/"). A backend
   * that walks directories skips them without reading them, which keeps a poll of clusters/ from
   * growing with every job envelope and backup object ever written. Symlinks are never followed.
   */
  list(prefix: string, opts?: ListOptions): Promise<StoreEntry[]>;
  delete(key: string): Promise<void>;
  /**
   * Optional hint source (fs.watch on a local dir); pollers still poll, NFS gives no events. A hint
   * names the key that changed when the platform says (it may also name a directory or a key that
   * is gone); without one, anything under the prefix may have changed.
   */
  watch?(prefix: string, onHint: (key?: string) => void): () => void;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** SEGMENT, "/"-joined: one test per key, which pollers run for thousands of keys a second. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,254})*$/;

/** Whether one path segment of a key is valid (see assertValidKey). */
export function isValidSegment(s: string): boolean {
  return SEGMENT.test(s) && !s.includes('..');
}

export function isValidKey(key: string): boolean {
  return key.length <= 1024 && KEY.test(key) && !key.includes('..');
}

/** A name no key can have, made safe to show and store: control and non-ASCII characters escaped, length capped. */
export function escapeBadName(name: string): string {
  return JSON.stringify(name).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).slice(0, 1024);
}

/** Rejects keys that could escape the store root or collide with temp files. */
export function assertValidKey(key: string): void {
  if (!isValidKey(key)) {
    throw new FlotillaError('usage', `invalid store key ${JSON.stringify(key).slice(0, 120)}`, 'Store keys are slash-separated names of letters, digits, ".", "_" and "-".');
  }
}

/** A list prefix is a key, or a key's leading part ending in "/" (or empty for everything). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Cluster names are DNS-1123 labels, so they are safe as store path segments and Kubernetes names. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function assertClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw new FlotillaError('usage', `"${name.slice(0, 80)}" is not a valid cluster name`, 'Use lower-case letters, digits and "-" (at most 63, starting and ending with a letter or digit).');
  }
}

export const storeKeys = {
  clusterPrefix: (cluster: string) => `clusters/${cluster}/`,
  status: (cluster: string) => `clusters/${cluster}/status.json`,
  registration: (cluster: string) => `clusters/${cluster}/registration.json`,
  job: (cluster: string, seq: number) => `clusters/${cluster}/jobs/${String(seq).padStart(12, '0')}.json`,
  result: (cluster: string, seq: number) => `clusters/${cluster}/results/${String(seq).padStart(12, '0')}.json`,
  config: (cluster: string, name: string) => `clusters/${cluster}/config/${name}.json`,
  jobsPrefix: (cluster: string) => `clusters/${cluster}/jobs/`,
  resultsPrefix: (cluster: string) => `clusters/${cluster}/results/`,
  backupManifest: (cluster: string, backupId: string) => `clusters/${cluster}/backups/${backupId}/manifest.json`,
  backupObject: (cluster: string, backupId: string, name: string) => `clusters/${cluster}/backups/${backupId}/objects/${name}`,
  controlPlaneKey: () => 'controlplane/public-key.json',
  controlPlaneBackupsPrefix: () => 'controlplane/backups/',
  controlPlaneBackupManifest: (backupId: string) => `controlplane/backups/${backupId}/manifest.json`,
  controlPlaneBackupPart: (backupId: string, index: number) => `controlplane/backups/${backupId}/registry-${String(index).padStart(5, '0')}.db.gz`,
};

/** The seq of clusters/<c>/jobs/<seq>.json or results/<seq>.json, or null for any other name. */
export function seqFromKey(key: string): number | null {
  const m = /\/(?:jobs|results)\/(\d{12})\.json$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** Parses clusters/<c>/<rest> into its parts, or null for any other key. */
export function parseClusterKey(key: string): { cluster: string; rest: string } | null {
  const m = /^clusters\/([^/]+)\/(.+)$/.exec(key);
  return m ? { cluster: m[1] as string, rest: m[2] as string } : null;
}
