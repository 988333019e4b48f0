// Counts what a reader or writer asks of the store, by operation and by the part of the key space it
// touched, so /metrics shows what polling costs (an S3 bill is per request) and a test can check
// that polls follow open work rather than history. The areas are a fixed set: no label per cluster
// or per seq.
import type { ObjectStore } from './types.js';
import { parseClusterKey } from './types.js';

export type StoreOp = 'get' | 'put' | 'head' | 'list' | 'delete';
export const STORE_AREAS = ['clusters', 'status', 'registration', 'jobs', 'results', 'config', 'backups', 'controlplane', 'other'] as const;
export type StoreArea = (typeof STORE_AREAS)[number];

/** The area of a key or a list prefix: `clusters/<c>/jobs/…` is jobs, `clusters/` itself is clusters. */
export function storeArea(keyOrPrefix: string): StoreArea {
  if (keyOrPrefix === '' || keyOrPrefix === 'clusters/' || keyOrPrefix === 'clusters') return 'clusters';
  if (keyOrPrefix.startsWith('controlplane/')) return 'controlplane';
  const parts = parseClusterKey(keyOrPrefix);
  if (!parts) return keyOrPrefix.startsWith('clusters/') ? 'clusters' : 'other';
  if (parts.rest === 'status.json') return 'status';
  if (parts.rest === 'registration.json') return 'registration';
  const top = parts.rest.split('/')[0] ?? '';
  return top === 'jobs' || top === 'results' || top === 'config' || top === 'backups' ? top : 'other';
}

export function countedStore(store: ObjectStore, count: (op: StoreOp, area: StoreArea) => void): ObjectStore {
  const counted: ObjectStore = {
    description: store.description,
    get: (key, maxBytes) => {
      count('get', storeArea(key));
      return store.get(key, maxBytes);
    },
    put: (key, body) => {
      count('put', storeArea(key));
      return store.put(key, body);
    },
    head: (key) => {
      count('head', storeArea(key));
      return store.head(key);
    },
    list: (prefix, opts) => {
      count('list', storeArea(prefix));
      return store.list(prefix, opts);
    },
    delete: (key) => {
      count('delete', storeArea(key));
      return store.delete(key);
    },
  };
  if (store.watch) counted.watch = store.watch.bind(store);
  return counted;
}
