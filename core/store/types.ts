// The orchestration store (DESIGN.md §3.3): a flat key space, the same on a directory and on S3.
// Backends only move bytes; everything read back is untrusted and verified by the caller.
import { FlotillaError } from '../errors.js';

export interface StoreEntry {
  key: string;
  /** Changes whenever the object's content may have changed (mtime+size+inode on a dir, ETag on S3). */
  etag: string;
  size: number;
}

export interface ListOptions {
  exclude?: (dirKey: string) => boolean;
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
   * Every object whose key starts with prefix, in no particular order, except those under a
   * directory that `opts.exclude` names (it is asked with directory keys ending in "/"). A backend
   * that walks directories skips them without reading them, which keeps a poll of clusters/ from
   * growing with every job envelope and backup object ever written.
   */
  list(prefix: string, opts?: ListOptions): Promise<StoreEntry[]>;
  delete(key: string): Promise<void>;
  /** Optional hint source (fs.watch on a local dir); pollers still poll, NFS gives no events. */
  watch?(prefix: string, onHint: () => void): () => void;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Rejects keys that could escape the store root or collide with temp files. */
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  const ok = key.length > 0 && key.length <= 1024 && segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..' && !s.includes('..'));
  if (!ok) {
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
