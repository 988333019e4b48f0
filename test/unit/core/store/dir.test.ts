import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { DirStore } from '../../../../core/store/dir.js';
import { StorePoller } from '../../../../core/store/poller.js';
import { assertClusterName, assertValidKey, parseClusterKey, storeKeys, type StoreEntry } from '../../../../core/store/types.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('store keys', () => {
  it('accepts the layout of DESIGN.md §3.3', () => {
    for (const k of [storeKeys.status('a'), storeKeys.job('a', 7), storeKeys.result('a', 7), storeKeys.config('a', 'logging'), storeKeys.controlPlaneKey()]) {
      expect(() => assertValidKey(k)).not.toThrow();
    }
    expect(storeKeys.job('c1', 42)).toBe('clusters/c1/jobs/000000000042.json');
    expect(parseClusterKey('clusters/c1/status.json')).toEqual({ cluster: 'c1', rest: 'status.json' });
    expect(parseClusterKey('controlplane/x')).toBeNull();
  });

  it('refuses keys that could escape the store or hide as temp files', () => {
    for (const k of ['', '../etc/passwd', 'clusters/../x', 'a//b', '/abs', 'clusters/.tmp-x', 'a/./b', 'a\\b', 'x/..']) {
      expect(() => assertValidKey(k), k).toThrow(FlotillaError);
    }
  });

  it('validates cluster names as DNS labels', () => {
    expect(() => assertClusterName('prod-eu-1')).not.toThrow();
    for (const bad of ['Prod', '-a', 'a-', 'a_b', 'a'.repeat(64), '']) expect(() => assertClusterName(bad), bad).toThrow(FlotillaError);
  });
});

describe('DirStore', () => {
  const root = tempDir();
  const store = new DirStore(root);

  it('puts, gets, heads, lists and deletes', async () => {
    const put = await store.put('clusters/a/status.json', Buffer.from('one'));
    expect(put.size).toBe(3);
    const got = await store.get('clusters/a/status.json', 100);
    expect(got?.body.toString()).toBe('one');
    expect(got?.etag).toBe(put.etag);
    expect((await store.head('clusters/a/status.json'))?.etag).toBe(put.etag);
    await store.put('clusters/b/jobs/000000000001.json', Buffer.from('{}'));
    expect((await store.list('clusters/')).map((e) => e.key).sort()).toEqual(['clusters/a/status.json', 'clusters/b/jobs/000000000001.json']);
    expect((await store.list('clusters/b/')).map((e) => e.key)).toEqual(['clusters/b/jobs/000000000001.json']);
    await store.delete('clusters/a/status.json');
    expect(await store.get('clusters/a/status.json', 100)).toBeNull();
    expect(await store.head('clusters/a/status.json')).toBeNull();
    expect(await store.list('nothing/here/')).toEqual([]);
  });

  it('changes the etag when the content changes', async () => {
    const a = await store.put('clusters/c/status.json', Buffer.from('v1'));
    const b = await store.put('clusters/c/status.json', Buffer.from('v2-longer'));
    expect(b.etag).not.toBe(a.etag);
  });

  it('reads no more than maxBytes + 1 of an oversize object', async () => {
    await store.put('clusters/big/status.json', Buffer.alloc(10_000, 0x61));
    const got = await store.get('clusters/big/status.json', 100);
    expect(got?.body.length).toBe(101);
    expect(got?.size).toBe(10_000);
  });

  it('leaves no temp files behind and never lists them', async () => {
    mkdirSync(join(root, 'clusters', 'd'), { recursive: true });
    writeFileSync(join(root, 'clusters', 'd', '.tmp-abandoned'), 'x');
    await store.put('clusters/d/status.json', Buffer.from('ok'));
    expect((await store.list('clusters/d/')).map((e) => e.key)).toEqual(['clusters/d/status.json']);
    expect(readdirSync(join(root, 'clusters', 'a'))).toEqual([]);
  });

  it('refuses a list prefix that could walk outside the store', async () => {
    for (const bad of ['../', '../../etc/', 'clusters/../../', '/abs/']) {
      await expect(store.list(bad), bad).rejects.toMatchObject({ kind: 'usage' });
    }
  });

  it('reports an unusable root as unavailable with a next step', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const bad = new DirStore(join(file, 'store'));
    await expect(bad.put('clusters/a/status.json', Buffer.from('x'))).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

describe('StorePoller', () => {
  it('delivers each change once, and removals', async () => {
    const store = new DirStore(tempDir());
    const seen: { changed: string[]; removed: string[] }[] = [];
    const poller = new StorePoller(store, {
      prefix: 'clusters/',
      intervalMs: 60_000,
      onChange: async (changed: StoreEntry[], removed: string[]) => {
        seen.push({ changed: changed.map((c) => c.key).sort(), removed });
      },
      onError: (e) => {
        throw e;
      },
    });
    await store.put('clusters/a/status.json', Buffer.from('1'));
    await store.put('clusters/b/status.json', Buffer.from('1'));
    await poller.pollOnce();
    await poller.pollOnce(); // nothing changed: no callback
    await store.put('clusters/a/status.json', Buffer.from('22'));
    await store.delete('clusters/b/status.json');
    await poller.pollOnce();
    poller.forget('clusters/a/status.json');
    await poller.pollOnce();
    expect(seen).toEqual([
      { changed: ['clusters/a/status.json', 'clusters/b/status.json'], removed: [] },
      { changed: ['clusters/a/status.json'], removed: ['clusters/b/status.json'] },
      { changed: ['clusters/a/status.json'], removed: [] },
    ]);
  });

  it('reports a failing list through onError and keeps going', async () => {
    const errors: unknown[] = [];
    const failing = { description: 'x', list: () => Promise.reject(new Error('nfs gone')) } as unknown as DirStore;
    const poller = new StorePoller(failing, { prefix: 'clusters/', intervalMs: 1000, onChange: async () => undefined, onError: (e) => errors.push(e) });
    await poller.pollOnce();
    await poller.pollOnce();
    expect(errors).toHaveLength(2);
  });
});
