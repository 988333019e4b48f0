// A TCP proxy the test controls, put between a client and a broker to play the network:
// - cut(): a partition. Nothing passes either way: bytes already sent are held (up to a bound per
//   direction, then that side is no longer read and its sender is left to its own TCP buffers), a
//   close is held too, and a new connection is accepted but not connected onward. Neither side
//   learns of the cut; each finds out as on a real network, by its own heartbeat or timeout.
// - restore(): the network is back. Held bytes and closes are delivered in order and held
//   connections are connected onward, like TCP after a healed partition.
// - reset(): every current connection is torn down with an RST on both sides (a middlebox that
//   dropped its state); new ones pass as before unless the proxy is cut.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Bytes held per direction during a cut before the proxy stops reading that side. */
const HOLD_LIMIT = 1024 * 1024;

export interface TcpProxy {
  host: string;
  port: number;
  isCut(): boolean;
  cut(): void;
  restore(): void;
  reset(): void;
  /** Connections open now, accepted since start, and bytes held by a cut. */
  stats(): { open: number; accepted: number; heldBytes: number };
  close(): Promise<void>;
}

/** One direction of one connection: reads `from`, writes `to`. */
class Side {
  private held: Buffer[] = [];
  heldBytes = 0;
  /** What the reading side did that is still to be passed on: a FIN or an RST. */
  private pending: 'end' | 'reset' | undefined;
  private done = false;
  to: Socket | undefined;

  constructor(
    private readonly from: Socket,
    private readonly blocked: () => boolean,
  ) {
    from.on('data', (chunk: Buffer) => {
      if (!this.open()) {
        this.held.push(chunk);
        this.heldBytes += chunk.length;
        if (this.heldBytes >= HOLD_LIMIT) from.pause();
        return;
      }
      this.write(chunk);
    });
    from.on('end', () => {
      this.pending ??= 'end';
      this.flush();
    });
    from.on('close', (hadError: boolean) => {
      this.pending = hadError ? 'reset' : (this.pending ?? 'end');
      this.flush();
    });
  }

  /** Whether bytes may pass now: not cut, and the far side connected. */
  private open(): boolean {
    return !this.blocked() && this.to !== undefined && !this.to.connecting;
  }

  private write(chunk: Buffer): void {
    const to = this.to;
    if (!to || to.destroyed) return;
    if (!to.write(chunk)) {
      this.from.pause();
      to.once('drain', () => {
        if (this.open()) this.from.resume();
      });
    }
  }

  /** Passes on what was held, once bytes may pass. */
  flush(): void {
    if (!this.open() || this.done) return;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const chunk of held) this.write(chunk);
    const to = this.to as Socket;
    if (this.pending) {
      this.done = true;
      if (to.destroyed) return;
      if (this.pending === 'end') to.end();
      else to.resetAndDestroy();
      return;
    }
    if (this.from.isPaused() && to.writableLength === 0) this.from.resume();
  }
}

class Connection {
  readonly up: Side;
  down: Side | undefined;
  upstream: Socket | undefined;

  constructor(
    readonly client: Socket,
    private readonly target: { host: string; port: number },
    private readonly blocked: () => boolean,
  ) {
    client.on('error', () => undefined);
    this.up = new Side(client, blocked);
    if (!blocked()) this.dial();
  }

  private dial(): void {
    if (this.upstream || this.client.destroyed) return;
    const upstream = connect({ ...this.target, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    this.upstream = upstream;
    this.down = new Side(upstream, this.blocked);
    this.down.to = this.client;
    this.up.to = upstream;
    upstream.on('connect', () => this.up.flush());
  }

  closed(): boolean {
    return this.client.destroyed && (this.upstream === undefined || this.upstream.destroyed);
  }

  restore(): void {
    this.dial();
    this.up.flush();
    this.down?.flush();
  }

  reset(): void {
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  }

  heldBytes(): number {
    return this.up.heldBytes + (this.down?.heldBytes ?? 0);
  }
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const upstream = { host: target.host ?? '127.0.0.1', port: target.port };
  let cut = false;
  let accepted = 0;
  const conns = new Set<Connection>();
  const blocked = () => cut;
  const live = () => {
    for (const c of conns) if (c.closed()) conns.delete(c);
    return conns;
  };
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    accepted += 1;
    conns.add(new Connection(client, upstream, blocked));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    isCut: () => cut,
    cut() {
      cut = true;
    },
    restore() {
      cut = false;
      for (const c of live()) c.restore();
    },
    reset() {
      for (const c of live()) c.reset();
    },
    stats() {
      let heldBytes = 0;
      let open = 0;
      for (const c of live()) {
        heldBytes += c.heldBytes();
        if (!c.client.destroyed) open += 1;
      }
      return { open, accepted, heldBytes };
    },
    async close() {
      for (const c of conns) c.reset();
      conns.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
