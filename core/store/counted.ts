// Counts what a reader or writer asks of the store, by operation and by the part of the key space it
// touched, so /metrics shows what polling costs (an S3 bill is per request) and a test can check
// that polls follow open work rather than history. The areas are a fixed set: no label per cluster
// or per seq.
import type { ObjectStore } from './types.js';
import { parseClusterKey } from './types.js';

export type StoreOp = 'get' | 'put' | 'head' | 'headMany' | 'list' | 'delete';
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

/** The one area all keys share; keys of several areas of the cluster key space count as `clusters`. */
function areaOfAll(keys: readonly string[]): StoreArea {
  const areas = new Set(keys.map(storeArea));
  return areas.size === 1 ? [...areas][0]! : 'clusters';
}

/**
 * Reports every request it passes on: its operation, its area and how many entries it carried (the
 * keys asked of headMany, the entries a list returned, 1 otherwise).
 */
export function countedStore(store: ObjectStore, count: (op: StoreOp, area: StoreArea, entries: number) => void): ObjectStore {
  const counted: ObjectStore = {
    description: store.description,
    get: (key, maxBytes) => {
      count('get', storeArea(key), 1);
      return store.get(key, maxBytes);
    },
    put: (key, body) => {
      count('put', storeArea(key), 1);
      return store.put(key, body);
    },
    head: (key) => {
      count('head', storeArea(key), 1);
      return store.head(key);
    },
    headMany: (keys, opts) => {
      count('headMany', areaOfAll(keys), keys.length);
      return store.headMany(keys, opts);
    },
    list: async (prefix, opts) => {
      const entries = await store.list(prefix, opts);
      count('list', storeArea(prefix), entries.length);
      return entries;
    },
    delete: (key) => {
      count('delete', storeArea(key), 1);
      return store.delete(key);
    },
  };
  if (store.watch) counted.watch = store.watch.bind(store);
  return counted;
}
