// The store contract against the S3 backend on a local s3rver, plus the S3-only failure modes.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../core/errors.js';
import { openStore } from '../../../core/store/open.js';
import { S3Store, totalFromContentRange } from '../../../core/store/s3.js';
import { storeKeys } from '../../../core/store/types.js';
import { storeContract } from '../../contract/store.js';
import { startSlowProxy } from '../../harness/slow-proxy.js';
import { startS3rver, type S3Service } from '../../harness/s3rver.js';
import { cleanupTempDirs } from '../../harness/tmp.js';

let s3: S3Service;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
  cleanupTempDirs();
});

function storeAt(prefix: string, over: Partial<ConstructorParameters<typeof S3Store>[0]> = {}): S3Store {
  return new S3Store({ bucket: s3.bucket, prefix, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, ...over });
}

// Every case gets its own prefix in the shared bucket; a page of 7 keys makes listing page several times.
storeContract('s3 (s3rver)', () => {
  const prefix = `t-${randomUUID()}/`;
  const store = storeAt(prefix, { pageSize: 7 });
  // Anyone with bucket access can PUT any name; the SDK itself does not care about store keys.
  const raw = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  return Promise.resolve({
    store,
    async writeRaw(name: string, body: Buffer) {
      await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}${name}`, Body: body }));
    },
    cleanup: () => {
      store.close();
      raw.destroy();
      return Promise.resolve();
    },
  });
}, { atomicConcurrentPuts: false });

describe('S3 store specifics', () => {
  it('answers headMany with one HEAD per key or one listing, whichever is fewer requests', async () => {
    const proxy = await startSlowProxy(s3.endpoint, 0);
    const prefix = `hm-${randomUUID()}/`;
    const store = storeAt(prefix, { endpoint: proxy.url, pageSize: 10 });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => storeKeys.status(`c${String(i).padStart(2, '0')}`));
      for (const k of keys) await store.put(k, Buffer.from(k));
      const sent = async (fn: () => Promise<unknown>) => {
        const before = proxy.requests.length;
        await fn();
        return proxy.requests.slice(before).map((r) => (r.startsWith('HEAD ') ? 'HEAD' : r.includes('list-type=2') ? 'LIST' : r));
      };
      // Nothing known of clusters/ yet: a few keys are HEADed, many keys list it (4 pages of 10) and learn its size.
      expect(await sent(() => store.headMany(keys.slice(0, 3)))).toEqual(['HEAD', 'HEAD', 'HEAD']);
      expect(await sent(() => store.headMany(keys))).toEqual(['LIST', 'LIST', 'LIST', 'LIST']);
      // 4 pages: up to 4 keys go as HEADs, more as the listing.
      expect(await sent(() => store.headMany(keys.slice(0, 4)))).toEqual(['HEAD', 'HEAD', 'HEAD', 'HEAD']);
      expect(await sent(() => store.headMany(keys.slice(0, 5)))).toEqual(['LIST', 'LIST', 'LIST', 'LIST']);
      // The same answers either way.
      expect(await store.headMany(keys.slice(0, 5))).toEqual(await Promise.all(keys.slice(0, 5).map((k) => store.head(k))));
    } finally {
      store.close();
      await proxy.close();
    }
  });

  it('keeps keys under its prefix, apart from other prefixes in the bucket', async () => {
    const a = storeAt('tenant-a/');
    const b = storeAt('tenant-b/');
    await a.put('clusters/x/status.json', Buffer.from('a'));
    expect(await b.list('')).toEqual([]);
    expect(await b.get('clusters/x/status.json', 10)).toBeNull();
    const bare = storeAt('');
    expect((await bare.head('tenant-a/clusters/x/status.json'))?.size).toBe(1);
    a.close();
    b.close();
    bare.close();
  });

  it('skips objects whose names no store key can have', async () => {
    const prefix = `odd-${randomUUID()}/`;
    const bare = storeAt('');
    // Written through the prefix-less view: "x..y" is a valid S3 name but not a store key.
    await bare.put(`${prefix}clusters/c1/status.json`, Buffer.from('ok'));
    const raw = storeAt(prefix);
    expect((await raw.list('')).map((e) => e.key)).toEqual(['clusters/c1/status.json']);
    bare.close();
    raw.close();
  });

  it('reports an unreachable endpoint as unavailable, naming the bucket and the credentials', async () => {
    const down = storeAt('', { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const err = await down.list('').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).kind).toBe('unavailable');
    expect((err as FlotillaError).next).toMatch(/flotilla-test/);
    expect((err as FlotillaError).next).toMatch(/AWS_ACCESS_KEY_ID/);
    down.close();
  });

  it('reports a missing bucket and wrong credentials as unavailable, never a raw SDK error', async () => {
    const noBucket = new S3Store({ bucket: 'no-such-bucket', prefix: '', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, maxAttempts: 1 });
    const e1 = await noBucket.put('a/b', Buffer.from('x')).catch((e: unknown) => e);
    expect((e1 as FlotillaError).kind).toBe('unavailable');
    expect((e1 as FlotillaError).message).toMatch(/no-such-bucket/);
    const badCreds = storeAt('', { credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong' }, maxAttempts: 1 });
    const e2 = await badCreds.list('').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(FlotillaError);
    expect((e2 as FlotillaError).kind).toBe('unavailable');
    expect((e2 as FlotillaError).message).toMatch(/InvalidAccessKeyId \(HTTP 403\)/);
    noBucket.close();
    badCreds.close();
  });

  it('opens from a store config with credentials from the AWS environment', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    try {
      const store = openStore({ type: 's3', bucket: s3.bucket, prefix: 'from-config/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, pollIntervalMs: 1000 });
      expect(store.description).toBe(`s3://${s3.bucket}/from-config/ at ${s3.endpoint}`);
      await store.put('clusters/c1/status.json', Buffer.from('{}'));
      expect((await store.get('clusters/c1/status.json', 10))?.body.toString()).toBe('{}');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('parses the total size from Content-Range', () => {
    expect(totalFromContentRange('bytes 0-99/1234')).toBe(1234);
    expect(totalFromContentRange('bytes */0')).toBe(0);
    expect(totalFromContentRange('bytes 0-99/*')).toBeUndefined();
    expect(totalFromContentRange(undefined)).toBeUndefined();
  });
});
