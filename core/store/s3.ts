// S3 (or any S3-compatible service) backend. One PUT is atomic on S3, so no temp objects are needed.
// Credentials come from the standard AWS chain only; they are never part of a Flotilla config file.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { FlotillaError } from '../errors.js';
import { storeUnavailable } from './failure.js';
import { assertValidKey, escapeBadName, isValidKey, type HeadOptions, type ListOptions, type ObjectStore, type StoreEntry, type StoreObject } from './types.js';

export interface S3StoreOptions {
  bucket: string;
  /** Empty, or ending in "/": every store key lives under it. */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1000); smaller only to exercise paging in tests. */
  pageSize?: number;
  /** Explicit credentials for tests against a local service; production leaves this to the AWS chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK attempts per request, including the first (default 3). */
  maxAttempts?: number;
}

/** S3 quotes ETags; list, head, get and put must agree, so the quotes go. */
function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(e) === 404;
}

/** "bytes 0-99/1234" → 1234; "*" or absent → undefined. */
export function totalFromContentRange(range: string | undefined): number | undefined {
  const m = /\/(\d+)\s*$/.exec(range ?? '');
  return m ? Number(m[1]) : undefined;
}

type BodyStream = AsyncIterable<Uint8Array> & { destroy?: () => void };

/** Reads at most limit bytes, then drops the connection: a server that ignores Range is not read to the end. */
async function readCapped(body: unknown, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const stream = body as BodyStream;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buf = Buffer.from(chunk);
    chunks.push(buf);
    length += buf.length;
    if (length >= limit) break;
  }
  stream.destroy?.();
  return Buffer.concat(chunks, length).subarray(0, limit);
}

/**
 * S3 has no directories to skip: a key is excluded when any of its parent directory keys is. Returns
 * that directory key, or undefined.
 */
function excludedBy(key: string, exclude: ListOptions['exclude']): { dirKey: string; report: boolean } | undefined {
  if (!exclude) return undefined;
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
    const dirKey = key.slice(0, i + 1);
    const ex = exclude(dirKey);
    if (ex) return { dirKey, report: ex === 'report' };
  }
  return undefined;
}

/** The longest directory key ("…/") that every key starts with, or "". */
export function commonDirPrefix(keys: readonly string[]): string {
  let common = keys[0] ?? '';
  for (const k of keys) {
    let i = 0;
    while (i < common.length && i < k.length && common[i] === k[i]) i++;
    common = common.slice(0, i);
  }
  return common.slice(0, common.lastIndexOf('/') + 1);
}

/** With no count yet for a prefix, up to this many keys are HEADed rather than listing it to learn. */
const HEAD_BLIND = 8;
/** HEAD requests in flight at once. */
const HEAD_WIDTH = 16;

