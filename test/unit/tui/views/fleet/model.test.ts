// The fleet view's own slice: cursor and scroll over the visible rows, the selection that follows a
// cluster when rows reorder, the sort and its own filter.
import { describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { topView, viewContext, type AppState } from '../../../../../tui/state/app.js';
import { measureFleet } from '../../../../../tui/render/fleet-row.js';
import { fleetTableRows, fleetView, fleetViewLayout, fleetWidths, visibleRows } from '../../../../../tui/views/fleet/model.js';
import { NOW, ROWS, apply, connectedState, makeRow } from '../../helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const manyRows = (n: number) => Array.from({ length: n }, (_, i) => makeRow(`c-${String(i).padStart(5, '0')}`));
const names = (s: AppState) => visibleRows(s.fleet, s.view.fleet).map((r) => r.name);

describe('cursor and scroll', () => {
  it('keeps the cursor inside the rows and the scroll inside the page', () => {
    let s = connectedState(manyRows(100));
    const page = fleetTableRows(s.viewport, s.conn);
    s = apply(s, key('up'));
    expect([s.view.fleet.cursor, s.view.fleet.scroll]).toEqual([0, 0]);
    s = apply(s, ...Array.from({ length: page }, () => key('down')));
    expect(s.view.fleet.cursor).toBe(page);
    expect(s.view.fleet.scroll).toBe(1);
    s = apply(s, key('bottom'));
    expect([s.view.fleet.cursor, s.view.fleet.scroll]).toEqual([99, 100 - page]);
    s = apply(s, key('down'));
    expect(s.view.fleet.cursor).toBe(99);
    s = apply(s, key('top'));
    expect([s.view.fleet.cursor, s.view.fleet.scroll]).toEqual([0, 0]);
    s = apply(s, key('pageDown'));
    expect(s.view.fleet.cursor).toBe(page);
    s = apply(s, key('halfPageUp'));
    expect(s.view.fleet.cursor).toBe(page - Math.floor(page / 2));
  });

  it('pulls the cursor back when rows disappear', () => {
    let s = apply(connectedState(manyRows(50)), key('bottom'));
    s = apply(s, { type: 'fleet/snapshot', rev: 2, rows: manyRows(5) });
    expect(s.view.fleet.cursor).toBe(4);
    expect(s.view.fleet.scroll).toBe(0);
    s = apply(s, { type: 'fleet/snapshot', rev: 3, rows: [] });
    expect([s.view.fleet.cursor, s.view.fleet.scroll, s.view.fleet.selected]).toEqual([0, 0, null]);
  });

  it('keeps the cursor on screen when the terminal shrinks', () => {
    let s = apply(connectedState(manyRows(100), 80, 60), key('bottom'));
    s = apply(s, { type: 'resize', columns: 80, rows: 24 });
    const page = fleetTableRows(s.viewport, s.conn);
    expect(s.view.fleet.cursor).toBeGreaterThanOrEqual(s.view.fleet.scroll);
    expect(s.view.fleet.cursor).toBeLessThan(s.view.fleet.scroll + page);
  });

  it('follows the selected cluster when the order changes', () => {
    let s = connectedState();
    s = apply(s, key('down'), key('down'));
    const picked = s.view.fleet.selected;
    s = apply(s, key('sort'));
    expect(s.view.fleet.sort).toBe('name');
    expect(visibleRows(s.fleet, s.view.fleet)[s.view.fleet.cursor]?.name).toBe(picked);
  });
});


describe('fleet view keys', () => {
  it('cycles the sort with s and says so, keeping the selected cluster', () => {
    let s = apply(connectedState(), key('down'));
    const picked = s.view.fleet.selected;
    s = apply(s, key('sort'));
    expect(s.view.fleet.sort).toBe('name');
    expect(s.message).toEqual({ text: 'sorted by name', level: 'info' });
    expect(visibleRows(s.fleet, s.view.fleet)[s.view.fleet.cursor]?.name).toBe(picked);
    s = apply(s, key('sort'), key('sort'));
    expect(s.view.fleet.sort).toBe('health');
  });

  it('clears its filter with esc, keeping the selected cluster', () => {
    let s = apply(connectedState(), key('filter'), { type: 'input/text', text: 'prod' }, key('submit'), key('down'));
    const picked = s.view.fleet.selected;
    expect(names(s).every((n) => n.includes('prod'))).toBe(true);
    s = apply(s, key('clearFilter'));
    expect(s.view.fleet.filter).toBe('');
    expect(names(s).length).toBeGreaterThan(3);
    expect(s.view.fleet.selected).toBe(picked);
  });

  it('drills into the selected cluster, and into nothing when no row is shown', () => {
    expect(topView(apply(connectedState(), key('drill')))).toBe('cluster');
    const empty = apply(connectedState(), key('filter'), { type: 'input/text', text: 'nothing-matches' }, key('submit'));
    expect(empty.view.fleet.selected).toBeNull();
    expect(apply(empty, key('drill'))).toBe(empty);
  });

  it('is the root: it sits on nothing and keeps its slice when opened again', () => {
    expect(fleetView.over).toEqual([]);
    const s = apply(connectedState(), key('filter'), { type: 'input/text', text: 'prod' }, key('submit'), key('drill'), key('command'), { type: 'input/text', text: 'fleet' }, key('submit'));
    expect(s.stack).toEqual(['fleet']);
    expect(s.view.fleet.filter).toBe('prod');
  });
});

describe('fleet page', () => {
  it('gives the table one line less while the stale banner shows', () => {
    const open = connectedState();
    const lost = apply(open, { type: 'conn/lost', at: NOW, attempt: 2, error: 'x', retryInMs: 1 });
    expect(fleetTableRows(lost.viewport, lost.conn)).toBe(fleetTableRows(open.viewport, open.conn) - 1);
  });

  it('pages by the rows the table shows', () => {
    const s = connectedState(manyRows(100));
    expect(fleetView.list?.page(s.view.fleet, viewContext(s))).toBe(fleetTableRows(s.viewport, s.conn));
    expect(apply(s, key('pageDown')).view.fleet.cursor).toBe(fleetTableRows(s.viewport, s.conn));
  });
});

describe('fleet table and pane widths', () => {
  it('gives the table the whole width below 130 columns, the pane the rest from 130, both panes from 180', () => {
    const at = (columns: number) => {
      const s = connectedState(undefined, columns, 40);
      const { areas } = fleetViewLayout(s.viewport, s.fleet, s.view.fleet);
      return { mode: areas.mode, table: areas.table, logs: areas.logs, metrics: areas.metrics };
    };
    expect(at(80)).toEqual({ mode: 'tabs', table: 80, logs: null, metrics: null });
    expect(at(129)).toEqual({ mode: 'tabs', table: 129, logs: null, metrics: null });
    // the fixture's table would take 187 columns: it gets what leaves the pane its 49
    expect(at(130)).toEqual({ mode: 'side', table: 80, logs: null, metrics: 49 });
    expect(at(179)).toEqual({ mode: 'side', table: 129, logs: null, metrics: 49 });
    expect(at(180)).toEqual({ mode: 'three', table: 80, logs: 49, metrics: 49 });
    expect(at(240)).toEqual({ mode: 'three', table: 120, logs: 59, metrics: 59 });
  });

  it('measures the rows the filter lets through, and again when the filter changes', () => {
    const s = connectedState();
    expect(fleetWidths(s.fleet, s.view.fleet)).toEqual(measureFleet(ROWS));
    const dev = apply(s, key('filter'), { type: 'input/text', text: 'env=dev' }, key('submit'));
    expect(fleetWidths(dev.fleet, dev.view.fleet)).toEqual(measureFleet(ROWS.filter((r) => r.labels.env === 'dev')));
    // a clock tick keeps the rows: the same widths, not measured again
    const ticked = apply(dev, { type: 'tick', now: NOW + 1000 });
    expect(fleetWidths(ticked.fleet, ticked.view.fleet)).toBe(fleetWidths(dev.fleet, dev.view.fleet));
  });

  it('only widens on a patch, so the table does not move as reasons come and go; a snapshot measures afresh', () => {
    const short = [makeRow('a'), makeRow('b')];
    let s = connectedState(short);
    const before = fleetWidths(s.fleet, s.view.fleet);
    const patch = (rev: number, row: ReturnType<typeof makeRow>) => ({ type: 'fleet/patch' as const, rev, fromRev: rev - 1, changes: [{ op: 'upsert' as const, row }] });
    s = apply(s, patch(2, makeRow('a', { reasons: ['a reason of some thirty chars'] })));
    const wider = fleetWidths(s.fleet, s.view.fleet);
    expect(wider.REASONS).toBe(29);
    expect(wider.NAME).toBe(before.NAME);
    s = apply(s, patch(3, makeRow('a')));
    expect(fleetWidths(s.fleet, s.view.fleet)).toBe(wider);
    s = apply(s, { type: 'fleet/snapshot', rev: 4, rows: short });
    const fresh = fleetWidths(s.fleet, s.view.fleet);
    expect(fresh).toEqual(before);
    s = apply(s, { type: 'fleet/snapshot', rev: 5, rows: [...short] });
    expect(fleetWidths(s.fleet, s.view.fleet)).toBe(fresh);
  });
});
