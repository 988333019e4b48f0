import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../tui/keymap.js';
import { createStore } from '../../../../tui/state/store.js';
import { Console } from '../../../../tui/views/Console.js';
import { apply, DETAIL, renderAt, settle, showApp, track, unmountAll } from '../helpers.js';
import { jobById, jobsState } from '../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const lines = (frame: string) => frame.split('\n');
const SIZES = [
  [80, 24],
  [160, 40],
] as const;

function fits(frame: string, columns: number, rows: number): void {
  expect(lines(frame).length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(columns);
}

describe.each(SIZES)('jobs view at %i×%i', (columns, rows) => {
  it('lists jobs newest first with state, fleet progress and the cancel hint', () => {
    const frame = show(apply(jobsState('operator', columns, rows), key('jobs')));
    fits(frame, columns, rows);
    expect(frame).toMatch(/^Jobs \(8, newest first\) {2}c cancel$/m);
    expect(frame).toContain('fleet f1ee7000 cordon  3 clusters: 1 dispatched · 1 running · 1 succeeded');
    expect(frame).toMatch(/^ {4}AGE CLUSTER +TYPE +STATE +ID +DETAIL$/m);
    const rowsShown = lines(frame).filter((l) => /^(> | {2}) *\d+[smhd] /.test(l));
    expect(rowsShown[0]).toMatch(/^> +20s prod-eu-1 +rotate-credentials pending +00000003 signed, waiting/);
    expect(frame).toMatch(/5m prod-us-1 +drain +failed +00000002 pod payments\/led/);
    expect(frame).toMatch(/30m dev-1 +backup +rejected +00000007 replayed: seq/);
  });

  it("shows a job's detail with sealed secrets, result and timing", () => {
    const state = apply(jobsState('operator', columns, rows), key('jobs'), key('down'), key('down'), key('down'), key('down'), key('openJob'));
    const frame = show(state);
    fits(frame, columns, rows);
    expect(frame).toMatch(/^drain on prod-us-1 {2}failed/m);
    expect(frame).toMatch(/type +drain {2}\(destructive\)/);
    expect(frame).toMatch(/ {2}node +us1-n3/);
    expect(frame).toMatch(/finished +2025-06-01T11:59:59.000Z {2}\(took 4m\)/);
    const sealed = show(apply(jobsState('operator', columns, rows), key('jobs'), key('openJob')));
    expect(sealed).toMatch(/ {2}sealed +<sealed>/);
    expect(sealed).toContain('signed, waiting to be written to the store');
  });

  it('shows the drain dialog asking for the cluster name', () => {
    const state = apply(
      jobsState('operator', columns, rows),
      key('drill'),
      { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL },
      key('down'),
      key('down'),
      key('drain'),
      { type: 'input/text', text: 'prod' },
    );
    const frame = show(state);
    fits(frame, columns, rows);
    expect(frame).toContain('Drain us1-n3 on prod-us-1');
    expect(frame).toContain('Cordons node us1-n3 and evicts its pods, respecting PodDisruptionBudgets.');
    expect(frame).toContain('Destructive. Type the cluster name (prod-us-1) to confirm: prod');
    expect(frame).toMatch(/enter +next \/ confirm {2}esc +close without submitting/);
  });
});

describe('read-only users', () => {
  const cluster = (role: 'viewer' | 'operator', columns: number, rows: number) =>
    apply(jobsState(role, columns, rows), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });

  it.each(SIZES)('see no action hints in the cluster view, the jobs view or the help at %i×%i', (columns, rows) => {
    const op = show(cluster('operator', columns, rows));
    expect(op).toMatch(/Nodes \(3\/5 ready\) {2}c cordon {2}u uncordon {2}d drain/);
    expect(op).toMatch(/^> us1-n1/m);
    const viewer = show(cluster('viewer', columns, rows));
    expect(viewer).toContain('Nodes (3/5 ready)');
    expect(viewer).not.toMatch(/cordon|drain|scale/);
    const workloads = show(apply(cluster('viewer', columns, rows), key('nextSection')));
    expect(workloads).toContain('Workloads (1/4 fully ready)');
    expect(workloads).not.toMatch(/ scale| restart| backup/);
    const jobs = show(apply(jobsState('viewer', columns, rows), key('jobs')));
    expect(jobs).toContain('Jobs (8, newest first)');
    expect(jobs).not.toContain('cancel');
    const help = show(apply(cluster('viewer', columns, rows), key('help')));
    expect(help).toContain('jobs view');
    expect(help).not.toMatch(/drain|cordon|scale|restart|back up|cancel the selected job/);
  });

  it('have action keys do nothing in the live console', async () => {
    const store = createStore(cluster('viewer', 80, 24));
    const r = renderAt(<Console store={store} color={false} />, 80, 24);
    track(r);
    await settle();
    const before = store.getState();
    for (const k of ['d', 'c', 'u', 's', 'r', 'b']) r.stdin.write(k);
    await settle();
    expect(store.getState()).toBe(before);
    expect(r.lastFrame()).not.toContain('Destructive');
  });
});

describe('live console', () => {
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
