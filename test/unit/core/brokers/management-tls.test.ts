// The management adapter over HTTPS with a private CA: the config's caFile is what lets it trust the
// broker's certificate; without it the failure says the certificate is not trusted.
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitManagement } from '../../../../core/brokers/rabbitmq-management.js';
import { FlotillaError } from '../../../../core/errors.js';
import { testCertificate } from '../../../harness/kube-api/tls.js';

const tls = testCertificate();
let server: Server;
let url: string;
const seen: { method: string; path: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, body });
      res.writeHead(req.url === '/api/overview' ? 200 : 204, { 'content-type': 'application/json' });
      res.end(req.url === '/api/overview' ? JSON.stringify({ rabbitmq_version: '3.10.8', node: 'rabbit@edge' }) : undefined);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the management API over HTTPS', () => {
  it('trusts the broker through the given CA, and sends credentials and JSON bodies', async () => {
    const m = rabbitManagement({ url, username: 'admin', password: 'pw', ca: Buffer.from(tls.cert) });
    expect(await m.overview()).toEqual({ rabbitmqVersion: '3.10.8', node: 'rabbit@edge' });
    await m.putVhost('edge-c');
    expect(seen.at(-1)).toEqual({ method: 'PUT', path: '/api/vhosts/edge-c', auth: `Basic ${Buffer.from('admin:pw').toString('base64')}`, body: '{}' });
  });

  it('fails as a config error naming the certificate and caFile without the CA', async () => {
    const e = await rabbitManagement({ url, username: 'admin', password: 'pw' }).overview().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('config');
    expect((e as FlotillaError).message).toMatch(/presented a certificate this host does not trust/);
    expect((e as FlotillaError).next).toMatch(/caFile/);
  });
});
