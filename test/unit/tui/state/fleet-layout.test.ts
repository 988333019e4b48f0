// The fleet view's use of the width: tabs under 130 columns, the table and one pane to 179, three
// areas side by side from 180; the table at its natural width and no more, the panes the rest; and
// what `tab` does in each.
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../../tui/state/connection.js';
import { bodyLines } from '../../../../tui/state/layout.js';
import { areaLines, fleetAreas, fleetMode, fleetTableRows, nextPane, PANE_MIN_WIDTH, SIDE_COLUMNS, tabBarLines, THREE_COLUMNS, type PaneChoice } from '../../../../tui/state/fleet-layout.js';

const OPEN: ConnectionState = { status: 'open', since: 0, identity: { name: 'a', role: 'viewer' } };
const vp = (columns: number, rows = 40) => ({ columns, rows });
const FLEET: PaneChoice = { tab: 'fleet', side: 'metrics' };

describe('fleet layout', () => {
  it('has its thresholds where a table of 80 and panes of 49 fit', () => {
    expect(PANE_MIN_WIDTH).toBe(49);
    expect(SIDE_COLUMNS).toBe(130);
    expect(THREE_COLUMNS).toBe(180);
    expect([80, 129, 130, 179, 180, 300].map((c) => fleetMode(vp(c)))).toEqual(['tabs', 'tabs', 'side', 'side', 'three', 'three']);
  });

  it('shows one tab at the whole width under 130 columns, with a tab bar line', () => {
    expect(fleetAreas(vp(80), 175, FLEET)).toEqual({ mode: 'tabs', table: 80, logs: null, metrics: null, tabs: ['fleet', 'logs', 'metrics'], active: 'fleet' });
    expect(fleetAreas(vp(100), 60, { tab: 'logs', side: 'metrics' })).toMatchObject({ table: null, logs: 100, metrics: null, active: 'logs' });
    expect(fleetAreas(vp(100), 60, { tab: 'metrics', side: 'logs' })).toMatchObject({ table: null, logs: null, metrics: 100, active: 'metrics' });
    expect(tabBarLines(vp(80))).toBe(1);
    // the table is one line shorter than without the bar; nothing else changes
    expect(fleetTableRows(vp(80, 24), OPEN)).toBe(bodyLines(vp(80, 24), OPEN) - 2);
    expect(areaLines(vp(80, 24), OPEN)).toBe(bodyLines(vp(80, 24), OPEN) - 1);
  });

  it('gives the table its natural width beside one pane from 130, never under 80 nor squeezing the pane under 49', () => {
    expect(fleetAreas(vp(130), 175, FLEET)).toMatchObject({ mode: 'side', table: 80, logs: null, metrics: 49, tabs: ['logs', 'metrics'], active: 'metrics' });
    expect(fleetAreas(vp(160), 100, FLEET)).toMatchObject({ table: 100, metrics: 59 });
    expect(fleetAreas(vp(160), 60, { tab: 'fleet', side: 'logs' })).toMatchObject({ table: 80, logs: 79, metrics: null, active: 'logs' });
    expect(fleetAreas(vp(179), 175, FLEET)).toMatchObject({ table: 129, metrics: 49 });
    expect(tabBarLines(vp(130))).toBe(0);
    expect(fleetTableRows(vp(130, 40), OPEN)).toBe(bodyLines(vp(130, 40), OPEN) - 1);
  });

  it('puts the three side by side from 180, the table at most half the width, the panes sharing the rest', () => {
    expect(fleetAreas(vp(180), 175, FLEET)).toEqual({ mode: 'three', table: 80, logs: 49, metrics: 49, tabs: [], active: null });
    expect(fleetAreas(vp(200), 90, FLEET)).toMatchObject({ table: 90, logs: 54, metrics: 54 });
    expect(fleetAreas(vp(201), 90, FLEET)).toMatchObject({ table: 90, logs: 55, metrics: 54 });
    expect(fleetAreas(vp(300), 175, FLEET)).toMatchObject({ table: 150, logs: 74, metrics: 74 });
    for (const c of [180, 200, 201, 300]) {
      const a = fleetAreas(vp(c), 175, FLEET);
      expect((a.table ?? 0) + (a.logs ?? 0) + (a.metrics ?? 0) + 2).toBe(c);
    }
  });

  it('cycles Fleet, Logs, Metrics with tab in tabs, switches the side pane in side mode, and has nothing to switch with three', () => {
    let c: PaneChoice = FLEET;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      c = nextPane('tabs', c) ?? c;
      seen.push(c.tab);
    }
    expect(seen).toEqual(['logs', 'metrics', 'fleet', 'logs']);
    // the pane last looked at in tabs is the one beside the table on a wider terminal
    expect(nextPane('tabs', { tab: 'fleet', side: 'metrics' })).toEqual({ tab: 'logs', side: 'logs' });
    expect(nextPane('tabs', { tab: 'metrics', side: 'metrics' })).toEqual({ tab: 'fleet', side: 'metrics' });
    expect(nextPane('side', { tab: 'fleet', side: 'metrics' })).toEqual({ tab: 'fleet', side: 'logs' });
    expect(nextPane('side', { tab: 'fleet', side: 'logs' })).toEqual({ tab: 'fleet', side: 'metrics' });
    expect(nextPane('three', FLEET)).toBeNull();
  });
});
