// One WebSocket client: its subscriptions, its place in the fleet revision stream, and the backlog
// kept when it reads slower than we write (coalesced per cluster, latest wins, never unbounded).
import type { WebSocket } from 'ws';
import type { Identity } from '../../core/api.js';
import type { ErrorBody } from '../../core/errors.js';
import type { ClusterDetail, FleetChange } from '../../core/fleet.js';
import { WS_LIMITS, type ClusterSnapshotFrame, type FleetPatchFrame, type ReplyFrame, type ServerFrame } from '../../core/protocol.js';

export interface SessionSource {
  rev(): number;
  /** Current changes for these clusters: upsert with a fresh row, or remove if gone. */
  changesFor(names: Iterable<string>): FleetChange[];
  detail(name: string): ClusterDetail | null;
}

export class WsSession {
  fleet = false;
  /** The fleet rev this client holds (its last snapshot or patch). */
  lastRev = 0;
  readonly clusters = new Set<string>();
  badFrames = 0;
  alive = true;
  private readonly pendingFleet = new Set<string>();
  private readonly pendingClusters = new Set<string>();

  constructor(
    readonly ws: WebSocket,
    readonly identity: Identity,
    private readonly source: SessionSource,
    private readonly slowBytes = WS_LIMITS.slowClientBytes,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get slow(): boolean {
    return this.ws.bufferedAmount > this.slowBytes;
  }

  get backlogged(): boolean {
    return this.pendingFleet.size > 0 || this.pendingClusters.size > 0;
  }

  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  sendText(text: string): void {
    if (this.open) this.ws.send(text);
  }

  reply(id: number, result: unknown): void {
    this.send({ id, result } satisfies ReplyFrame);
  }

  replyError(id: number, error: ErrorBody): void {
    this.send({ id, error } satisfies ReplyFrame);
  }

  sendFleetSnapshot(rev: number, data: unknown[]): void {
    this.fleet = true;
    this.pendingFleet.clear();
    this.lastRev = rev;
    this.sendText(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev, data }));
  }

  sendClusterSnapshot(name: string): void {
    this.pendingClusters.delete(name);
    const frame: ClusterSnapshotFrame = { topic: `cluster:${name}`, kind: 'snapshot', rev: this.source.rev(), data: this.source.detail(name) };
    this.send(frame);
  }

  /**
   * A fleet change. sharedPatch builds (once per event, for every in-step client) the patch text
   * for a client holding rev - 1.
   */
  onFleetChange(rev: number, names: string[], sharedPatch: () => string, clusterText: (name: string) => string): void {
    if (this.fleet) {
      if (this.slow || this.pendingFleet.size > 0) {
        for (const n of names) this.pendingFleet.add(n);
      } else if (this.lastRev === rev - 1) {
        this.sendText(sharedPatch());
        this.lastRev = rev;
      } else {
        for (const n of names) this.pendingFleet.add(n);
      }
    }
    for (const n of names) {
      if (!this.clusters.has(n)) continue;
      if (this.slow) this.pendingClusters.add(n);
      else this.sendText(clusterText(n));
    }
    this.flushIfDrained();
  }

  /** Sends the coalesced backlog as one patch once the socket has drained below the threshold. */
  flushIfDrained(): void {
    if (!this.backlogged || this.slow || !this.open) return;
    if (this.pendingFleet.size > 0 && this.fleet) {
      const rev = this.source.rev();
      const frame: FleetPatchFrame = { topic: 'fleet', kind: 'patch', rev, fromRev: this.lastRev, changes: this.source.changesFor(this.pendingFleet) };
      this.pendingFleet.clear();
      this.lastRev = rev;
      this.send(frame);
    }
    for (const n of [...this.pendingClusters]) if (this.clusters.has(n)) this.sendClusterSnapshot(n);
    this.pendingClusters.clear();
  }
}
