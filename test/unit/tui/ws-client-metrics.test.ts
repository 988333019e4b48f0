// The `metrics:<cluster>` topic and the metrics.range answer on the console's side: frames validated
// (a malformed one rejected with where), the topic subscribed only while the view wants it, its
// snapshot and points handed to the reducer (points before a snapshot dropped), and the call sent
// and answered through the link.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MetricsRangeSchema, parseServerFrame } from '../../../tui/frames.js';
import type { Action } from '../../../tui/state/app.js';
import { FleetLink } from '../../../tui/ws-client.js';
import { ROWS } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { livePoint, metricsRange } from './metrics-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RANGE = metricsRange('prod-eu-1');
const snapshot = (data: unknown, rev = 3, topic = 'metrics:prod-eu-1') => JSON.stringify({ topic, kind: 'snapshot', rev, data });
const points = (data: unknown, rev = 4, topic = 'metrics:prod-eu-1') => JSON.stringify({ topic, kind: 'points', rev, data });

describe('metrics frames', () => {
  it('accepts the snapshot and the points the daemon sends', () => {
    expect(parseServerFrame(snapshot(RANGE))).toEqual({ ok: true, frame: { kind: 'metrics-snapshot', topic: 'metrics:prod-eu-1', cluster: 'prod-eu-1', rev: 3, data: RANGE } });
    expect(parseServerFrame(snapshot(null))).toMatchObject({ ok: true, frame: { kind: 'metrics-snapshot', data: null } });
    const live = [livePoint('prod-eu-1', 1000, { cpu_used_ratio: 0.5, pods_pending: null })];
    expect(parseServerFrame(points(live))).toEqual({ ok: true, frame: { kind: 'metrics-points', topic: 'metrics:prod-eu-1', cluster: 'prod-eu-1', rev: 4, points: live } });
    expect(MetricsRangeSchema.safeParse(RANGE).success).toBe(true);
  });

  it('rejects a malformed snapshot or points frame with where it is wrong', () => {
    const series = RANGE.series[0]!;
    const cases: [string, RegExp][] = [
      [snapshot({ ...RANGE, series: [{ ...series, points: [[1, 'x', null]] }] }), /^metrics snapshot data\.series\.0\.points\.0\.1/],
      [snapshot({ ...RANGE, series: [{ ...series, points: [[1, 2]] }] }), /^metrics snapshot data\.series\.0\.points\.0/],
      [snapshot({ ...RANGE, source: 'graphite' }), /^metrics snapshot data\.source/],
      [snapshot({ ...RANGE, stepSeconds: 0 }), /^metrics snapshot data\.stepSeconds/],
      [snapshot('garbage'), /^metrics snapshot data/],
      [points([{ cluster: 'prod-eu-1', t: 1, values: { cpu_used_ratio: 'high' } }]), /^metrics points data\.0\.values\.cpu_used_ratio/],
      [points({}), /^metrics points data/],
    ];
    for (const [text, reason] of cases) {
      const r = parseServerFrame(text);
      expect(r.ok, text.slice(0, 80)).toBe(false);
      expect(!r.ok && r.reason).toMatch(reason);
    }
  });
});

describe('FleetLink metrics topic', () => {
  it('subscribes while followed, hands the snapshot and later points on, and unsubscribes when dropped', async () => {
    const d = await startDaemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
        if (topic === 'metrics:prod-eu-1') {
          // points the daemon might have queued before the snapshot belong to no range held
          ws.send(points([livePoint('prod-eu-1', 1)], 2));
          ws.send(snapshot(RANGE, 3));
        }
      },
    });
    cleanups.push(() => d.stop());
    const actions: Action[] = [];
    const client = new FleetLink({ server: d.url, token: TOKEN, dispatch: (a) => actions.push(a), log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
    cleanups.push(() => client.close());
    client.start();
    await waitFor('fleet', () => actions.some((a) => a.type === 'fleet/snapshot'));
    client.follow(['metrics:prod-eu-1']);
    const first = await waitFor('metrics snapshot', () => actions.find((a) => a.type === 'metrics/snapshot'));
    expect(first).toEqual({ type: 'metrics/snapshot', cluster: 'prod-eu-1', rev: 3, data: RANGE });
    const ws = d.connections[0]!;
    ws.send(points('garbage', 4));
    ws.send(points([livePoint('prod-eu-1', 2000)], 5));
    const live = await waitFor('points', () => actions.find((a) => a.type === 'metrics/points'));
    expect(live).toEqual({ type: 'metrics/points', cluster: 'prod-eu-1', rev: 5, points: [livePoint('prod-eu-1', 2000)] });
    expect(actions.filter((a) => a.type === 'metrics/points')).toHaveLength(1);
    client.follow([]);
    await waitFor('unsubscribe', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'metrics:prod-eu-1'));
  });

  it('sends metrics.range as a call and resolves with the answer', async () => {
    const d = await startDaemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
      },
    });
    cleanups.push(() => d.stop());
    const actions: Action[] = [];
    const client = new FleetLink({ server: d.url, token: TOKEN, dispatch: (a) => actions.push(a), log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
    cleanups.push(() => client.close());
    client.start();
    await waitFor('fleet', () => actions.some((a) => a.type === 'fleet/snapshot'));
    const ws = d.connections[0]!;
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { id: number; op: string; method?: string; params?: { cluster: string } };
      if (frame.op === 'call' && frame.method === 'metrics.range') ws.send(JSON.stringify({ id: frame.id, result: metricsRange(frame.params!.cluster) }));
    });
    const outcome = await client.call('metrics.range', { cluster: 'prod-eu-1', since: '6h' });
    expect(outcome).toEqual({ ok: true, result: RANGE });
    expect(d.frames.find((f) => f.op === 'call')).toMatchObject({ op: 'call', method: 'metrics.range', params: { cluster: 'prod-eu-1', since: '6h' } });
  });
});
