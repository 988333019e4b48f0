// Which connections the daemon holds: at most `max` in all and `maxPerSource` from one client
// address. Pure: the caller feeds it connection events and the clock, and closes what it says to.
//
// A connection is *idle* while no request is in flight on it: from accept until its first request
// head has arrived (a half-sent request is idle), and again between keep-alive requests. Idle
// connections are what a flood is made of and cost the client nothing, so when a cap is reached the
// oldest idle connection (of that source, or of anyone for the total) is shed to admit the new one.
// Only when every connection under the cap is busy — a request in flight, or a WebSocket — is the new
// connection refused. So half-sent requests can never lock a real client out (its request head
// arrives with its first packet), and no source holds more than its share of file descriptors.

export interface ConnectionCaps {
  max: number;
  maxPerSource: number;
}

export type Admission<Id> = { admit: true; shed?: Id } | { admit: false; reason: 'source' | 'total' };

interface Entry {
  source: string;
  inFlight: number;
}

interface Source {
  all: Set<unknown>;
  /** Insertion order is the order they became idle: the first key is the oldest. */
  idle: Map<unknown, true>;
}

/**
 * The unit a cap applies to: an IPv4 address, or an IPv6 /64 (one host's worth of addresses — a
 * single machine can use any of them). IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function sourceOf(address: string | undefined): string {
  if (!address) return '(unknown)';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0] as string; // zone index (fe80::1%eth0)
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = bare.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

export class ConnectionTable<Id> {
  private readonly entries = new Map<Id, Entry>();
  private readonly sources = new Map<string, Source>();
  private readonly idle = new Map<Id, true>();

  constructor(private readonly caps: ConnectionCaps) {}

  get size(): number {
    return this.entries.size;
  }

  countFrom(source: string): number {
    return this.sources.get(source)?.all.size ?? 0;
  }

  /** A new connection from source: admitted (possibly shedding an idle one, already forgotten here), or refused. */
  admit(id: Id, source: string): Admission<Id> {
    let shed: Id | undefined;
    const mine = this.sources.get(source);
    if (mine && mine.all.size >= this.caps.maxPerSource) {
      shed = mine.idle.keys().next().value as Id | undefined;
      if (shed === undefined) return { admit: false, reason: 'source' };
      this.remove(shed);
    }
    if (this.entries.size >= this.caps.max) {
      shed = this.idle.keys().next().value;
      if (shed === undefined) return { admit: false, reason: 'total' };
      this.remove(shed);
    }
    this.entries.set(id, { source, inFlight: 0 });
    const s = this.sources.get(source) ?? { all: new Set(), idle: new Map() };
    this.sources.set(source, s);
    s.all.add(id);
    s.idle.set(id, true);
    this.idle.set(id, true);
    return shed === undefined ? { admit: true } : { admit: true, shed };
  }

  /** A request started on the connection (or it became a WebSocket). */
  busy(id: Id): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.inFlight += 1;
    this.idle.delete(id);
    this.sources.get(e.source)?.idle.delete(id);
  }

  /** A request on the connection finished; with none left in flight it is idle again, as the newest. */
  done(id: Id): void {
    const e = this.entries.get(id);
    if (!e || e.inFlight === 0) return;
    e.inFlight -= 1;
    if (e.inFlight > 0) return;
    this.idle.set(id, true);
    this.sources.get(e.source)?.idle.set(id, true);
  }

  /** The connection closed. */
  remove(id: Id): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.idle.delete(id);
    const s = this.sources.get(e.source);
    if (!s) return;
    s.all.delete(id);
    s.idle.delete(id);
    if (s.all.size === 0) this.sources.delete(e.source);
  }
}

/**
 * node:http options for the request timeouts. Node enforces headersTimeout and requestTimeout only
 * when it sweeps its connections, every connectionsCheckingInterval (30 s by default), so the sweep
 * runs often enough for a half-sent request to be closed close to its deadline.
 */
export function serverTimeouts(t: { headersTimeoutMs: number; requestTimeoutMs: number }): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  return { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.floor(t.headersTimeoutMs / 4)) };
}
