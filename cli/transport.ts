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

export const fetchTransport: Transport = async (req) => {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body === undefined ? {} : { body: req.body }),
    signal: AbortSignal.timeout(req.timeoutMs),
  });
  return { status: res.status, text: await res.text() };
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
      r.on('timeout', () => r.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      r.on('error', reject);
      r.end(req.body);
    });
}
