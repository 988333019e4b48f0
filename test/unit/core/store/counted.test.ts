import { afterAll, describe, expect, it } from 'vitest';
import { countedStore, storeArea, type StoreArea, type StoreOp } from '../../../../core/store/counted.js';
import { DirStore } from '../../../../core/store/dir.js';
import { storeKeys } from '../../../../core/store/types.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('counted store', () => {
  it('names the part of the key space a key or list prefix belongs to, from a fixed set', () => {
    const cases: [string, StoreArea][] = [
      ['clusters/', 'clusters'],
      ['', 'clusters'],
      [storeKeys.status('a'), 'status'],
      [storeKeys.registration('a'), 'registration'],
      [storeKeys.job('a', 7), 'jobs'],
      [storeKeys.jobsPrefix('a'), 'jobs'],
      [storeKeys.result('a', 7), 'results'],
      [storeKeys.resultsPrefix('a'), 'results'],
      [storeKeys.config('a', 'logging'), 'config'],
      [storeKeys.backupManifest('a', 'b1'), 'backups'],
      [storeKeys.controlPlaneKey(), 'controlplane'],
      ['clusters/a/', 'clusters'],
      ['clusters/a/other/x.json', 'other'],
      ['elsewhere/x', 'other'],
    ];
    for (const [key, area] of cases) expect(storeArea(key), key).toBe(area);
  });

  it('counts every operation and passes it through unchanged, watch included', async () => {
    const dir = new DirStore(tempDir());
    const seen: string[] = [];
    const store = countedStore(dir, (op: StoreOp, area: StoreArea, entries: number) => seen.push(`${op} ${area} ${entries}`));
    expect(store.description).toBe(dir.description);
    expect(typeof store.watch).toBe('function');
    await store.put(storeKeys.job('a', 1), Buffer.from('x'));
    expect((await store.head(storeKeys.job('a', 1)))?.size).toBe(1);
    expect((await store.get(storeKeys.job('a', 1), 10))?.body.toString()).toBe('x');
    expect((await store.list('clusters/')).map((e) => e.key)).toEqual([storeKeys.job('a', 1)]);
    await store.put(storeKeys.status('a'), Buffer.from('s'));
    expect(await store.headMany([storeKeys.status('a'), storeKeys.status('b')])).toHaveLength(2);
    expect(await store.headMany([storeKeys.status('a'), storeKeys.registration('a'), storeKeys.job('a', 1)])).toHaveLength(3);
    await store.delete(storeKeys.job('a', 1));
    expect(await dir.head(storeKeys.job('a', 1))).toBeNull();
    expect(seen).toEqual(['put jobs 1', 'head jobs 1', 'get jobs 1', 'list clusters 1', 'put status 1', 'headMany status 2', 'headMany clusters 3', 'delete jobs 1']);
  });
});
