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
import { FlotillaError } from '../errors.js';
import { storeUnavailable } from './failure.js';
import { assertValidKey, type ListOptions, type ObjectStore, type StoreEntry, type StoreObject } from './types.js';

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

/** S3 has no directories to skip: a key is excluded when any of its parent directory keys is. */
function excluded(key: string, exclude: ListOptions['exclude']): boolean {
  if (!exclude) return false;
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) if (exclude(key.slice(0, i + 1))) return true;
  return false;
}

export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly where: string;

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

  async list(prefix: string, opts: ListOptions = {}): Promise<StoreEntry[]> {
    const out: StoreEntry[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.pageSize, ContinuationToken: token }));
      } catch (e) {
        throw this.unavailable('list', prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const key = o.Key.slice(this.prefix.length);
        // Anyone with bucket access can write odd names; a key no backend could address is not an object of ours.
        if (!isValidKey(key) || excluded(key, opts.exclude)) continue;
        out.push({ key, etag: bareEtag(o.ETag), size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
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

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}
