import { afterEach, describe, expect, it } from 'vitest';
import { Console } from '../../../../tui/views/Console.js';
import { createStore } from '../../../../tui/state/store.js';
import { apply, connectedState, DETAIL, makeRow, NOW, renderAt, settle, showApp, track, unmountAll } from '../helpers.js';

afterEach(unmountAll);
const show = showApp;

const lines = (frame: string) => frame.split('\n');
const rows = (n: number) => Array.from({ length: n }, (_, i) => makeRow(`cluster-${String(i).padStart(5, '0')}`));

describe('fleet view', () => {
  it('shows the header counts, the column header and every row at 80×24 within 23 lines', () => {
    const frame = show(connectedState());
    expect(frame.startsWith('Flotilla')).toBe(true);
    expect(frame).toContain('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable');
    expect(frame).toContain('connected as alice (admin)');
    expect(frame).toMatch(/^ {2}NAME +HEALTH +REASONS +K8S +NODES +PODS RESTARTS +AGE$/m);
    expect(lines(frame).length).toBeLessThanOrEqual(23);
    for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(80);
    expect(frame).toContain('prod-us-1');
    expect(frame).toContain('critical');
  });

  it('renders only the visible slice of a long fleet', () => {
    const state = apply(connectedState(rows(10_000)), { type: 'key', action: 'halfPageDown' }, { type: 'key', action: 'bottom' });
    const frame = show(state);
    expect(frame).toContain('cluster-09999');
    expect(frame).not.toContain('cluster-00000');
    const shown = lines(frame).filter((l) => /cluster-\d{5}/.test(l));
    expect(shown.length).toBeLessThanOrEqual(17);
    expect(shown.length).toBeGreaterThan(10);
  });

  it('marks the selected row with > when colour is off', () => {
    const state = apply(connectedState(), { type: 'key', action: 'down' });
    const frame = show(state, false);
    const marked = lines(frame).filter((l) => l.startsWith('> '));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain(state.selected!);
    expect(frame).not.toContain('\x1b[3');
  });

  it('shows a summary pane beside the table at 160×40 and not at 80 columns', () => {
    const wide = show(connectedState(undefined, 160, 40));
    expect(wide).toContain('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable · 1 unknown');
    for (const line of lines(wide)) expect(line.length).toBeLessThanOrEqual(160);
    expect(lines(wide).length).toBeLessThanOrEqual(39);
    expect(wide).toContain('prod-us-1');
    expect(wide).toMatch(/nodes 3\/5 ready/);
    expect(wide).toContain('data age 3s');
    expect(show(connectedState())).not.toMatch(/nodes 3\/5 ready/);
  });

  it('says the terminal is too small below 80×24', () => {
    const frame = show(connectedState(undefined, 70, 20));
    expect(frame).toContain('terminal too small (70×20); needs at least 80×24');
    expect(frame).not.toContain('NAME');
  });

  it('shows the stale banner with attempt and data age while reconnecting', () => {
    const state = apply(
      connectedState(),
      { type: 'conn/lost', at: NOW, attempt: 2, error: 'connection closed (code 1006) — the console reconnects by itself', retryInMs: 500 },
      { type: 'conn/connecting', at: NOW + 500, attempt: 2 },
      { type: 'conn/lost', at: NOW + 1000, attempt: 3, error: 'daemon not reachable', retryInMs: 1000 },
      { type: 'tick', now: NOW + 42_000 },
    );
    const frame = show(state);
    expect(frame).toContain('connection lost — reconnecting (attempt 3); data is 42s old');
    expect(frame).toContain('prod-us-1');
  });

  it('shows the help overlay generated from the keymap, scrolling what does not fit at 80×24', () => {
    const help = apply(connectedState(), { type: 'key', action: 'help' });
    const frame = show(help);
    expect(frame).toContain('Keys');
    expect(frame).toContain('open the selected cluster');
    expect(frame).toMatch(/j\/k scroll · \d+ more below/);
    // every key and command is reachable: scroll to the end
    let end = help;
    for (let i = 0; i < 20; i += 1) end = apply(end, { type: 'key', action: 'scrollHelpDown' });
    const last = show(end);
    expect(last).toContain(':cluster NAME');
    expect(last).toContain('k scrolls back up');
    expect(last).not.toMatch(/more below/);
    // and back to the top, never past it
    let top = end;
    for (let i = 0; i < 20; i += 1) top = apply(top, { type: 'key', action: 'scrollHelpUp' });
    expect(top.helpScroll).toBe(0);
    expect(show(top)).toContain('open the selected cluster');
  });

  it('shows the filter bar while typing, with the match count', () => {
    const state = apply(connectedState(), { type: 'key', action: 'filter' }, { type: 'input/text', text: 'health:degraded' });
    const frame = show(state);
    expect(frame).toMatch(/^\/health:degraded +2 of 12/m);
    expect(frame).not.toContain('prod-us-1');
  });
});

describe('cluster detail view', () => {
  it('shows the title, the three sections and the history', () => {
    const state = apply(connectedState(), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    const frame = show(state);
    expect(frame).toMatch(/^prod-us-1 {2}critical {2}2 of 5 nodes NotReady \+2/m);
    expect(frame).toContain('Nodes (3/5 ready)');
    expect(frame).toContain('Workloads (1/4 fully ready)');
    expect(frame).toContain('Events (3 recent)');
    expect(frame).toContain('us1-n3');
    expect(frame).toMatch(/us1-n3 +NotReady/);
    expect(frame).toContain('rejected clusters/prod-us-1/status.json: signature by unknown key');
    expect(lines(frame).length).toBeLessThanOrEqual(23);
  });

  it('expands the section tab moves to', () => {
    const state = apply(
      connectedState(undefined, 160, 40),
      { type: 'key', action: 'drill' },
      { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL },
      { type: 'key', action: 'nextSection' },
      { type: 'key', action: 'nextSection' },
    );
    const frame = show(state);
    expect(frame).toContain('Back-off restarting failed container ledger (×31)');
    expect(frame).not.toContain('KubeletNotReady');
  });

  it('uses the width of a wide terminal for node details', () => {
    const state = apply(connectedState(undefined, 160, 40), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    expect(show(state)).toContain('NotReady KubeletNotReady');
  });

  it('says it is loading until the snapshot arrives', () => {
    expect(show(apply(connectedState(), { type: 'key', action: 'drill' }))).toContain('loading…');
  });
});

describe('console', () => {
  it('drives the store from keypresses through the keymap', async () => {
    const store = createStore(connectedState());
    const r = renderAt(<Console store={store} color={false} />, 80, 24);
    track(r);
    await settle();
    r.stdin.write('j');
    await settle();
    expect(store.getState().cursor).toBe(1);
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
    expect(store.getState().filter).toBe('dev');
    expect(r.lastFrame()).toMatch(/^\/dev/m);
  });
});
