import { afterAll, describe, expect, it } from 'vitest';
import { countedStore, type StoreOp } from '../../../../core/store/counted.js';
import { DirStore } from '../../../../core/store/dir.js';
import { storeKeys } from '../../../../core/store/types.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('countedStore', () => {
  it('reports every call with its entries and passes it on unchanged', async () => {
    const seen: [StoreOp, number][] = [];
    const dir = new DirStore(tempDir());
    const store = countedStore(dir, (op, n) => seen.push([op, n]));
    await store.put(storeKeys.status('a'), Buffer.from('1'));
    await store.put(storeKeys.status('b'), Buffer.from('2'));
    expect((await store.get(storeKeys.status('a'), 10))?.body.toString()).toBe('1');
    expect(await store.head(storeKeys.status('a'))).toEqual(await dir.head(storeKeys.status('a')));
    expect(await store.headMany([storeKeys.status('a'), storeKeys.status('b'), storeKeys.status('c')])).toHaveLength(3);
    expect(await store.list('clusters/')).toHaveLength(2);
    await store.delete(storeKeys.status('b'));
    expect(seen).toEqual([['put', 1], ['put', 1], ['get', 1], ['head', 1], ['headMany', 3], ['list', 2], ['delete', 1]]);
    expect(store.description).toBe(dir.description);
    expect(typeof store.watch).toBe('function');
  });
});
