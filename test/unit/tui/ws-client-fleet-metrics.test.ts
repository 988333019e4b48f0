// The `metrics` topic (every cluster's points, live only) on the console's side, for the fleet
// table's sparkline column: frames validated, the snapshot (no data) handed on as the start of the
// points, points before it dropped, and the topic unsubscribed when the column leaves the screen.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseServerFrame } from '../../../tui/frames.js';
import type { Action } from '../../../tui/state/app.js';
import { FleetLink } from '../../../tui/ws-client.js';
import { ROWS } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { livePoint } from './metrics-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const snapshot = (rev: number, data: unknown = null) => JSON.stringify({ topic: 'metrics', kind: 'snapshot', rev, data });
const points = (rev: number, data: unknown) => JSON.stringify({ topic: 'metrics', kind: 'points', rev, data });

describe('fleet metrics frames', () => {
  it('accepts the data-less snapshot and every cluster\'s points', () => {
    expect(parseServerFrame(snapshot(3))).toEqual({ ok: true, frame: { kind: 'fleet-metrics-snapshot', topic: 'metrics', rev: 3 } });
    const live = [livePoint('a', 1), livePoint('b', 2, { cpu_used_ratio: null })];
    expect(parseServerFrame(points(4, live))).toEqual({ ok: true, frame: { kind: 'fleet-metrics-points', topic: 'metrics', rev: 4, points: live } });
  });

  it('rejects a snapshot with data and malformed points, saying where', () => {
    const cases: [string, RegExp][] = [
      [snapshot(3, { cluster: 'a' }), /^fleet metrics snapshot data/],
      [points(4, [{ cluster: '', t: 1, values: {} }]), /^fleet metrics points data\.0\.cluster/],
      [points(4, [{ cluster: 'a', t: 1, values: { cpu_used_ratio: 'x' } }]), /^fleet metrics points data\.0\.values\.cpu_used_ratio/],
    ];
    for (const [text, reason] of cases) {
      const r = parseServerFrame(text);
      expect(r.ok, text).toBe(false);
      expect(!r.ok && r.reason).toMatch(reason);
    }
  });
});

describe('FleetLink metrics topic of the whole fleet', () => {
  it('subscribes while followed, hands the snapshot and later points on, and unsubscribes when dropped', async () => {
    const d = await startDaemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
        if (topic === 'metrics') {
          ws.send(points(1, [livePoint('a', 1)]));
          ws.send(snapshot(2));
        }
      },
    });
    cleanups.push(() => d.stop());
    const actions: Action[] = [];
    const client = new FleetLink({ server: d.url, token: TOKEN, dispatch: (a) => actions.push(a), log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
    cleanups.push(() => client.close());
    client.start();
    await waitFor('fleet', () => actions.some((a) => a.type === 'fleet/snapshot'));
    client.follow(['metrics']);
    expect(await waitFor('snapshot', () => actions.find((a) => a.type === 'metrics/fleetSnapshot'))).toEqual({ type: 'metrics/fleetSnapshot', rev: 2 });
    const ws = d.connections[0]!;
    ws.send(points(3, [livePoint('a', 2000), livePoint('b', 2000)]));
    expect(await waitFor('points', () => actions.find((a) => a.type === 'metrics/fleetPoints'))).toEqual({ type: 'metrics/fleetPoints', rev: 3, points: [livePoint('a', 2000), livePoint('b', 2000)] });
    expect(actions.filter((a) => a.type === 'metrics/fleetPoints')).toHaveLength(1);
    client.follow([]);
    await waitFor('unsubscribe', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'metrics'));
  });
});
