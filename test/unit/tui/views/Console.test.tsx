// The live console: keypresses go through the keymap into the store, and the frame follows.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../tui/keymap.js';
import { createStore } from '../../../../tui/state/store.js';
import { Console } from '../../../../tui/views/Console.js';
import { apply, connectedState, DETAIL, renderAt, settle, track, unmountAll } from '../helpers.js';
import { jobById, jobsState } from '../jobs-helpers.js';
import { metricsState } from '../metrics-helpers.js';

afterEach(unmountAll);
const key = (action: KeyAction) => ({ type: 'key' as const, action });

describe('console', () => {
  it('drives the store from keypresses through the keymap', async () => {
    const store = createStore(connectedState());
    const r = renderAt(<Console store={store} color={false} />, 80, 24);
    track(r);
    await settle();
    r.stdin.write('j');
    await settle();
    expect(store.getState().view.fleet.cursor).toBe(1);
    r.stdin.write('\r');
    await settle();
    expect(r.lastFrame()).toContain('Nodes');
    expect(r.lastFrame()).toContain('Workloads');
    r.stdin.write('\x1b');
    await settle();
    r.stdin.write('/');
    await settle();
    r.stdin.write('dev');
    await settle();
    expect(store.getState().view.fleet.filter).toBe('dev');
    expect(r.lastFrame()).toMatch(/^\/dev/m);
  });

  it('draws the charts in the style it was started with, and moves their cursor with h and the arrows', async () => {
    const store = createStore(metricsState());
    const r = renderAt(<Console store={store} color={false} charts={{ mode: 'ascii', forced: true }} />, 80, 24);
    track(r);
    await settle();
    expect(r.lastFrame()).toMatch(/^ 100%\+/m);
    expect(r.lastFrame()).not.toMatch(/[\u2800-\u28ff]/);
    r.stdin.write('h');
    await settle();
    r.stdin.write('\x1b[D');
    await settle();
    expect(store.getState().view.metrics.cursor).toBe(31);
    r.stdin.write('\x1b[C');
    await settle();
    expect(store.getState().view.metrics.cursor).toBe(32);
    expect(r.lastFrame()).toMatch(/· cursor \d\d:\d\d:\d\d UTC$/m);
  });

  it('does nothing on action keys for a viewer', async () => {
    const store = createStore(apply(jobsState('viewer'), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }));
    const r = renderAt(<Console store={store} color={false} />, 80, 24);
    track(r);
    await settle();
    const before = store.getState();
    for (const k of ['d', 'c', 'u', 's', 'r', 'b']) r.stdin.write(k);
    await settle();
    expect(store.getState()).toBe(before);
    expect(r.lastFrame()).not.toContain('Destructive');
  });

  it('opens the dialog with d, takes the typed cluster name and queues the call', async () => {
    const store = createStore(apply(jobsState('operator'), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }));
    const r = renderAt(<Console store={store} color={false} />, 80, 24);
    track(r);
    await settle();
    r.stdin.write('d');
    await settle();
    expect(r.lastFrame()).toContain('Drain us1-n1 on prod-us-1');
    r.stdin.write('prod-us-1');
    await settle();
    r.stdin.write('\r');
    await settle();
    expect(store.getState().calls).toMatchObject([{ method: 'job.submit', params: { type: 'drain', params: { node: 'us1-n1' } } }]);
    expect(r.lastFrame()).toContain('drain us1-n1 on prod-us-1: submitting…');
    expect(jobById(1).state).toBe('succeeded');
  });
});
