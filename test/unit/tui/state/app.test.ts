import { describe, expect, it } from 'vitest';
import { parseFilter, matchesFilter, filterProblems } from '../../../../tui/state/filter.js';
import { compareRows, nextSort } from '../../../../tui/state/sort.js';
import { initialState, keyContext, topView, visibleRows, type AppState } from '../../../../tui/state/app.js';
import { detailSectionRows, fleetTableRows } from '../../../../tui/state/layout.js';
import type { KeyAction } from '../../../../tui/keymap.js';
import { parseCommand } from '../../../../tui/state/commands.js';
import { DETAIL, NOW, ROWS, apply, connectedState, makeRow } from '../helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const manyRows = (n: number) => Array.from({ length: n }, (_, i) => makeRow(`c-${String(i).padStart(5, '0')}`));
const names = (s: AppState) => visibleRows(s).map((r) => r.name);

describe('filter', () => {
  const row = makeRow('prod-eu-1', { labels: { env: 'prod', team: 'Payments' }, health: 'degraded' });

  it('matches plain words against the name and label values, case-insensitively', () => {
    expect(matchesFilter(parseFilter('EU'), row)).toBe(true);
    expect(matchesFilter(parseFilter('payments'), row)).toBe(true);
    expect(matchesFilter(parseFilter('staging'), row)).toBe(false);
  });

  it('understands health:, name: globs and label tokens, all of which must match', () => {
    expect(matchesFilter(parseFilter('health:degraded'), row)).toBe(true);
    expect(matchesFilter(parseFilter('health:healthy'), row)).toBe(false);
    expect(matchesFilter(parseFilter('name:prod-*'), row)).toBe(true);
    expect(matchesFilter(parseFilter('name:prod-?'), row)).toBe(false);
    expect(matchesFilter(parseFilter('name:prod-??-1'), row)).toBe(true);
    expect(matchesFilter(parseFilter('label:env=prod'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=prod'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=dev'), row)).toBe(false);
    expect(matchesFilter(parseFilter('env=prod health:degraded eu'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=prod health:critical'), row)).toBe(false);
  });

  it('treats regex characters in a glob literally', () => {
    expect(matchesFilter(parseFilter('name:prod.eu*'), row)).toBe(false);
  });

  it('reports a health state that does not exist', () => {
    expect(filterProblems(parseFilter('health:broken eu'))).toEqual([expect.stringContaining('unknown health "broken"')]);
    expect(filterProblems(parseFilter('health:critical'))).toEqual([]);
  });
});

describe('sorting', () => {
  it('puts the worst health first, then sorts by name', () => {
    const sorted = [...ROWS].sort(compareRows('health')).map((r) => r.health);
    expect(sorted.slice(0, 4)).toEqual(['critical', 'unreachable', 'degraded', 'degraded']);
    expect(sorted.at(-1)).toBe('healthy');
    expect(sorted.indexOf('unknown')).toBeLessThan(sorted.indexOf('healthy'));
  });

  it('sorts by age with the oldest data (or none) first', () => {
    const sorted = [...ROWS].sort(compareRows('age')).map((r) => r.name);
    expect(sorted[0]).toBe('edge-store-0417');
    expect(sorted[1]).toBe('prod-ap-1');
  });

  it('cycles health → name → age → health', () => {
    expect([nextSort('health'), nextSort('name'), nextSort('age')]).toEqual(['name', 'age', 'health']);
  });
});

describe('cursor and scroll', () => {
  it('keeps the cursor inside the rows and the scroll inside the page', () => {
    let s = connectedState(manyRows(100));
    const page = fleetTableRows(s.viewport, s.conn);
    s = apply(s, key('up'));
    expect([s.cursor, s.scroll]).toEqual([0, 0]);
    s = apply(s, ...Array.from({ length: page }, () => key('down')));
    expect(s.cursor).toBe(page);
    expect(s.scroll).toBe(1);
    s = apply(s, key('bottom'));
    expect([s.cursor, s.scroll]).toEqual([99, 100 - page]);
    s = apply(s, key('down'));
    expect(s.cursor).toBe(99);
    s = apply(s, key('top'));
    expect([s.cursor, s.scroll]).toEqual([0, 0]);
    s = apply(s, key('pageDown'));
    expect(s.cursor).toBe(page);
    s = apply(s, key('halfPageUp'));
    expect(s.cursor).toBe(page - Math.floor(page / 2));
  });

  it('pulls the cursor back when rows disappear', () => {
    let s = apply(connectedState(manyRows(50)), key('bottom'));
    s = apply(s, { type: 'fleet/snapshot', rev: 2, rows: manyRows(5) });
    expect(s.cursor).toBe(4);
    expect(s.scroll).toBe(0);
    s = apply(s, { type: 'fleet/snapshot', rev: 3, rows: [] });
    expect([s.cursor, s.scroll, s.selected]).toEqual([0, 0, null]);
  });

  it('keeps the cursor on screen when the terminal shrinks', () => {
    let s = apply(connectedState(manyRows(100), 80, 60), key('bottom'));
    s = apply(s, { type: 'resize', columns: 80, rows: 24 });
    const page = fleetTableRows(s.viewport, s.conn);
    expect(s.cursor).toBeGreaterThanOrEqual(s.scroll);
    expect(s.cursor).toBeLessThan(s.scroll + page);
  });

  it('follows the selected cluster when the order changes', () => {
    let s = connectedState();
    s = apply(s, key('down'), key('down'));
    const picked = s.selected;
    s = apply(s, key('sort'));
    expect(s.sort).toBe('name');
    expect(visibleRows(s)[s.cursor]?.name).toBe(picked);
  });
});

describe('fleet patches', () => {
  it('applies a patch whose fromRev matches the held rev', () => {
    let s = connectedState(ROWS.slice(0, 3));
    s = apply(s, {
      type: 'fleet/patch',
      rev: 2,
      fromRev: 1,
      changes: [{ op: 'upsert', row: makeRow('new-1') }, { op: 'remove', name: 'prod-eu-1' }, { op: 'upsert', row: { ...ROWS[1]!, health: 'critical' } }],
    });
    expect(s.fleet.rev).toBe(2);
    expect([...s.fleet.rows.keys()].sort()).toEqual(['new-1', 'prod-eu-2', 'prod-us-1']);
    expect(s.fleet.rows.get('prod-eu-2')?.health).toBe('critical');
    expect(s.fleet.gap).toBeNull();
  });

  it('refuses a patch after a gap and flags it until the next snapshot', () => {
    let s = connectedState(ROWS.slice(0, 3));
    const before = s.fleet.rows;
    s = apply(s, { type: 'fleet/patch', rev: 5, fromRev: 4, changes: [{ op: 'remove', name: 'prod-eu-1' }] });
    expect(s.fleet.rows).toBe(before);
    expect(s.fleet.rev).toBe(1);
    expect(s.fleet.gap).toEqual({ heldRev: 1, fromRev: 4 });
    s = apply(s, { type: 'fleet/snapshot', rev: 5, rows: ROWS });
    expect(s.fleet.gap).toBeNull();
    expect(s.fleet.rows.size).toBe(ROWS.length);
  });

  it('refuses a patch before any snapshot', () => {
    const s = apply(initialState({ now: NOW, columns: 80, rows: 24 }), { type: 'fleet/patch', rev: 2, fromRev: 1, changes: [] });
    expect(s.fleet.rev).toBeNull();
    expect(s.fleet.gap).toEqual({ heldRev: null, fromRev: 1 });
  });
});

describe('connection states', () => {
  it('goes connecting → open → reconnecting with attempts, keeping when the link was lost', () => {
    let s = initialState({ now: NOW, columns: 80, rows: 24 });
    expect(s.conn).toMatchObject({ status: 'connecting', attempt: 1, lostAt: null });
    s = apply(s, { type: 'conn/open', at: NOW + 1000, identity: { name: 'alice', role: 'viewer' } });
    expect(s.conn.status).toBe('open');
    s = apply(s, { type: 'conn/lost', at: NOW + 5000, attempt: 2, error: 'connection closed (code 1006)', retryInMs: 500 });
    expect(s.conn).toMatchObject({ status: 'reconnecting', attempt: 2, lostAt: NOW + 5000, retryAt: NOW + 5500 });
    s = apply(s, { type: 'conn/connecting', at: NOW + 5500, attempt: 2 });
    s = apply(s, { type: 'conn/lost', at: NOW + 6000, attempt: 3, error: 'refused', retryInMs: 1000 });
    expect(s.conn).toMatchObject({ status: 'reconnecting', attempt: 3, lostAt: NOW + 5000, lastError: 'refused' });
  });

  it('gives the table one line less while the stale banner shows', () => {
    const open = connectedState();
    const lost = apply(open, { type: 'conn/lost', at: NOW, attempt: 2, error: 'x', retryInMs: 1 });
    expect(fleetTableRows(lost.viewport, lost.conn)).toBe(fleetTableRows(open.viewport, open.conn) - 1);
  });
});

describe('views, filter and command input', () => {
  it('drills into the selected cluster, cycles sections and goes back', () => {
    let s = apply(connectedState(), key('drill'));
    expect(topView(s)).toEqual({ kind: 'cluster', name: 'prod-us-1', section: 'nodes', scroll: 0 });
    expect(keyContext(s)).toBe('cluster');
    s = apply(s, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    expect(s.detail?.data).toBe(DETAIL);
    s = apply(s, { type: 'cluster/snapshot', name: 'other', rev: 2, data: DETAIL });
    expect(s.detail?.rev).toBe(1);
    s = apply(s, key('nextSection'), key('nextSection'));
    expect(topView(s)).toMatchObject({ section: 'events' });
    s = apply(s, key('nextSection'));
    expect(topView(s)).toMatchObject({ section: 'nodes' });
    s = apply(s, key('back'));
    expect(s.views).toEqual([{ kind: 'fleet' }]);
    expect(s.detail).toBeNull();
  });

  it('scrolls the focused section within its items', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => ({ ...DETAIL.nodes[0]!, name: `n-${i}` }));
    let s = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: { ...DETAIL, nodes } });
    const page = detailSectionRows(s.viewport, s.conn);
    s = apply(s, key('bottom'));
    expect(topView(s)).toMatchObject({ scroll: 30 - page });
    s = apply(s, key('up'), key('nextSection'));
    expect(topView(s)).toMatchObject({ section: 'workloads', scroll: 0 });
    s = apply(s, key('pageDown'));
    expect(topView(s)).toMatchObject({ scroll: 0 });
  });

  it('edits the filter live; enter keeps it, esc clears it', () => {
    let s = apply(connectedState(), key('filter'));
    expect(keyContext(s)).toBe('filter');
    s = apply(s, { type: 'input/text', text: 'prod' }, { type: 'input/text', text: ' us' });
    expect(s.filter).toBe('prod us');
    expect(names(s)).toEqual(['prod-us-1', 'prod-us-2']);
    s = apply(s, key('erase'), key('erase'), key('erase'));
    expect(s.filter).toBe('prod');
    s = apply(s, key('submit'));
    expect(s.input).toBeNull();
    expect(s.filter).toBe('prod');
    s = apply(s, key('filter'), { type: 'input/text', text: '\x1b[Ax' }, key('cancel'));
    expect(s.filter).toBe('');
    expect(s.input).toBeNull();
  });

  it('runs commands and explains unknown ones', () => {
    let s = apply(connectedState(), key('command'), { type: 'input/text', text: 'cluster dev-2' }, key('submit'));
    expect(topView(s)).toMatchObject({ kind: 'cluster', name: 'dev-2' });
    s = apply(s, key('command'), { type: 'input/text', text: 'fleet' }, key('submit'));
    expect(topView(s).kind).toBe('fleet');
    s = apply(s, key('command'), { type: 'input/text', text: 'cluster nope' }, key('submit'));
    expect(s.message).toEqual({ text: 'no cluster named "nope"', level: 'error' });
    s = apply(s, key('command'), { type: 'input/text', text: 'logs' }, key('submit'));
    expect(s.message?.text).toContain('unknown command "logs"');
    expect(s.message?.text).toContain(':cluster NAME');
    s = apply(s, key('command'), { type: 'input/text', text: 'q' }, key('submit'));
    expect(s.quit).toBe(true);
  });

  it('parses commands', () => {
    expect(parseCommand(':quit')).toEqual({ kind: 'quit' });
    expect(parseCommand('cluster')).toMatchObject({ kind: 'error', message: 'usage: :cluster NAME' });
    expect(parseCommand('  ')).toEqual({ kind: 'none' });
  });

  it('opens and closes help, and quits', () => {
    let s = apply(connectedState(), key('help'));
    expect(keyContext(s)).toBe('help');
    s = apply(s, key('closeHelp'));
    expect(s.help).toBe(false);
    expect(apply(s, key('quit')).quit).toBe(true);
  });

  it('changes only the clock on a tick, reusing the filtered rows', () => {
    const s = connectedState();
    const rows = visibleRows(s);
    const t = apply(s, { type: 'tick', now: NOW + 1000 });
    expect(t.now).toBe(NOW + 1000);
    expect(visibleRows(t)).toBe(rows);
    expect(apply(t, { type: 'tick', now: NOW + 1000 })).toBe(t);
  });
});