export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly where: string;
  /** Objects last seen under a prefix, to price a listing of it against one HEAD per key. */
  private readonly objectCounts = new Map<string, number>();

  constructor(opts: S3StoreOptions) {
    if (opts.prefix !== '' && !opts.prefix.endsWith('/')) {
      throw new FlotillaError('config', `S3 store prefix "${opts.prefix}" must be empty or end in "/"`, `Set store.prefix to "${opts.prefix}/".`);
    }
    this.bucket = opts.bucket;
    this.prefix = opts.prefix;
    this.pageSize = opts.pageSize ?? 1000;
    this.description = `s3://${opts.bucket}/${opts.prefix}${opts.endpoint ? ` at ${opts.endpoint}` : ''}`;
    this.where = `bucket "${opts.bucket}" (region ${opts.region}${opts.endpoint ? `, endpoint ${opts.endpoint}` : ''})`;
    this.client = new S3Client({
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      maxAttempts: opts.maxAttempts ?? 3,
      // Checksums only where S3 requires them: many S3-compatible services reject the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  private unavailable(op: string, key: string, e: unknown): FlotillaError {
    const name = (e as { name?: string } | null)?.name ?? 'Error';
    const status = statusOf(e);
    const detail = e instanceof S3ServiceException || e instanceof Error ? e.message : String(e);
    return storeUnavailable({
      store: `S3 store ${this.description}`,
      op,
      key,
      detail: `${name}${status ? ` (HTTP ${status})` : ''}: ${detail}`,
      next: `Check that ${this.where} exists and is reachable from here, and that the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role) allow s3:GetObject, s3:PutObject, s3:ListBucket and s3:DeleteObject on it.`,
      cause: e,
    });
  }

  async get(key: string, maxBytes: number): Promise<StoreObject | null> {
    const objectKey = this.objectKey(key);
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=0-${maxBytes}` }));
    } catch (e) {
      if (isNotFound(e)) return null;
      // An empty object has no byte 0, so S3 answers 416 to any range: read it plainly.
      if (statusOf(e) !== 416) throw this.unavailable('get', key, e);
      try {
        out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      } catch (e2) {
        if (isNotFound(e2)) return null;
        throw this.unavailable('get', key, e2);
      }
    }
    const total = totalFromContentRange(out.ContentRange);
    if (total === 0) {
      // Nothing to read; some S3-compatible servers even send a broken body for a range of nothing.
      (out.Body as BodyStream | undefined)?.destroy?.();
      return { body: Buffer.alloc(0), etag: bareEtag(out.ETag), size: 0 };
    }
    let body: Buffer;
    try {
      body = await readCapped(out.Body, maxBytes + 1);
    } catch (e) {
      throw this.unavailable('get', key, e);
    }
    return { body, etag: bareEtag(out.ETag), size: total ?? out.ContentLength ?? body.length };
  }

  async put(key: string, body: Buffer): Promise<StoreEntry> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: body, ContentLength: body.length }));
      return { key, etag: bareEtag(out.ETag), size: body.length };
    } catch (e) {
      throw this.unavailable('put', key, e);
    }
  }

  async head(key: string): Promise<StoreEntry | null> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { key, etag: bareEtag(out.ETag), size: out.ContentLength ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.unavailable('head', key, e);
    }
  }

  /**
   * S3 has no stat-many. One HEAD per key costs a request each; a listing costs one request per
   * page of 1000 objects under the keys' common prefix, wanted or not. Whichever is fewer is sent,
   * priced by how many objects that prefix held when it was last listed.
   */
  async headMany(keys: readonly string[], _opts: HeadOptions = {}): Promise<(StoreEntry | null)[]> {
    for (const k of keys) assertValidKey(k);
    if (keys.length === 0) return [];
    const prefix = commonDirPrefix(keys);
    const known = this.objectCounts.get(prefix);
    const listRequests = known === undefined ? undefined : Math.max(1, Math.ceil(known / this.pageSize));
    if (listRequests === undefined ? keys.length <= HEAD_BLIND : keys.length <= listRequests) {
      const out: (StoreEntry | null)[] = [];
      for (let i = 0; i < keys.length; i += HEAD_WIDTH) out.push(...(await Promise.all(keys.slice(i, i + HEAD_WIDTH).map((k) => this.head(k)))));
      return out;
    }
    const found = new Map<string, StoreEntry>();
    const wanted = new Set(keys);
    await this.eachObject(prefix, (key, etag, size) => {
      if (wanted.has(key)) found.set(key, { key, etag, size });
    });
    // S3 keys are objects or nothing: no links, directories or devices stand in for them.
    return keys.map((k) => found.get(k) ?? null);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<StoreEntry[]> {
    const out: StoreEntry[] = [];
    const reported = new Map<string, { count: number; hash: ReturnType<typeof createHash> }>();
    await this.eachObject(prefix, (key, etag, size) => {
      const ex = excludedBy(key, opts.exclude);
      if (ex) {
        if (!ex.report || !opts.irregular) return;
        const r = reported.get(ex.dirKey) ?? { count: 0, hash: createHash('sha256') };
        r.count += 1;
        r.hash.update(`${key}\n${etag}\n`);
        reported.set(ex.dirKey, r);
        return;
      }
      if (isValidKey(key)) out.push({ key, etag, size });
      // Anyone with bucket access can write odd names; a key no backend could address is not an object of ours.
      else if (opts.irregular) {
        const shown = escapeBadName(key);
        out.push({ key: shown, etag: `bad_name:${etag}`, size, irregular: { kind: 'bad_name', at: shown } });
      }
    });
    for (const [dirKey, r] of reported) {
      out.push({ key: dirKey, etag: `directory:${r.count}-${r.hash.digest('hex').slice(0, 32)}`, size: 0, irregular: { kind: 'directory', at: dirKey } });
    }
    return out;
  }

  /** Every object under prefix, page by page; remembers how many there were. */
  private async eachObject(prefix: string, fn: (key: string, etag: string, size: number) => void): Promise<void> {
    let token: string | undefined;
    let count = 0;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.pageSize, ContinuationToken: token }));
      } catch (e) {
        throw this.unavailable('list', prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        count += 1;
        fn(o.Key.slice(this.prefix.length), bareEtag(o.ETag), o.Size ?? 0);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    this.objectCounts.set(prefix, count);
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw this.unavailable('delete', key, e);
    }
  }

  /** Closes the SDK's connection pool (tests and short-lived CLI commands). */
  close(): void {
    this.client.destroy();
  }
}
