// A daemon that speaks just enough of the WebSocket protocol (core/protocol.ts) for the TUI tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { ROWS } from './helpers.js';

export const TOKEN = 'secret-token';

export interface FakeDaemon {
  url: string;
  frames: { op: string; topic?: string; query?: string; after?: string }[];
  connections: WebSocket[];
  upgrades: number;
  rejectAuth: boolean;
  stop(): Promise<void>;
}

/** A daemon that speaks just enough of the protocol: hello on connect, and the fleet snapshot on subscribe. */
export async function startDaemon(opts: { onSubscribe?: (ws: WebSocket, topic: string, frame: { id: number; query?: string; after?: string }) => void } = {}): Promise<FakeDaemon> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  const daemon: FakeDaemon = { url: '', frames: [], connections: [], upgrades: 0, rejectAuth: false, stop: async () => undefined };
  server.on('upgrade', (req, socket, head) => {
    daemon.upgrades += 1;
    if (daemon.rejectAuth || req.headers.authorization !== `Bearer ${TOKEN}` || req.url !== '/ws') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      daemon.connections.push(ws);
      ws.send(JSON.stringify({ kind: 'hello', server: { version: '0.1.0', now: new Date().toISOString() }, identity: { provider: 'token', subject: 't1', name: 'alice', role: 'operator' } }));
      ws.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as { op: string; topic?: string; id: number; query?: string; after?: string };
        daemon.frames.push(frame);
        if (frame.op === 'subscribe' && frame.topic) {
          if (opts.onSubscribe) opts.onSubscribe(ws, frame.topic, frame);
          else if (frame.topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS.slice(0, 2) }));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  daemon.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  daemon.stop = async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return daemon;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

