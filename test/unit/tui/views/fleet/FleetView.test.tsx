// The fleet view as drawn: header, column header, the visible slice of the table, the summary pane on
// a wide terminal, and the filter bar.
import { afterEach, describe, expect, it } from 'vitest';
import { apply, connectedState, makeRow, showApp, unmountAll } from '../../helpers.js';

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
    expect(frame).toMatch(/^ {2}NAME +HEALTH +REASONS +NODES +PODS RESTARTS ERR\/m +AGE$/m);
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
    expect(marked[0]).toContain(state.view.fleet.selected!);
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


  it('shows the filter bar while typing, with the match count', () => {
    const state = apply(connectedState(), { type: 'key', action: 'filter' }, { type: 'input/text', text: 'health:degraded' });
    const frame = show(state);
    expect(frame).toMatch(/^\/health:degraded +2 of 12/m);
    expect(frame).not.toContain('prod-us-1');
  });
});
