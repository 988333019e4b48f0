// An ObjectStore that reports each call it passes on, so a daemon can show (and a test can count)
// what its polls cost the store without timing anything.
import type { ObjectStore } from './types.js';

export type StoreOp = 'get' | 'put' | 'head' | 'headMany' | 'list' | 'delete';

/** entries: keys asked of headMany, entries returned by list; 1 for the other operations. */
export function countedStore(store: ObjectStore, onOp: (op: StoreOp, entries: number) => void): ObjectStore {
  const counted: ObjectStore = {
    description: store.description,
    get: (key, maxBytes) => {
      onOp('get', 1);
      return store.get(key, maxBytes);
    },
    put: (key, body) => {
      onOp('put', 1);
      return store.put(key, body);
    },
    head: (key) => {
      onOp('head', 1);
      return store.head(key);
    },
    headMany: (keys, opts) => {
      onOp('headMany', keys.length);
      return store.headMany(keys, opts);
    },
    list: async (prefix, opts) => {
      const entries = await store.list(prefix, opts);
      onOp('list', entries.length);
      return entries;
    },
    delete: (key) => {
      onOp('delete', 1);
      return store.delete(key);
    },
  };
  const watch = store.watch?.bind(store);
  return watch ? { ...counted, watch } : counted;
}
