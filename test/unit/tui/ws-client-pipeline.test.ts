// The `pipeline` topic on the console's side: its snapshot frame validated (a malformed one rejected,
// an older daemon's without the edge figures read as the embedded chain), subscribed only while the
// view wants it, and its snapshots handed to the reducer.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseServerFrame } from '../../../tui/frames.js';
import type { Action } from '../../../tui/state/app.js';
import { FleetLink } from '../../../tui/ws-client.js';
import { ROWS } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { PIPELINE } from './pipeline-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const frame = (data: unknown, rev = 3) => JSON.stringify({ topic: 'pipeline', kind: 'snapshot', rev, data });

describe('pipeline frames', () => {
  it('accepts the snapshot the daemon sends', () => {
    expect(parseServerFrame(frame(PIPELINE))).toEqual({ ok: true, frame: { kind: 'pipeline-snapshot', topic: 'pipeline', rev: 3, snapshot: PIPELINE } });
  });

  it('rejects a malformed snapshot with where it is wrong', () => {
    const row = PIPELINE.rows[0]!;
    const cases: [unknown, RegExp][] = [
      [{ ...PIPELINE, rows: [{ ...row, health: 'unreachable' }] }, /^pipeline snapshot data\.rows\.0\.health/],
      [{ ...PIPELINE, rows: [{ ...row, deadLetters: -1 }] }, /^pipeline snapshot data\.rows\.0\.deadLetters/],
      [{ ...PIPELINE, rows: [{ ...row, transport: 'kafka' }] }, /^pipeline snapshot data\.rows\.0\.transport/],
      [{ ...PIPELINE, totals: undefined }, /^pipeline snapshot data\.totals/],
      ['garbage', /^pipeline snapshot data/],
    ];
    for (const [data, reason] of cases) {
      const r = parseServerFrame(frame(data));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(reason);
    }
    expect(parseServerFrame(JSON.stringify({ topic: 'pipeline', kind: 'patch', rev: 1 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^unknown frame/) });
  });

  it("reads an older daemon's rows without edge figures as the embedded chain's", () => {
    const old = { ...PIPELINE, rows: PIPELINE.rows.map(({ edge: _edge, ...r }) => r), totals: { ...PIPELINE.totals, outboxMessages: undefined, outboxBytes: undefined } };
    const r = parseServerFrame(frame(old));
    expect(r.ok && r.frame.kind === 'pipeline-snapshot' && r.frame.snapshot.rows.every((row) => row.edge === null)).toBe(true);
    expect(r.ok && r.frame.kind === 'pipeline-snapshot' && r.frame.snapshot.totals.outboxBytes).toBe(0);
  });
});

describe('FleetLink pipeline topic', () => {
  it('subscribes while the view is open, hands each snapshot on, and unsubscribes when it closes', async () => {
    const d = await startDaemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
        if (topic === 'pipeline') ws.send(frame(PIPELINE, 5));
      },
    });
    cleanups.push(() => d.stop());
    const actions: Action[] = [];
    const client = new FleetLink({ server: d.url, token: TOKEN, dispatch: (a) => actions.push(a), log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
    cleanups.push(() => client.close());
    client.start();
    await waitFor('fleet', () => actions.some((a) => a.type === 'fleet/snapshot'));
    expect(d.frames.some((f) => f.topic === 'pipeline')).toBe(false);
    client.follow(['pipeline']);
    const first = await waitFor('pipeline snapshot', () => actions.find((a) => a.type === 'pipeline/snapshot'));
    expect(first).toEqual({ type: 'pipeline/snapshot', rev: 5, snapshot: PIPELINE });
    const ws = d.connections[0]!;
    ws.send(frame('garbage', 6));
    ws.send(frame({ ...PIPELINE, at: '2025-06-01T12:00:02.000Z' }, 6));
    await waitFor('second snapshot', () => actions.filter((a) => a.type === 'pipeline/snapshot').length === 2);
    expect(actions.filter((a) => a.type === 'pipeline/snapshot').at(-1)).toMatchObject({ rev: 6, snapshot: { at: '2025-06-01T12:00:02.000Z' } });
    client.follow([]);
    await waitFor('unsubscribe', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'pipeline'));
  });
});
