/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { FleetChange } from '../../../../core/fleet.js';
import { WsSession, type SessionSource } from '../../../../daemon/api/ws-session.js';

class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: any[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
}

function setup() {
  let rev = 0;
  const source: SessionSource = {
    rev: () => rev,
    changesFor: (names) => [...names].map((n): FleetChange => (n === 'gone' ? { op: 'remove', name: n } : { op: 'upsert', row: { name: n, health: 'healthy' } as never })),
    detail: () => null,
  };
  const sock = new FakeSocket();
  const session = new WsSession(sock as unknown as WebSocket, { provider: 'token', subject: 't', name: 'n', role: 'viewer' }, source, 1000);
  const emit = (names: string[]) => {
    rev += 1;
    const patch = () => JSON.stringify({ topic: 'fleet', kind: 'patch', rev, fromRev: rev - 1, changes: source.changesFor(names) });
    session.onFleetChange(rev, names, patch, (n) => JSON.stringify({ topic: `cluster:${n}`, kind: 'snapshot', rev, data: null }));
  };
  return { sock, session, emit };
}

describe('WsSession', () => {
  it('sends each patch in order to a client that keeps up', () => {
    const { sock, session, emit } = setup();
    session.sendFleetSnapshot(0, []);
    emit(['a']);
    emit(['b']);
    expect(sock.sent.map((f) => [f.kind, f.fromRev, f.rev])).toEqual([['snapshot', undefined, 0], ['patch', 0, 1], ['patch', 1, 2]]);
  });

  it('coalesces per cluster while the client is slow and sends one patch from its last rev when drained', () => {
    const { sock, session, emit } = setup();
    session.sendFleetSnapshot(0, []);
    sock.bufferedAmount = 5000;
    emit(['a']);
    emit(['a', 'b']);
    emit(['gone', 'a']);
    expect(sock.sent).toHaveLength(1);
    sock.bufferedAmount = 0;
    session.flushIfDrained();
    const last = sock.sent.at(-1);
    expect(last).toMatchObject({ kind: 'patch', fromRev: 0, rev: 3 });
    expect(last.changes.map((c: FleetChange) => (c.op === 'remove' ? `-${c.name}` : c.row.name)).sort()).toEqual(['-gone', 'a', 'b']);
    emit(['c']);
    expect(sock.sent.at(-1)).toMatchObject({ fromRev: 3, rev: 4 });
  });

  it('holds back cluster snapshots while slow and sends the latest once drained', () => {
    const { sock, session, emit } = setup();
    session.clusters.add('a');
    sock.bufferedAmount = 5000;
    emit(['a']);
    emit(['a']);
    expect(sock.sent).toHaveLength(0);
    sock.bufferedAmount = 0;
    session.flushIfDrained();
    expect(sock.sent).toEqual([{ topic: 'cluster:a', kind: 'snapshot', rev: 2, data: null }]);
  });
});
