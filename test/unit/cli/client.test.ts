import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FlotillaClient } from '../../../cli/client.js';
import type { HttpRequest, Transport } from '../../../cli/transport.js';
import { FlotillaError } from '../../../core/errors.js';

function fake(status: number, body: unknown, seen: HttpRequest[] = []): Transport {
  return async (req) => {
    seen.push(req);
    return { status, text: typeof body === 'string' ? body : JSON.stringify(body) };
  };
}

async function failure(p: Promise<unknown>): Promise<FlotillaError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    return e as FlotillaError;
  }
  throw new Error('expected the call to fail');
}

describe('REST client', () => {
  it('sends the bearer token and JSON body, and unwraps list items', async () => {
    const seen: HttpRequest[] = [];
    const client = new FlotillaClient({ server: 'http://d:1/', token: 'secret', transport: fake(200, { items: [{ name: 'a' }] }, seen) });
    await expect(client.listClusters()).resolves.toEqual([{ name: 'a' }]);
    await client.addCluster({ name: 'b', labels: { env: 'dev' } });
    expect(seen[0]).toMatchObject({ method: 'GET', url: 'http://d:1/api/v1/clusters', headers: { authorization: 'Bearer secret' } });
    expect(seen[1]).toMatchObject({ method: 'POST', url: 'http://d:1/api/v1/clusters', body: '{"name":"b","labels":{"env":"dev"}}' });
    expect(seen[1]?.headers['content-type']).toBe('application/json');
  });

  it('escapes names in paths', async () => {
    const seen: HttpRequest[] = [];
    await new FlotillaClient({ server: 'http://d:1', token: 't', transport: fake(200, { revoked: 'x' }, seen) }).revokeToken('a/b');
    expect(seen[0]?.url).toBe('http://d:1/api/v1/tokens/a%2Fb');
  });

  it('maps an {error} body to the FlotillaError it describes', async () => {
    const client = new FlotillaClient({ server: 'http://d:1', token: 't', transport: fake(403, { error: { code: 'forbidden', message: 'viewer may not add clusters', next: 'ask an admin' } }) });
    const err = await failure(client.addCluster({ name: 'x' }));
    expect(err).toMatchObject({ kind: 'forbidden', message: 'viewer may not add clusters', next: 'ask an admin' });
    expect(err.exitCode).toBe(77);
  });

  it('maps a bare HTTP status when the body is not a Flotilla error', async () => {
    const err = await failure(new FlotillaClient({ server: 'http://d:1', token: 't', transport: fake(404, {}) }).getCluster('x'));
    expect(err.kind).toBe('not_found');
    const html = await failure(new FlotillaClient({ server: 'http://d:1', token: 't', transport: fake(502, '<html>bad gateway</html>') }).listTokens());
    expect(html.kind).toBe('unavailable');
    expect(html.message).toMatch(/not JSON/);
  });

  it('turns a refused connection into unavailable (69) with how to start the daemon', async () => {
    const refused: Transport = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    const err = await failure(new FlotillaClient({ server: 'http://127.0.0.1:9', token: 't', transport: refused }).listClusters());
    expect(err.message).toBe('cannot reach the daemon at http://127.0.0.1:9 (ECONNREFUSED)');
    expect(err.next).toBe('start it with `flotilla daemon` or check --server/FLOTILLA_SERVER');
    expect(err.exitCode).toBe(69);
  });

  it('refuses an authenticated call without a token before sending anything', async () => {
    const seen: HttpRequest[] = [];
    const err = await failure(new FlotillaClient({ server: 'http://d:1', transport: fake(200, {}, seen) }).listClusters());
    expect(err.kind).toBe('unauthenticated');
    expect(seen).toEqual([]);
  });

  it('calls /healthz without a token', async () => {
    const seen: HttpRequest[] = [];
    await expect(new FlotillaClient({ server: 'http://d:1', transport: fake(200, { status: 'ok', version: '1' }, seen) }).healthz()).resolves.toEqual({ status: 'ok', version: '1' });
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('a daemon that takes the connection but does not answer is slow, not down: retry (75), not "start it"', async () => {
    // a real socket that accepts and never answers, through the real fetch transport
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const client = new FlotillaClient({ server, token: 't', timeoutMs: 300 });
      const read = await failure(client.listClusters());
      expect(read.kind).toBe('retry');
      expect(read.exitCode).toBe(75);
      expect(read.message).toBe(`the daemon at ${server} took the connection but did not answer GET /api/v1/clusters within 0.3 s`);
      expect(read.next).toBe("It is running but slow or overloaded: retry in a moment, and if it persists check the daemon host's load and daemon.log.");
      const write = await failure(client.addCluster({ name: 'x' }));
      expect(write.kind).toBe('retry');
      expect(write.next).toMatch(/may still take effect: check .* before sending it again/);
    } finally {
      silent.close();
    }
  });

  it('really reaches nothing on a closed port through fetch', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const err = await failure(new FlotillaClient({ server: `http://127.0.0.1:${port}`, token: 't' }).listClusters());
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
