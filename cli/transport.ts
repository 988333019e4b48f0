// How the REST client moves bytes. Global fetch by default; node:https when the client config names a
// CA bundle, because Node 20's fetch cannot be given extra trust roots per request.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { FlotillaError } from '../core/errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  text: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** The daemon took the connection but gave no answer in time: it is running, only slow (or overloaded). */
export class DaemonTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'DaemonTimeout';
  }
}

export const fetchTransport: Transport = async (req) => {
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    // undici gives up on an unanswered connect by itself (UND_ERR_CONNECT_TIMEOUT); our signal firing means the daemon was reached
    if ((e as { name?: unknown } | null)?.name === 'TimeoutError') throw new DaemonTimeout(req.timeoutMs);
    throw e;
  }
};

export function caTransport(caFile: string): Transport {
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
  } catch (e) {
    throw new FlotillaError('config', `caFile ${caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Point caFile in the client config at a readable PEM bundle, or remove it.', { cause: e });
  }
  return (req) =>
    new Promise((resolve, reject) => {
      const r = request(req.url, { method: req.method, headers: req.headers, ca, timeout: req.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      let connected = false;
      r.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      r.on('timeout', () => r.destroy(connected ? new DaemonTimeout(req.timeoutMs) : Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
      r.on('error', reject);
      r.end(req.body);
    });
}
