import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { DirStore } from '../../../../core/store/dir.js';
import { assertClusterName, assertValidKey, parseClusterKey, storeKeys } from '../../../../core/store/types.js';
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

describe('DirStore and entries that are not regular files', () => {
  const SECRET = 'outside the store';

  /** A store with one cluster directory, and a directory outside it holding a file worth stealing. */
  function setup() {
    const root = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'status.json'), SECRET);
    mkdirSync(join(root, 'clusters', 'c'), { recursive: true });
    return { root, outside, store: new DirStore(root) };
  }

  it('never reads through a symlink at a key, and reports it only when asked', async () => {
    const { root, outside, store } = setup();
    const key = storeKeys.status('c');
    symlinkSync(join(outside, 'status.json'), join(root, 'clusters', 'c', 'status.json'));
    expect(await store.get(key, 1024)).toBeNull();
    expect(await store.head(key)).toBeNull();
    expect(await store.headMany([key])).toEqual([null]);
    const [odd] = await store.headMany([key], { irregular: true });
    expect(odd).toMatchObject({ key, size: 0, irregular: { kind: 'symlink', at: key } });
    expect(await store.list('clusters/')).toEqual([]);
    expect(await store.list('clusters/', { irregular: true })).toEqual([odd]);
  });

  it('never reads through a symlinked directory on the path, and says which entry is the link', async () => {
    const { root, outside, store } = setup();
    symlinkSync(outside, join(root, 'clusters', 'evil'));
    const key = storeKeys.status('evil');
    // open() follows a link before the last path segment; the descriptor's real path gives it away.
    expect(await store.get(key, 1024)).toBeNull();
    expect(await store.headMany([key])).toEqual([null]);
    expect(await store.headMany([key], { irregular: true })).toEqual([expect.objectContaining({ key, irregular: { kind: 'symlink', at: 'clusters/evil/' } })]);
    // The listing names the link itself and does not walk into it.
    const listed = await store.list('clusters/', { irregular: true });
    expect(listed.map((e) => [e.key, e.irregular?.kind])).toEqual([['clusters/evil', 'symlink']]);
    expect(await store.list('clusters/evil/')).toEqual([]);
    expect((await store.list('clusters/evil/', { irregular: true })).map((e) => e.irregular)).toEqual([{ kind: 'symlink', at: 'clusters/evil/' }]);
  });

  it('refuses to write or delete through a symlinked directory', async () => {
    const { root, outside, store } = setup();
    symlinkSync(outside, join(root, 'clusters', 'evil'));
    await expect(store.put(storeKeys.job('evil', 1), Buffer.from('x'))).rejects.toMatchObject({ kind: 'unavailable', message: /clusters\/evil" is a symbolic link/ });
    await expect(store.delete(storeKeys.status('evil'))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(readdirSync(outside)).toEqual(['status.json']);
    expect(readFileSync(join(outside, 'status.json'), 'utf8')).toBe(SECRET);
    // A link at the key itself is replaced by the write, never written through.
    symlinkSync(join(outside, 'status.json'), join(root, 'clusters', 'c', 'status.json'));
    await store.put(storeKeys.status('c'), Buffer.from('mine'));
    expect(readFileSync(join(outside, 'status.json'), 'utf8')).toBe(SECRET);
    expect((await store.get(storeKeys.status('c'), 100))?.body.toString()).toBe('mine');
  });

  it('does not hang on a FIFO, and reports FIFOs and directories where files belong', async () => {
    const { root, store } = setup();
    execFileSync('mkfifo', [join(root, 'clusters', 'c', 'status.json')]);
    mkdirSync(join(root, 'clusters', 'c', 'registration.json'));
    expect(await store.get(storeKeys.status('c'), 1024)).toBeNull();
    expect(await store.get(storeKeys.registration('c'), 1024)).toBeNull();
    const odd = await store.headMany([storeKeys.status('c'), storeKeys.registration('c')], { irregular: true });
    expect(odd.map((e) => e?.irregular)).toEqual([
      { kind: 'special', at: storeKeys.status('c') },
      { kind: 'directory', at: storeKeys.registration('c') },
    ]);
  });

  it('reports a symlink loop on the path as a link', async () => {
    const { root, store } = setup();
    symlinkSync('loop', join(root, 'clusters', 'loop'));
    expect(await store.get(storeKeys.status('loop'), 10)).toBeNull();
    expect((await store.headMany([storeKeys.status('loop')], { irregular: true }))[0]?.irregular).toEqual({ kind: 'symlink', at: 'clusters/loop/' });
  });

  it('gives a file replaced by a link, and back, a new etag each time', async () => {
    const { root, outside, store } = setup();
    const key = storeKeys.status('c');
    const path = join(root, 'clusters', 'c', 'status.json');
    const asFile = (await store.put(key, Buffer.from('one'))).etag;
    rmSync(path);
    symlinkSync(join(outside, 'status.json'), path);
    const asLink = (await store.headMany([key], { irregular: true }))[0]?.etag;
    writeFileSync(join(root, 'replacement'), 'two');
    renameSync(join(root, 'replacement'), path);
    const again = (await store.headMany([key], { irregular: true }))[0]?.etag;
    expect(new Set([asFile, asLink, again]).size).toBe(3);
    expect(asLink).toMatch(/^symlink:/);
  });

  it('passes over its own temp files and NFS silly renames without reporting them', async () => {
    const { root, store } = setup();
    writeFileSync(join(root, 'clusters', 'c', '.tmp-0123'), 'x');
    writeFileSync(join(root, 'clusters', 'c', '.nfs0000000001'), 'x');
    writeFileSync(join(root, 'clusters', 'c', '.hidden'), 'x');
    expect((await store.list('clusters/', { irregular: true })).map((e) => [e.key, e.irregular?.kind])).toEqual([['clusters/c/.hidden', 'bad_name']]);
  });
});

describe('DirStore path checks it remembers', () => {
  it('checks again the files below a directory that a listing finds moved out of the store and linked back', async () => {
    const root = tempDir();
    const outside = tempDir();
    const store = new DirStore(root);
    await store.put(storeKeys.registration('gamma'), Buffer.from('{}'));
    expect((await store.headMany([storeKeys.registration('gamma')], { irregular: true }))[0]?.irregular).toBeUndefined();
    // Same inode, same mtime: only the directory on its path changed.
    renameSync(join(root, 'clusters', 'gamma'), join(outside, 'gamma'));
    symlinkSync(join(outside, 'gamma'), join(root, 'clusters', 'gamma'));
    expect((await store.list('clusters/', { irregular: true })).map((e) => [e.key, e.irregular?.kind])).toEqual([['clusters/gamma', 'symlink']]);
    const [entry] = await store.headMany([storeKeys.registration('gamma')], { irregular: true });
    expect(entry?.irregular).toMatchObject({ kind: 'symlink', at: 'clusters/gamma/' });
  });
});
