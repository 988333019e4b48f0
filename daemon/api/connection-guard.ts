// Holds a live server to the connection caps of connection-limits.ts: counts every TCP connection
// from accept to close (before any TLS handshake, which is where a half-open flood sits), marks it
// busy while a request is in flight or once it is a WebSocket, closes the idle connection the table
// sheds, and turns away one it refuses — with a 503 on plain HTTP so a client learns why.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../../config/api-schema.js';
import type { DaemonMetrics } from '../metrics.js';
import { ConnectionTable, sourceOf } from './connection-limits.js';
import type { Refusals } from './refusals.js';

export interface GuardOptions {
  caps: ConnectionLimits;
  /** On TLS nothing readable can be written before the handshake, so a refusal just closes. */
  tls: boolean;
  metrics: DaemonMetrics;
  refusals: Refusals;
}

/** The raw socket and the TLS socket of one connection share its remote address and port. */
const idOf = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${s.remoteAddress ?? '?'}|${s.remotePort ?? 0}`;

function refusalResponse(source: string, reason: 'source' | 'total', caps: ConnectionLimits): string {
  const error =
    reason === 'source'
      ? { code: 'retry', message: `too many open connections from ${source} (at most ${caps.maxPerSource})`, next: 'Close idle connections or retry in a few seconds; the daemon operator can raise api.connections.maxPerSource in daemon.yaml.' }
      : { code: 'retry', message: `the daemon is at its connection limit (${caps.max})`, next: 'Retry in a few seconds; the daemon operator can raise api.connections.max in daemon.yaml (and the ulimit -n it needs).' };
  const body = JSON.stringify({ error });
  return `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n${body}`;
}

export function guardConnections(server: Server, opts: GuardOptions): void {
  const table = new ConnectionTable<string>(opts.caps);
  const sockets = new Map<string, Socket>();
  const gauge = () => opts.metrics.httpConnections.set(table.size);

  // Prepended, so a refused socket is closed before the HTTP parser ever reads a request from it.
  server.prependListener('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    const id = idOf(socket);
    const source = sourceOf(socket.remoteAddress);
    const verdict = table.admit(id, source);
    if (!verdict.admit) {
      opts.metrics.httpConnectionsRefused.inc({ reason: verdict.reason });
      opts.refusals.connectionLimited({ remote: socket.remoteAddress, shed: false, reason: verdict.reason === 'source' ? `over api.connections.maxPerSource (${opts.caps.maxPerSource})` : `over api.connections.max (${opts.caps.max})`, open: table.size });
      if (opts.tls) socket.destroy();
      else socket.write(refusalResponse(source, verdict.reason, opts.caps), () => socket.destroy());
      return;
    }
    if (verdict.shed !== undefined) {
      const shed = sockets.get(verdict.shed);
      sockets.delete(verdict.shed);
      shed?.destroy();
      opts.metrics.httpConnectionsShed.inc();
      opts.refusals.connectionLimited({ remote: shed?.remoteAddress, shed: true, reason: 'no request in flight; the oldest idle connection makes room for a new one', open: table.size });
    }
    sockets.set(id, socket);
    gauge();
    socket.once('close', () => {
      if (sockets.get(id) !== socket) return; // shed earlier, and its id may already name a newer connection
      sockets.delete(id);
      table.remove(id);
      gauge();
    });
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const id = idOf(req.socket);
    table.busy(id);
    res.once('close', () => table.done(id));
  });
  server.on('upgrade', (req: IncomingMessage) => table.busy(idOf(req.socket)));
}
