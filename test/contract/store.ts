// The behaviour every ObjectStore backend promises (DESIGN.md §3.3), run against each backend by its
// own test file. Each case gets a fresh, empty store from make().
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../core/errors.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';

export interface StoreUnderTest {
  store: ObjectStore;
  /** Writes an object under a name the store's API refuses, as anyone with write access to the backend could. */
  writeRaw(name: string, body: Buffer): Promise<void>;
  cleanup(): Promise<void>;
}

export interface StoreContractOptions {
  /** Keys written for the listing test: more than the backend's list page, so paging is exercised. */
  listKeys?: number;
  /**
   * Whether the service behind the backend makes concurrent writes of one key atomic (a directory
   * with rename, real S3). s3rver writes objects in place with a stream, so racing PUTs interleave
   * there; against it only consecutive overwrites are checked.
   */
  atomicConcurrentPuts?: boolean;
}

const INVALID_KEYS = ['../escape.json', 'clusters/../../etc/passwd', '/abs/key', 'clusters//x', 'clusters/.tmp-hidden', 'a/./b', 'a\\b', ''];

function sortedKeys(entries: { key: string }[]): string[] {
  return entries.map((e) => e.key).sort();
}

export function storeContract(name: string, make: () => Promise<StoreUnderTest>, options: StoreContractOptions = {}): void {
  describe(`store contract: ${name}`, () => {
    let current: StoreUnderTest;
    let store: ObjectStore;

    beforeEach(async () => {
      current = await make();
      store = current.store;
    });
    afterEach(async () => {
      await current.cleanup();
    });

    it('puts, gets, heads, lists and deletes one object', async () => {
      const key = storeKeys.status('c1');
      const body = Buffer.from('{"hello":"store"}');
      const put = await store.put(key, body);
      expect(put).toMatchObject({ key, size: body.length });

      const got = await store.get(key, 1024);
      expect(got?.body.equals(body)).toBe(true);
      expect(got?.size).toBe(body.length);
      expect(await store.head(key)).toEqual({ key, etag: put.etag, size: body.length });
      expect(await store.list('clusters/')).toEqual([{ key, etag: put.etag, size: body.length }]);

      await store.delete(key);
      expect(await store.get(key, 1024)).toBeNull();
      expect(await store.head(key)).toBeNull();
      expect(await store.list('clusters/')).toEqual([]);
    });

    it('answers null for a missing key, and deleting one is not an error', async () => {
      expect(await store.get(storeKeys.job('nobody', 1), 1024)).toBeNull();
      expect(await store.head(storeKeys.job('nobody', 1))).toBeNull();
      await expect(store.delete(storeKeys.job('nobody', 1))).resolves.toBeUndefined();
      expect(await store.list('clusters/nobody/')).toEqual([]);
    });

    it('keeps the etag while an object is unchanged and changes it when the content changes', async () => {
      const key = storeKeys.job('c1', 1);
      const first = await store.put(key, Buffer.from('version one'));
      const head1 = await store.head(key);
      const head2 = await store.head(key);
      expect(head1?.etag).toBe(first.etag);
      expect(head2?.etag).toBe(first.etag);
      expect((await store.get(key, 100))?.etag).toBe(first.etag);
      expect((await store.list('clusters/c1/jobs/'))[0]?.etag).toBe(first.etag);

      const second = await store.put(key, Buffer.from('version two, longer'));
      expect(second.etag).not.toBe(first.etag);
      expect((await store.head(key))?.etag).toBe(second.etag);
      expect((await store.get(key, 100))?.body.toString()).toBe('version two, longer');
    });

    it('lists every key under a prefix across pages, and only those', async () => {
      const count = options.listKeys ?? 30;
      const jobs = Array.from({ length: count }, (_, i) => storeKeys.job('c1', i + 1));
      const others = [storeKeys.status('c1'), storeKeys.result('c1', 1), storeKeys.job('c10', 1), storeKeys.job('c2', 1), storeKeys.controlPlaneKey()];
      const all = [...jobs, ...others];
      for (let i = 0; i < all.length; i += 50) {
        await Promise.all(all.slice(i, i + 50).map((k) => store.put(k, Buffer.from(k))));
      }

      expect(sortedKeys(await store.list('clusters/c1/jobs/'))).toEqual([...jobs].sort());
      expect(sortedKeys(await store.list('clusters/c1/'))).toEqual([...jobs, storeKeys.status('c1'), storeKeys.result('c1', 1)].sort());
      // A prefix is a string prefix, not a directory: "clusters/c1" also matches c10.
      expect(sortedKeys(await store.list('clusters/c1')).filter((k) => k.startsWith('clusters/c10/'))).toEqual([storeKeys.job('c10', 1)]);
      expect(sortedKeys(await store.list('clusters/c1/jobs/00000000000'))).toEqual(jobs.slice(0, Math.min(9, count)).sort());
      expect(sortedKeys(await store.list(''))).toEqual([...all].sort());
      expect(await store.list('clusters/none/')).toEqual([]);
      for (const e of await store.list('clusters/c2/')) expect(e.size).toBe(Buffer.byteLength(storeKeys.job('c2', 1)));
    });

    it('reads at most maxBytes + 1 bytes of an oversize object and reports its full size', async () => {
      const key = storeKeys.status('big');
      const body = randomBytes(64 * 1024);
      await store.put(key, body);

      const capped = await store.get(key, 100);
      expect(capped?.size).toBe(body.length);
      expect(capped?.body.length).toBe(101);
      expect(capped?.body.equals(body.subarray(0, 101))).toBe(true);

      const exact = await store.get(key, body.length);
      expect(exact?.body.equals(body)).toBe(true);
      const roomy = await store.get(key, body.length * 2);
      expect(roomy?.body.length).toBe(body.length);
    });

    it('stores an empty object', async () => {
      const key = storeKeys.config('c1', 'empty');
      await store.put(key, Buffer.alloc(0));
      const got = await store.get(key, 10);
      expect(got?.body.length).toBe(0);
      expect(got?.size).toBe(0);
      expect((await store.head(key))?.size).toBe(0);
    });

    it('keeps binary bodies byte for byte', async () => {
      const key = storeKeys.backupObject('c1', 'b1', 'blob.bin');
      const body = Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a, 0x00]), randomBytes(4096)]);
      await store.put(key, body);
      const got = await store.get(key, body.length);
      expect(got?.body.equals(body)).toBe(true);
    });

    it('rejects invalid keys as a usage error before touching the store', async () => {
      for (const key of INVALID_KEYS) {
        const ops: (() => Promise<unknown>)[] = [() => store.get(key, 10), () => store.put(key, Buffer.from('x')), () => store.head(key), () => store.delete(key)];
        for (const op of ops) {
          const err = await Promise.resolve()
            .then(op)
            .then(
              () => null,
              (e: unknown) => e,
            );
          expect(err, key).toBeInstanceOf(FlotillaError);
          expect((err as FlotillaError).kind, key).toBe('usage');
        }
      }
      expect(await store.list('')).toEqual([]);
    });

    it('leaves out whole directories that exclude names, and nothing else', async () => {
      for (const k of ['clusters/a/status.json', 'clusters/a/results/000000000001.json', 'clusters/a/jobs/000000000001.json', 'clusters/a/backups/b1/objects/x.yaml', 'clusters/b/jobs/000000000002.json', 'clusters/jobsx/status.json']) {
        await store.put(k, Buffer.from('x'));
      }
      const asked: string[] = [];
      const listed = await store.list('clusters/', {
        exclude: (dirKey) => {
          asked.push(dirKey);
          return /^clusters\/[^/]+\/(jobs|backups)\/$/.test(dirKey);
        },
      });
      expect(sortedKeys(listed)).toEqual(['clusters/a/results/000000000001.json', 'clusters/a/status.json', 'clusters/jobsx/status.json']);
      expect(asked.every((d) => d.endsWith('/'))).toBe(true);
      expect(sortedKeys(await store.list('clusters/'))).toHaveLength(6);
    });

    it('heads many keys at once, in the order asked, as head() answers each', async () => {
      const keys = [storeKeys.status('a'), storeKeys.registration('a'), storeKeys.status('b'), storeKeys.result('b', 3), storeKeys.controlPlaneKey()];
      for (const k of keys) await store.put(k, Buffer.from(k));
      const asked = [keys[2]!, storeKeys.status('nobody'), keys[0]!, keys[4]!, keys[3]!, keys[1]!, storeKeys.job('a', 1)];
      const many = await store.headMany(asked);
      expect(many).toEqual(await Promise.all(asked.map((k) => store.head(k))));
      expect(many.map((e) => e?.key ?? null)).toEqual([keys[2], null, keys[0], keys[4], keys[3], keys[1], null]);
      for (const e of many) if (e) expect(e).toEqual({ key: e.key, etag: expect.any(String) as string, size: Buffer.byteLength(e.key) });
      expect(await store.headMany([])).toEqual([]);

      const before = many[0]!.etag;
      await store.put(keys[2]!, Buffer.from('a new version'));
      const [after] = await store.headMany([keys[2]!]);
      expect(after?.etag).not.toBe(before);
      expect(after?.etag).toBe((await store.head(keys[2]!))?.etag);
      await store.delete(keys[2]!);
      expect(await store.headMany([keys[2]!, keys[0]!])).toEqual([null, await store.head(keys[0]!)]);
    });

    it('heads more keys than a list page holds, and agrees with list', async () => {
      const count = options.listKeys ?? 30;
      const keys = Array.from({ length: count }, (_, i) => storeKeys.status(`c${i}`));
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from(k))));
      const listed = new Map((await store.list('clusters/')).map((e) => [e.key, e]));
      // Twice: a backend may choose how to answer from what it learned the first time.
      for (let round = 0; round < 2; round++) {
        const many = await store.headMany([...keys, storeKeys.status('missing')]);
        expect(many.slice(0, count)).toEqual(keys.map((k) => listed.get(k)));
        expect(many[count]).toBeNull();
      }
      expect(await store.headMany(keys.slice(0, 2))).toEqual(keys.slice(0, 2).map((k) => listed.get(k)));
    });

    it('refuses invalid keys in headMany as a usage error', async () => {
      for (const key of INVALID_KEYS) {
        const err = await store.headMany([storeKeys.status('fine'), key]).catch((e: unknown) => e);
        expect(err, key).toBeInstanceOf(FlotillaError);
        expect((err as FlotillaError).kind, key).toBe('usage');
      }
    });

    it('passes over names no key can have, and returns them escaped when asked', async () => {
      await store.put(storeKeys.status('c1'), Buffer.from('ok'));
      await current.writeRaw('clusters/c1/bad name.json', Buffer.from('x'));
      await current.writeRaw('clusters/c1/.hidden', Buffer.from('x'));
      await current.writeRaw('clusters/c1/caf\u00e9.json', Buffer.from('x'));
      expect(sortedKeys(await store.list('clusters/'))).toEqual([storeKeys.status('c1')]);
      const all = await store.list('clusters/', { irregular: true });
      const odd = all.filter((e) => e.irregular).sort((a, b) => (a.key < b.key ? -1 : 1));
      expect(odd.map((e) => [e.key, e.irregular])).toEqual([
        ['clusters/c1/.hidden', { kind: 'bad_name', at: 'clusters/c1/.hidden' }],
        ['clusters/c1/bad name.json', { kind: 'bad_name', at: 'clusters/c1/bad name.json' }],
        ['clusters/c1/caf\\u00e9.json', { kind: 'bad_name', at: 'clusters/c1/caf\\u00e9.json' }],
      ]);
      const again = await store.list('clusters/', { irregular: true });
      expect(again.filter((e) => e.irregular).map((e) => e.etag).sort()).toEqual(odd.map((e) => e.etag).sort());
    });

    it('returns a directory that exclude reports as one irregular entry, whose etag follows its content', async () => {
      await store.put(storeKeys.status('a'), Buffer.from('ok'));
      await store.put('clusters/a/notes/one.txt', Buffer.from('1'));
      await store.put('clusters/a/notes/two.txt', Buffer.from('2'));
      const exclude = (dirKey: string) => (dirKey === 'clusters/a/notes/' ? ('report' as const) : false);
      expect(sortedKeys(await store.list('clusters/', { exclude }))).toEqual([storeKeys.status('a')]);
      const first = (await store.list('clusters/', { exclude, irregular: true })).filter((e) => e.irregular);
      expect(first.map((e) => [e.key, e.irregular])).toEqual([['clusters/a/notes/', { kind: 'directory', at: 'clusters/a/notes/' }]]);
      expect((await store.list('clusters/', { exclude, irregular: true })).find((e) => e.irregular)?.etag).toBe(first[0]?.etag);
      await store.put('clusters/a/notes/three.txt', Buffer.from('3'));
      expect((await store.list('clusters/', { exclude, irregular: true })).find((e) => e.irregular)?.etag).not.toBe(first[0]?.etag);
    });

    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(96 * 1024, i + 1));
    if (options.atomicConcurrentPuts !== false) {
      it('leaves one whole value after concurrent puts of the same key', async () => {
        const key = storeKeys.status('race');
        await Promise.all(bodies.map((b) => store.put(key, b)));
        const got = await store.get(key, 1024 * 1024);
        expect(got).not.toBeNull();
        expect(got?.body.length).toBe(96 * 1024);
        expect(bodies.some((b) => b.equals(got!.body))).toBe(true);
        expect(await store.list('clusters/race/')).toHaveLength(1);
      });
    } else {
      it('leaves the last whole value after consecutive overwrites of the same key', async () => {
        const key = storeKeys.status('race');
        for (const b of bodies) await store.put(key, b);
        const got = await store.get(key, 1024 * 1024);
        expect(got?.body.equals(bodies[bodies.length - 1]!)).toBe(true);
        expect(await store.list('clusters/race/')).toHaveLength(1);
      });
    }
  });
}
