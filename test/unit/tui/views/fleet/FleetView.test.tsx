// The fleet view as drawn: header, column header, the visible slice of the table, the metrics pane
// with the selected cluster's summary on a wide terminal, and the filter bar (the panes in detail:
// FleetPanes.test.tsx).
import { afterEach, describe, expect, it } from 'vitest';
import { fleetPlan } from '../../../../../cli/demo/fleet-plan.js';
import { fleetViewLayout } from '../../../../../tui/views/fleet/model.js';
import { apply, connectedState, makeRow, ROWS, showApp, unmountAll } from '../../helpers.js';

afterEach(unmountAll);
const show = showApp;

const lines = (frame: string) => frame.split('\n');
const rows = (n: number) => Array.from({ length: n }, (_, i) => makeRow(`cluster-${String(i).padStart(5, '0')}`));

describe('fleet view', () => {
  // The fixture's 46-character name takes the 32 the name column may have, so only the counts with the
  // most to say (ERR/m) keep their place at 80 columns.
  it('shows the header counts, the column header by priority and every row at 80×24 within 23 lines', () => {
    const frame = show(connectedState());
    expect(frame.startsWith('Flotilla')).toBe(true);
    expect(frame).toContain('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable');
    expect(frame).toContain('connected as alice (admin)');
    expect(frame).toMatch(/^ {2}NAME {29}HEALTH +REASONS +ERR\/m +AGE$/m);
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

  it('marks rows marked with space with *, beside the > of the selection, without colour', () => {
    const state = apply(connectedState(), { type: 'key', action: 'mark' }, { type: 'key', action: 'down' }, { type: 'key', action: 'down' }, { type: 'key', action: 'mark' }, { type: 'key', action: 'up' });
    const marked = state.view.fleet.marked;
    expect(marked).toHaveLength(2);
    const frame = show(state, false);
    expect(lines(frame).filter((l) => /^[> ]\*/.test(l)).map((l) => l.slice(2).split(' ')[0])).toEqual(marked);
    const selected = lines(frame).filter((l) => l.startsWith('>'));
    expect(selected).toHaveLength(1);
    expect(selected[0]).toMatch(new RegExp(`^> ${state.view.fleet.selected!} `));
  });

  it('shows demo names in full at 80×24, dropping counts instead, and marks the selection with > without colour', () => {
    const demo = fleetPlan(24).map((c, i) =>
      makeRow(c.name, { labels: c.labels, health: i % 4 === 2 ? 'degraded' : 'healthy', reasons: i % 4 === 2 ? ['workload checkout/api 1/3 ready', 'node n2 NotReady'] : [], pods: { running: 140, total: 152 } }),
    );
    const state = apply(connectedState(demo), { type: 'key', action: 'down' });
    const frame = show(state, false);
    expect(frame).toMatch(/^ {2}NAME {16}HEALTH +REASONS +PODS ERR\/m +AGE$/m);
    const shown = lines(frame).filter((l) => /^(> | {2})(prod|staging|dev)-/.test(l));
    expect(shown.length).toBeGreaterThan(10);
    const names = new Set(demo.map((r) => r.name));
    for (const line of shown) {
      expect(line.length).toBeLessThanOrEqual(80);
      expect(names.has(line.slice(2).split(' ')[0]!), line).toBe(true);
    }
    expect(frame).toContain('  staging-checkout-23 degraded ');
    expect(frame).toMatch(/ workload checkout\/api 1… \+1 140\/152 /);
    const marked = lines(frame).filter((l) => l.startsWith('> '));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`^> ${state.view.fleet.selected!} +(healthy|degraded) `));
  });

  it('shows the selected cluster at a glance in the metrics pane beside the table at 160×40, and not at 80 columns', () => {
    const wide = show(connectedState(undefined, 160, 40));
    expect(wide).toContain('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable · 1 unknown');
    for (const line of lines(wide)) expect(line.length).toBeLessThanOrEqual(160);
    expect(lines(wide).length).toBeLessThanOrEqual(39);
    expect(wide).toContain('prod-us-1');
    expect(wide).toMatch(/nodes 3\/5 ready/);
    expect(wide).toContain('data age 3s');
    expect(show(connectedState())).not.toMatch(/nodes 3\/5 ready/);
  });

  it('gives the panes the width the table cannot use, not padding in the table', () => {
    const short = ROWS.filter((r) => r.name.length < 20).map((r) => ({ ...r, labels: {}, reasons: r.reasons.slice(0, 1).map((x) => x.slice(0, 20)) }));
    const state = connectedState(short, 240, 40);
    const { areas } = fleetViewLayout(state.viewport, state.fleet, state.view.fleet);
    expect(areas).toMatchObject({ mode: 'three', table: 103, logs: 68, metrics: 67 });
    const frame = show(state);
    // the logs pane's frame starts right after the table and a gap, the metrics pane's after it
    const top = lines(frame).find((l) => l.includes('┌'))!;
    expect(top.indexOf('┌─ Logs')).toBe(104);
    expect(top.indexOf('┌─ Metrics')).toBe(104 + 68 + 1);
    // without labels in any row the LABELS column is left out too; the table ends at its last column
    expect(frame).toContain('\n  NAME            HEALTH      REASONS              K8S     NODES  PODS RESTARTS ERR/m CPU 1h        AGE ┌─ Logs');
  });

  it('shows the filter bar while typing, with the match count', () => {
    const state = apply(connectedState(), { type: 'key', action: 'filter' }, { type: 'input/text', text: 'health:degraded' });
    const frame = show(state);
    expect(frame).toMatch(/^\/health:degraded +2 of 12/m);
    expect(frame).not.toContain('prod-us-1');
  });
});
