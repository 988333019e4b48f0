// Pure: what the daemon's store listing walks, and how an entry that is no object of the key space
// is recorded. Every poll checks the status and registration keys of the clusters in the registry
// (a cluster added with `cluster add` is known before its agent registers); only what no registry
// entry names needs the listing: files of clusters the registry does not know, and whatever else
// someone put in the store.
import { clusterOf, dirRole, keyRole } from '../../core/store/key-space.js';
import type { StoreEntry } from '../../core/store/types.js';
import type { RejectionInput } from '../registry/rejections.js';

/** The listing runs on the first poll and then on every DISCOVER_EVERY-th: every 10 s at the default 1 s interval. */
export const DISCOVER_EVERY = 10;

export type EntryRejectionReason = 'not_a_file' | 'unreadable' | 'unknown_name';

/**
 * jobs/ holds the daemon's own writes, results/ is read by key for open jobs
 * (daemon/jobs/result-poll.ts) and backups/ by agents only, and all three grow with every job: not
 * walked. A directory outside the key space is not walked either, but recorded once.
 */
export function discoveryExclude(dirKey: string): boolean | 'report' {
  const role = dirRole(dirKey);
  if (role === 'jobs' || role === 'results' || role === 'backups') return true;
  return role === null ? 'report' : false;
}

/** The rejection that records an irregular entry, or a name outside the key space. */
export function entryRejection(e: StoreEntry, at: string): RejectionInput {
  const { reason, message } = describe(e);
  // A directory named like a file of the key space is met by the listing (as "…/status.json/") and
  // by the known keys (as "…/status.json"): one key, so it is recorded once.
  const key = e.irregular?.kind === 'directory' && e.key.endsWith('/') && keyRole(e.key.slice(0, -1)) ? e.key.slice(0, -1) : e.key;
  return { at, cluster: clusterOf(e.key), key, etag: e.etag, reason, message };
}

function describe(e: StoreEntry): { reason: EntryRejectionReason; message: string } {
  const irregular = e.irregular;
  if (!irregular) return { reason: 'unknown_name', message: 'not a name in the store key space (docs/ARCHITECTURE.md); not read' };
  if (irregular.kind === 'directory' && e.key.endsWith('/') && keyRole(e.key.slice(0, -1))) return { reason: 'not_a_file', message: 'a directory where a file belongs' };
  const where = irregular.at === e.key ? '' : ` (at ${irregular.at} on its path)`;
  switch (irregular.kind) {
    case 'symlink':
      return { reason: 'not_a_file', message: `a symbolic link${where}; never followed` };
    case 'special':
      return { reason: 'not_a_file', message: `a FIFO, socket or device${where}; never opened` };
    case 'unreadable':
      return { reason: 'unreadable', message: `cannot be read: permission denied${where}` };
    case 'bad_name':
      return { reason: 'unknown_name', message: 'a name no store key can have (letters, digits, ".", "_", "-"); not read' };
    case 'directory':
      return e.key.endsWith('/') && dirRole(e.key) === null
        ? { reason: 'unknown_name', message: 'a directory outside the store key space; not read' }
        : { reason: 'not_a_file', message: `a directory where a file belongs${where}` };
  }
}
