// Where a tailed file's namespace, pod and container come from: kubelet's directory layout for CRI
// files, kubelet's /var/log/containers symlink names for docker files, and the file name for plain
// ones (DESIGN.md §3.6, docs/LOGS.md "Collecting"). Pure.
import type { LOG_FORMATS } from '../../../config/logs-schema.js';

export type LogFormat = (typeof LOG_FORMATS)[number];

export interface FileMeta {
  namespace: string;
  pod: string;
  container: string;
}

// …/pods/<ns>_<pod>_<uid>/<container>/<n>.log, and its rotated siblings <n>.log.<stamp>.
const CRI_PATH = /(?:^|\/)([^/_]+)_([^/_]+)_([^/_]+)\/([^/]+)\/[^/]+$/;
// /var/log/containers/<pod>_<ns>_<container>-<64 hex>.log
const CONTAINERS_LINK = /(?:^|\/)([^/_]+)_([^/_]+)_(.+)-[0-9a-f]{64}\.log$/;

/** The file name without its directory and its first extension: `app.log.1` → `app`. */
export function baseName(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export function metaFromPath(format: LogFormat, path: string, namespace = ''): FileMeta {
  if (format === 'cri') {
    const m = CRI_PATH.exec(path);
    if (m) return { namespace: m[1]!, pod: m[2]!, container: m[4]! };
  }
  if (format === 'cri' || format === 'docker') {
    const m = CONTAINERS_LINK.exec(path);
    if (m) return { namespace: m[2]!, pod: m[1]!, container: m[3]! };
  }
  return { namespace, pod: '', container: baseName(path) };
}
