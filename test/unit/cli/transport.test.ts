// The CA-bundle transport against a real local TLS server with a throwaway self-signed certificate.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient } from '../../../cli/client.js';
import { caTransport } from '../../../cli/transport.js';
import { FlotillaError } from '../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let server: Server;
let url: string;
let caFile: string;
const seen: { method?: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  const dir = tempDir();
  caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, auth: req.headers.authorization, body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 't1', token: 'secret' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  cleanupTempDirs();
});

describe('CA bundle transport', () => {
  it('trusts a daemon certificate signed by the configured CA', async () => {
    const client = new FlotillaClient({ server: url, token: 'tok', transport: caTransport(caFile) });
    await expect(client.createToken({ role: 'viewer' })).resolves.toEqual({ id: 't1', token: 'secret' });
    expect(seen.at(-1)).toEqual({ method: 'POST', auth: 'Bearer tok', body: '{"role":"viewer"}' });
  });

  it('without the CA, the same daemon is unavailable with the TLS reason', async () => {
    const err = await new FlotillaClient({ server: url, token: 'tok' }).listTokens().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).kind).toBe('unavailable');
    expect((err as FlotillaError).message).toMatch(/SELF_SIGNED|self.signed|certificate/i);
  });

  it('a daemon that accepts the connection and then says nothing is a retry (75), not "unavailable"', async () => {
    const silent = createNetServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const server = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const err = await new FlotillaClient({ server, token: 'tok', transport: caTransport(caFile), timeoutMs: 300 }).listTokens().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).kind).toBe('retry');
      expect((err as FlotillaError).message).toMatch(/took the connection but did not answer GET \/api\/v1\/tokens within 0\.3 s$/);
    } finally {
      silent.close();
    }
  });

  it('reports an unreadable CA file as a config error', () => {
    expect(() => caTransport(join(tempDir(), 'missing.pem'))).toThrow(/caFile .* cannot be read \(ENOENT\)/);
  });
});
