// Pure: the store's key space (DESIGN.md §3.3, and registration.json from docs/ARCHITECTURE.md) as
// names a reader can check. Anything else found in the store was put there by someone else.
import { CLUSTER_NAME } from './types.js';

export type KeyRole = 'status' | 'registration' | 'job' | 'result' | 'config' | 'backup' | 'controlplane-key' | 'controlplane-backup';

/** The directories of the key space; a directory key ends in "/". */
export type DirRole = 'clusters' | 'cluster' | 'jobs' | 'results' | 'config' | 'backups' | 'controlplane' | 'controlplane-backups';

const SEQ_FILE = /^\d{12}\.json$/;
const CONFIG_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.json$/;
const CLUSTER_FILES: Record<string, KeyRole> = { 'status.json': 'status', 'registration.json': 'registration' };
const CLUSTER_DIRS: Record<string, DirRole> = { 'jobs/': 'jobs', 'results/': 'results', 'config/': 'config', 'backups/': 'backups' };

/** What a key is in the key space, with its cluster where it has one; null for a name outside it. */
export function keyRole(key: string): { role: KeyRole; cluster?: string } | null {
  const parts = key.split('/');
  if (parts[0] === 'controlplane') {
    if (parts.length === 2 && parts[1] === 'public-key.json') return { role: 'controlplane-key' };
    if (parts.length >= 4 && parts[1] === 'backups') return { role: 'controlplane-backup' };
    return null;
  }
  if (parts[0] !== 'clusters' || parts.length < 3 || !CLUSTER_NAME.test(parts[1] as string)) return null;
  const cluster = parts[1] as string;
  const [dir, name] = [parts[2] as string, parts[3]];
  if (parts.length === 3) {
    const role = CLUSTER_FILES[dir];
    return role ? { role, cluster } : null;
  }
  if (dir === 'backups') return parts.length >= 5 ? { role: 'backup', cluster } : null;
  if (parts.length !== 4 || name === undefined) return null;
  if (dir === 'jobs' && SEQ_FILE.test(name)) return { role: 'job', cluster };
  if (dir === 'results' && SEQ_FILE.test(name)) return { role: 'result', cluster };
  if (dir === 'config' && CONFIG_FILE.test(name)) return { role: 'config', cluster };
  return null;
}

/** What a directory key ("…/") is in the key space; null for a directory outside it. */
export function dirRole(dirKey: string): DirRole | null {
  if (!dirKey.endsWith('/')) return null;
  if (dirKey === 'clusters/') return 'clusters';
  if (dirKey === 'controlplane/') return 'controlplane';
  if (dirKey.startsWith('controlplane/backups/')) return 'controlplane-backups';
  const m = /^clusters\/([^/]+)\/(.*)$/.exec(dirKey);
  if (!m || !CLUSTER_NAME.test(m[1] as string)) return null;
  const rest = m[2] as string;
  if (rest === '') return 'cluster';
  if (rest.startsWith('backups/')) return 'backups';
  return CLUSTER_DIRS[rest] ?? null;
}

/** The cluster a key or directory key belongs to, if its second segment is a valid cluster name. */
export function clusterOf(key: string): string | null {
  const m = /^clusters\/([^/]+)/.exec(key);
  return m && CLUSTER_NAME.test(m[1] as string) ? (m[1] as string) : null;
}
