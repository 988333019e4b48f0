import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type WebSocket from 'ws';
import { FleetLink } from '../../../tui/ws-client.js';
import { runQueuedCalls } from '../../../tui/call-runner.js';
import { createStore } from '../../../tui/state/store.js';
import type { Action } from '../../../tui/state/app.js';
import { parseServerFrame } from '../../../tui/frames.js';
import { DETAIL, apply } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { JOBS, jobById, jobsState } from './jobs-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type CallFrame = { id: number; op: 'call'; method: string; params: Record<string, unknown> };

/** The fake daemon plus the jobs topic and the job.submit / job.cancel calls of the daemon's contract. */
async function jobsDaemon(answer: (call: CallFrame) => unknown) {
  const calls: CallFrame[] = [];
  const d = await startDaemon({
    onSubscribe: (ws, topic) => {
      if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: [DETAIL.row] }));
      if (topic === 'jobs') ws.send(JSON.stringify({ topic: 'jobs', kind: 'snapshot', rev: 5, data: JOBS }));
    },
  });
  cleanups.push(() => d.stop());
  const wired = new Set<WebSocket>();
  const wire = () => {
    for (const ws of d.connections) {
      if (wired.has(ws)) continue;
      wired.add(ws);
      ws.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as CallFrame;
        if (frame.op !== 'call') return;
        calls.push(frame);
        const reply = answer(frame);
        if (reply !== undefined) ws.send(JSON.stringify({ id: frame.id, ...(reply as object) }));
      });
    }
  };
  return { d, calls, wire };
}

function link(server: string, dispatch: (a: Action) => void) {
  const client = new FleetLink({ server, token: TOKEN, dispatch, log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
  cleanups.push(() => client.close());
  client.start();
  return client;
}

describe('jobs frames', () => {
  it('accepts jobs snapshots and patches and rejects a record with an unknown state', () => {
    const snap = parseServerFrame(JSON.stringify({ topic: 'jobs', kind: 'snapshot', rev: 2, data: JOBS }));
    expect(snap).toMatchObject({ ok: true, frame: { kind: 'jobs-snapshot', rev: 2 } });
    const patch = parseServerFrame(JSON.stringify({ topic: 'jobs', kind: 'patch', rev: 3, changes: [jobById(1)] }));
    expect(patch).toMatchObject({ ok: true, frame: { kind: 'jobs-patch', rev: 3 } });
    const bad = parseServerFrame(JSON.stringify({ topic: 'jobs', kind: 'patch', rev: 3, changes: [{ ...jobById(1), state: 'exploded' }] }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^jobs patch changes\.0\.state/);
    const reply = parseServerFrame(JSON.stringify({ id: 4, result: { jobs: [] } }));
    expect(reply).toEqual({ ok: true, frame: { kind: 'reply', id: 4, result: { jobs: [] }, error: undefined } });
  });
});

describe('FleetLink jobs topic and calls', () => {
  it('subscribes the jobs topic while the view is open and applies snapshot and newer patches', async () => {
    const { d } = await jobsDaemon(() => undefined);
    const actions: Action[] = [];
    const client = link(d.url, (a) => actions.push(a));
    await waitFor('open', () => actions.some((a) => a.type === 'conn/open'));
    expect(d.frames.some((f) => f.topic === 'jobs')).toBe(false);
    client.follow(['jobs']);
    await waitFor('jobs snapshot', () => actions.find((a) => a.type === 'jobs/snapshot'));
    const ws = d.connections[0]!;
    ws.send(JSON.stringify({ topic: 'jobs', kind: 'patch', rev: 4, changes: [{ ...jobById(3), state: 'succeeded' }] }));
    ws.send(JSON.stringify({ topic: 'jobs', kind: 'patch', rev: 6, changes: [{ ...jobById(3), state: 'running' }] }));
    const patch = await waitFor('patch', () => actions.find((a) => a.type === 'jobs/patch'));
    expect(patch).toMatchObject({ rev: 6, changes: [{ state: 'running' }] });
    expect(actions.filter((a) => a.type === 'jobs/patch')).toHaveLength(1);
    client.follow([]);
    await waitFor('unsubscribe', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'jobs'));
  });

  it('round-trips a submit typed in the dialog: one call frame, the job id on the message line', async () => {
    const submitted = { ...jobById(2), id: '0000000a-0000-4000-8000-00000000000a', seq: 9, state: 'pending' as const, result: null };
    const { d, calls, wire } = await jobsDaemon((call) => (call.method === 'job.submit' ? { result: { jobs: [submitted] } } : undefined));
    const store = createStore(apply(jobsState('operator'), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }));
    const client = link(d.url, store.dispatch);
    const stop = runQueuedCalls(store, client);
    cleanups.push(async () => stop());
    await waitFor('connected', () => d.connections.length === 1 && store.getState().conn.status === 'open');
    wire();
    for (const action of [{ type: 'key', action: 'down' }, { type: 'key', action: 'down' }, { type: 'key', action: 'drain' }, { type: 'input/text', text: 'prod-us-1' }, { type: 'key', action: 'submit' }] as const) {
      store.dispatch(action);
    }
    const message = await waitFor('answer', () => (store.getState().message?.text.includes('submitted') ? store.getState().message : undefined));
    expect(message).toEqual({ text: 'drain us1-n3 on prod-us-1: job 0000000a submitted (seq 9) — J shows its progress', level: 'info' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ op: 'call', method: 'job.submit', params: { cluster: 'prod-us-1', type: 'drain', params: { node: 'us1-n3' }, yes: true } });
    expect(store.getState().calls).toEqual([]);
  });

  it("shows the daemon's refusal with its next step", async () => {
    const { d, wire } = await jobsDaemon(() => ({ error: { code: 'forbidden', message: 'viewer may not submit jobs', next: 'ask an admin for the operator role' } }));
    const actions: Action[] = [];
    const client = link(d.url, (a) => actions.push(a));
    await waitFor('open', () => actions.some((a) => a.type === 'conn/open') && d.connections.length === 1);
    wire();
    const outcome = await client.call('job.cancel', { id: jobById(3).id });
    expect(outcome).toEqual({ ok: false, error: { code: 'forbidden', message: 'viewer may not submit jobs', next: 'ask an admin for the operator role' } });
    expect(actions.filter((a) => a.type === 'message')).toEqual([]);
  });

  it('answers a call as unavailable when not connected or when the link drops before the reply', async () => {
    const { d, wire } = await jobsDaemon(() => undefined);
    const actions: Action[] = [];
    const client = link(d.url, (a) => actions.push(a));
    expect(await client.call('job.submit', {})).toMatchObject({ ok: false, error: { code: 'unavailable', message: 'not connected to the daemon' } });
    await waitFor('open', () => actions.some((a) => a.type === 'conn/open') && d.connections.length === 1);
    wire();
    const pending = client.call('job.submit', { cluster: 'prod-us-1', type: 'cordon', params: { node: 'n1' } });
    await waitFor('call received', () => d.frames.some((f) => f.op === 'call'));
    d.connections[0]!.terminate();
    expect(await pending).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'connection lost before the daemon answered', next: 'check the jobs view (J) before submitting again' },
    });
  });
});
