// Small HTTP helpers: bounded JSON bodies and uniform JSON error responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FlotillaError, toFlotillaError } from '../../core/errors.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Thrown for bodies over the limit: a usage error, but with its own HTTP status (413). */
export class BodyTooLarge extends FlotillaError {
  constructor(limit: number) {
    super('usage', `request body is over the ${limit}-byte limit`, 'Send a smaller request body.');
  }

  override get httpStatus(): number {
    return 413;
  }
}

/** The raw body, at most `limit` bytes: a declared or actual size past it stops the read with BodyTooLarge (413), buffering no more. */
export async function readBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) throw new BodyTooLarge(limit);
      chunks.push(buf);
    }
  } catch (e) {
    if (e instanceof FlotillaError) throw e;
    // the client went away (or timed out) mid-body: its mistake, not the daemon's, and nothing was done
    throw new FlotillaError('usage', `the request body ended after ${size} bytes, before it was complete (${(e as Error).message})`, 'Send the whole body at once; the daemon waits api.connections.requestTimeoutMs for a request to arrive.', { cause: e });
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FlotillaError('usage', 'request body is not valid JSON', 'Send a JSON object with Content-Type: application/json.');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): number {
  const err = toFlotillaError(e);
  const status = err.httpStatus;
  if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="flotilla"');
  // The rest of an oversize body is not worth reading: the connection ends with this answer.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: err.toBody() });
  return status;
}
