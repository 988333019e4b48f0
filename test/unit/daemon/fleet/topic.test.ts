/* eslint-disable @typescript-eslint/no-unsafe-return -- frames are checked by assertions, not by types */
import { describe, expect, it } from 'vitest';
import type { FleetChange } from '../../../../core/fleet.js';
import { FleetState } from '../../../../daemon/fleet/state.js';
import { fleetTopic } from '../../../../daemon/fleet/topic.js';
import type { ClusterRecord } from '../../../../daemon/registry/cluster-record.js';
import { fakeSession, openNow, setSlow } from '../api/fake-session.js';
import { FLEET_ADMIN, scoped } from '../../../harness/identities.js';

function record(name: string): ClusterRecord {
  return { name, labels: {}, createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null, intervalSeconds: 10, registration: 'pending', tokenHash: 'x', tokenBurned: false, agentKeyid: null, agentPublicKey: null, registeredAt: null, health: 'unknown' };
}

function setup() {
  const state = new FleetState(3);
  const topic = fleetTopic(state);
  const { sock, session } = fakeSession();
  const put = (...names: string[]) => {
    for (const n of names) state.put({ record: record(n), latest: null, health: 'unknown' });
    state.changed(names);
  };
  const remove = (name: string) => {
    state.delete(name);
    state.changed([], [name]);
  };
  const subscribe = () => {
    const request = topic.match('fleet', undefined, undefined, FLEET_ADMIN)!;
    const { rev, snapshot } = openNow(request, session);
    session.sendText(JSON.stringify(snapshot));
    return rev;
  };
  return { state, topic, sock, session, put, remove, subscribe };
}

const named = (changes: FleetChange[]) => changes.map((c) => (c.op === 'remove' ? `-${c.name}` : c.row.name)).sort();

describe('fleet topic', () => {
  it('serves only "fleet", for anyone who may read clusters', () => {
    const { topic } = setup();
    expect(topic.match('fleetx', undefined, undefined, FLEET_ADMIN)).toBeUndefined();
    expect(topic.match('fleet', undefined, undefined, FLEET_ADMIN)).toMatchObject({ action: 'cluster.read', target: {} });
  });

  it('sends a snapshot of every row sorted by name, then each patch chained on the previous rev', () => {
    const { sock, put, remove, subscribe } = setup();
    put('b', 'a');
    expect(subscribe()).toBe(1);
    put('c');
    remove('a');
    expect(sock.sent[0]).toMatchObject({ topic: 'fleet', kind: 'snapshot', rev: 1 });
    expect(sock.sent[0].data.map((r: { name: string }) => r.name)).toEqual(['a', 'b']);
    expect(sock.sent.slice(1).map((f) => [f.kind, f.fromRev, f.rev, named(f.changes)])).toEqual([
      ['patch', 1, 2, ['c']],
      ['patch', 2, 3, ['-a']],
    ]);
  });

  it('coalesces per cluster while the client is slow and sends one patch from its last rev when drained', () => {
    const { sock, topic, session, put, remove, subscribe } = setup();
    put('gone');
    subscribe();
    setSlow(sock, true);
    put('a');
    put('a', 'b');
    remove('gone');
    expect(sock.sent).toHaveLength(1);
    setSlow(sock, false);
    topic.flush(session);
    const last = sock.sent.at(-1);
    expect(last).toMatchObject({ kind: 'patch', fromRev: 1, rev: 4 });
    expect(named(last.changes)).toEqual(['-gone', 'a', 'b']);
    put('c');
    expect(sock.sent.at(-1)).toMatchObject({ fromRev: 4, rev: 5 });
  });
});

describe('fleet topic, scoped views', () => {
  const payments = scoped('pay', { role: 'viewer', scope: 'team=payments' });

  function scopedSetup() {
    const state = new FleetState(3);
    const topic = fleetTopic(state);
    const label = (name: string, team: string) => {
      state.put({ record: { ...record(name), labels: { team } }, latest: null, health: 'unknown' });
      state.changed([name]);
    };
    const open = () => {
      const { sock, session } = fakeSession();
      const { snapshot } = openNow(topic.match('fleet', undefined, undefined, payments)!, session);
      session.sendText(JSON.stringify(snapshot));
      return { sock, session };
    };
    return { topic, label, open };
  }

  it('forgets what a view was shown when its last subscription ends: a later one never hears of a cluster it was not shown', () => {
    const { topic, label, open } = scopedSetup();
    label('p1', 'payments');
    label('c1', 'checkout');
    const first = open();
    expect(first.sock.sent[0].data.map((r: { name: string }) => r.name)).toEqual(['p1']);
    // p1 leaves the scope while the first subscriber watches: it hears the remove.
    label('p1', 'checkout');
    expect(named(first.sock.sent[1].changes)).toEqual(['-p1']);
    topic.forget(first.session);

    label('p1', 'payments');
    const second = open();
    expect(second.sock.sent[0].data.map((r: { name: string }) => r.name)).toEqual(['p1']);
    topic.forget(second.session);
    // Out again with nobody of the view subscribed, then a newcomer: its snapshot lacks p1, and a later change of p1 is not sent to it.
    label('p1', 'checkout');
    const third = open();
    expect(third.sock.sent[0].data).toEqual([]);
    label('p1', 'legacy');
    expect(third.sock.sent).toHaveLength(1);
  });

  it('keeps the view while another subscription of it is open, also across a second subscribe of the same session', () => {
    const { topic, label, open } = scopedSetup();
    label('p1', 'payments');
    const a = open();
    const b = open();
    topic.forget(a.session);
    label('p1', 'checkout');
    expect(named(b.sock.sent.at(-1).changes)).toEqual(['-p1']);
    label('p1', 'payments');
    const again = openNow(topic.match('fleet', undefined, undefined, payments)!, b.session);
    b.session.sendText(JSON.stringify(again.snapshot));
    label('p1', 'checkout');
    expect(named(b.sock.sent.at(-1).changes)).toEqual(['-p1']);
  });
});
