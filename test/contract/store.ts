// The behaviour every ObjectStore backend promises (DESIGN.md §3.3), run against each backend by its
// own test file. Each case gets a fresh, empty store from make().
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../core/errors.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';

export interface StoreUnderTest {
  store: ObjectStore;
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
