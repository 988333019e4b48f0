// The TCP proxy that plays the network in the chain's cut tests, checked against a plain echo server:
// bytes pass, a cut holds bytes, closes and new connections until restore, a reset tears connections down.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../harness/proc.js';
import { startTcpProxy, type TcpProxy } from '../../harness/tcp-proxy.js';

/** An echo server that records what reached it. */
interface Echo {
  port: number;
  received: string[];
  ended: number;
  errors: number;
  connections: number;
  close(): Promise<void>;
}

async function startEcho(): Promise<Echo> {
  const sockets = new Set<Socket>();
  const echo: Omit<Echo, 'port' | 'close'> = { received: [], ended: 0, errors: 0, connections: 0 };
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    echo.connections += 1;
    sockets.add(s);
    s.on('data', (d: Buffer) => {
      echo.received.push(d.toString());
      s.write(d);
    });
    s.on('end', () => {
      echo.ended += 1;
      s.end();
    });
    s.on('error', () => (echo.errors += 1));
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(echo, {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

interface Client {
  socket: Socket;
  got(): string;
  closed(): { error?: string } | undefined;
}

function client(port: number): Client {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  let got = '';
  let closed: { error?: string } | undefined;
  let error: string | undefined;
  socket.on('data', (d: Buffer) => (got += d.toString()));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  socket.on('close', () => (closed = error ? { error } : {}));
  return { socket, got: () => got, closed: () => closed };
}

let echo: Echo;
let proxy: TcpProxy;
const clients: Client[] = [];
const open = (): Client => {
  const c = client(proxy.port);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  echo = await startEcho();
});
afterAll(async () => {
  await echo.close();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await proxy?.close();
});

describe('TCP proxy', () => {
  it('passes bytes both ways', async () => {
    proxy = await startTcpProxy({ port: echo.port });
    const c = open();
    c.socket.write('hello');
    await waitUntil(() => c.got() === 'hello', { what: 'the echo' });
    expect(proxy.stats()).toMatchObject({ open: 1, accepted: 1, heldBytes: 0 });
  });

  it('holds bytes and a close during a cut and delivers them in order on restore', async () => {
    proxy = await startTcpProxy({ port: echo.port });
    const c = open();
    c.socket.write('before;');
    await waitUntil(() => c.got() === 'before;', { what: 'the echo before the cut' });
    const seen = echo.received.join('');
    proxy.cut();
    c.socket.write('during');
    c.socket.end();
    await waitUntil(() => proxy.stats().heldBytes === 'during'.length, { what: 'the proxy to hold the bytes' });
    expect(echo.received.join('')).toBe(seen);
    expect(echo.ended).toBe(0);
    proxy.restore();
    await waitUntil(() => c.got() === 'before;during' && c.closed(), { what: 'the held bytes and the close to go through' });
    expect(echo.ended).toBe(1);
    expect(c.closed()).toEqual({});
  });

  it('accepts a connection during a cut but connects it onward only on restore', async () => {
    proxy = await startTcpProxy({ port: echo.port });
    proxy.cut();
    const before = echo.connections;
    const c = open();
    c.socket.write('queued');
    await waitUntil(() => proxy.stats().heldBytes === 'queued'.length, { what: 'the proxy to take the connection and hold its bytes' });
    expect(echo.connections).toBe(before);
    proxy.restore();
    await waitUntil(() => c.got() === 'queued', { what: 'the connection to go through' });
    expect(echo.connections).toBe(before + 1);
  });

  it('resets every connection on both sides, and passes new ones afterwards', async () => {
    proxy = await startTcpProxy({ port: echo.port });
    const c = open();
    c.socket.write('x');
    await waitUntil(() => c.got() === 'x', { what: 'the echo' });
    const errorsBefore = echo.errors;
    proxy.reset();
    await waitUntil(() => c.closed(), { what: 'the client to see the reset' });
    expect(c.closed()).toEqual({ error: 'ECONNRESET' });
    await waitUntil(() => echo.errors === errorsBefore + 1, { what: 'the server to see the reset' });
    const d = open();
    d.socket.write('again');
    await waitUntil(() => d.got() === 'again', { what: 'a new connection after the reset' });
  });

  it('passes a refused upstream on as a reset', async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    proxy = await startTcpProxy({ port });
    const c = open();
    await waitUntil(() => c.closed(), { what: 'the client to be refused' });
    expect(c.closed()).toEqual({ error: 'ECONNRESET' });
  });
});
