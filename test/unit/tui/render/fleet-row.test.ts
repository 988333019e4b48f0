import { describe, expect, it } from 'vitest';
import type { ClusterRow } from '../../../../core/fleet.js';
import { headerLine, joinCells, MARKER_WIDTH, type Column } from '../../../../tui/render/columns.js';
import { dataAgeMs, FLEET_COLUMNS, fleetCells, fleetColumns, fleetNaturalWidth, formatLabels, formatReasons, isStale, measureFleet, widenFleet, type FleetColumnId } from '../../../../tui/render/fleet-row.js';
import { makeRow, NOW, ROWS } from '../helpers.js';

const byName = (name: string) => ROWS.find((r) => r.name === name)!;

const WIDTHS = measureFleet(ROWS);
const layout = (width: number, widths = WIDTHS) => fleetColumns(widths, width).map((c) => `${c.id} ${c.width}`);
const lineOf = (row: ClusterRow, columns: Column<FleetColumnId>[]) => ' '.repeat(MARKER_WIDTH) + joinCells(columns, fleetCells(row, NOW, columns));
const LONG = 'a-cluster-with-a-very-long-name-for-truncation';

describe('fleet rows', () => {
  it('formats every column of a row', () => {
    const columns = fleetColumns(WIDTHS, 200);
    expect(fleetCells(byName('prod-us-1'), NOW, columns)).toEqual([
      'prod-us-1',
      'critical',
      '2 of 5 nodes NotReady +2',
      'v1.30.1',
      '3/5',
      '80/97',
      '41',
      '42',
      '',
      '3s',
      'env=prod region=us',
    ]);
    expect(fleetCells(byName('edge-store-0417'), NOW, columns)).toEqual(['edge-store-0417', 'unknown', '', '-', '0/0', '0/0', '0', '-', '', '-', 'env=edge region=eu']);
  });

  it('shows the error-lines rate compactly, and - when the cluster ships no logs', () => {
    const columns = fleetColumns(WIDTHS, 120);
    const err = (name: string) => fleetCells(byName(name), NOW, columns)[columns.findIndex((c) => c.id === 'ERR/m')];
    expect([err('prod-eu-1'), err('staging-eu-1'), err('dev-2'), err('staging-us-1')]).toEqual(['0', '12', '1.5k', '-']);
  });

  it('keeps the +N count when reasons are truncated', () => {
    expect(formatReasons(['first reason is long', 'b', 'c'], 12)).toBe('first re… +2');
    expect(formatReasons(['short'], 12)).toBe('short');
    expect(formatReasons([], 12)).toBe('');
  });

  it('marks unreachable, unknown and old rows stale', () => {
    expect(isStale(byName('prod-eu-1'), NOW)).toBe(false);
    expect(isStale(byName('prod-ap-1'), NOW)).toBe(true);
    expect(isStale(byName('edge-store-0417'), NOW)).toBe(true);
    expect(isStale(byName('prod-eu-1'), NOW + 31_000)).toBe(true);
    expect(dataAgeMs(byName('prod-eu-1'), NOW)).toBe(4000);
  });
});

describe('fleet column widths', () => {
  it('measures each column at its widest cell or title, capping the name at 32 and reasons at 60', () => {
    expect(WIDTHS).toEqual({ NAME: 32, HEALTH: 11, REASONS: 60, K8S: 7, NODES: 7, PODS: 9, RESTARTS: 8, 'ERR/m': 5, SPARK: 12, AGE: 4, LABELS: 21 });
    // without the absurd name every width is its content's: "edge-store-0417", "CrashLoopBackOff…" and so on
    const ordinary = measureFleet(ROWS.filter((r) => r.name !== LONG));
    expect(ordinary).toMatchObject({ NAME: 15, REASONS: 38, NODES: 5, PODS: 5, LABELS: 21 });
    // titles are the floor, so an empty fleet still has a readable header; labels, with nothing to show, go
    expect(measureFleet([])).toEqual({ NAME: 4, HEALTH: 11, REASONS: 7, K8S: 3, NODES: 5, PODS: 4, RESTARTS: 8, 'ERR/m': 5, SPARK: 12, AGE: 4, LABELS: 0 });
  });

  it('measures the cells it draws: each content-sized width is its widest cell, up to the cap', () => {
    const columns = fleetColumns(WIDTHS, 1000);
    const cells = ROWS.map((row) => fleetCells(row, NOW, columns));
    for (const [i, c] of columns.entries()) {
      const def = FLEET_COLUMNS.find((d) => d.id === c.id)!;
      if (def.width !== undefined) continue;
      const widest = Math.max(c.title.length, ...cells.map((r) => r[i]!.length));
      expect(WIDTHS[c.id], c.id).toBe(Math.min(widest, def.max ?? Infinity));
    }
    expect(formatLabels({ env: 'prod', team: 'checkout' })).toBe('env=prod team=checkout');
    expect(measureFleet([makeRow('x', { labels: { env: 'prod', team: 'checkout' } })]).LABELS).toBe(22);
    expect(measureFleet([makeRow('x', { labels: {} })]).LABELS).toBe(0);
    expect(measureFleet([makeRow('x', { labels: { a: 'b' } })]).LABELS).toBe(6);
    const unlabelled = measureFleet([makeRow('x', { labels: {} })]);
    expect(fleetColumns(unlabelled, 200).map((c) => c.id)).not.toContain('LABELS');
    expect(fleetNaturalWidth(unlabelled)).toBe(fleetNaturalWidth({ ...unlabelled, LABELS: 6 }) - 7);
  });

  it('widens, never narrows, for more rows', () => {
    const wider = widenFleet(measureFleet([byName('prod-eu-1')]), [byName('prod-us-1')]);
    expect(wider).toEqual(measureFleet([byName('prod-eu-1'), byName('prod-us-1')]));
    // nothing grew: the same object, so the table's memoized rows are not drawn again
    expect(widenFleet(WIDTHS, [byName('dev-1')])).toBe(WIDTHS);
    expect(widenFleet(WIDTHS, [])).toBe(WIDTHS);
  });

  it('gives the natural width: every column at its measure, separated, after the marker', () => {
    expect(fleetNaturalWidth(WIDTHS)).toBe(2 + (32 + 11 + 60 + 7 + 7 + 9 + 8 + 5 + 12 + 4 + 21) + 10);
    const natural = fleetColumns(WIDTHS, fleetNaturalWidth(WIDTHS));
    expect(natural.map((c) => c.width)).toEqual(FLEET_COLUMNS.map((c) => WIDTHS[c.id]));
  });
});

describe('fleet columns by priority', () => {
  it('is one table: name, health, age and reasons first, then the counts and the sparkline, then version and labels', () => {
    const byPriority = [...FLEET_COLUMNS].sort((a, b) => a.priority - b.priority).map((c) => c.id);
    expect(byPriority).toEqual(['NAME', 'HEALTH', 'AGE', 'REASONS', 'ERR/m', 'PODS', 'RESTARTS', 'SPARK', 'NODES', 'K8S', 'LABELS']);
    expect(FLEET_COLUMNS.filter((c) => c.elastic).map((c) => c.id)).toEqual(['REASONS']);
  });

  // The fixture's absurd name is capped at 32 columns; the others give way to it below 100.
  it('at 80 columns keeps name, health, reasons, ERR/m and age; counts, version and labels drop', () => {
    expect(layout(80)).toEqual(['NAME 32', 'HEALTH 11', 'REASONS 22', 'ERR/m 5', 'AGE 4']);
  });

  it('at 100 columns adds pods and restarts', () => {
    expect(layout(100)).toEqual(['NAME 32', 'HEALTH 11', 'REASONS 23', 'PODS 9', 'RESTARTS 8', 'ERR/m 5', 'AGE 4']);
  });

  it('at 120 columns adds the sparkline and nodes, with the Kubernetes version and labels still left out', () => {
    expect(layout(120)).toEqual(['NAME 32', 'HEALTH 11', 'REASONS 22', 'NODES 7', 'PODS 9', 'RESTARTS 8', 'ERR/m 5', 'SPARK 12', 'AGE 4']);
  });

  it('at 200 columns shows every column, and reasons take the rest', () => {
    expect(layout(200)).toEqual(['NAME 32', 'HEALTH 11', 'REASONS 72', 'K8S 7', 'NODES 7', 'PODS 9', 'RESTARTS 8', 'ERR/m 5', 'SPARK 12', 'AGE 4', 'LABELS 21']);
  });

  it('drops counts, not name width, for ordinary names at 80 columns', () => {
    const widths = measureFleet(ROWS.filter((r) => r.name !== LONG));
    expect(layout(80, widths)).toEqual(['NAME 15', 'HEALTH 11', 'REASONS 24', 'PODS 5', 'RESTARTS 8', 'ERR/m 5', 'AGE 4']);
    expect(layout(120, widths)).toEqual(['NAME 15', 'HEALTH 11', 'REASONS 37', 'K8S 7', 'NODES 5', 'PODS 5', 'RESTARTS 8', 'ERR/m 5', 'SPARK 12', 'AGE 4']);
  });

  it('cuts only a name longer than 32, with an ellipsis, and keeps that row to the width', () => {
    for (const width of [80, 100, 120, 200]) {
      const columns = fleetColumns(WIDTHS, width);
      expect(headerLine(columns).length).toBe(width);
      for (const row of ROWS) expect(lineOf(row, columns).length).toBe(width);
      const long = lineOf(byName(LONG), columns);
      expect(long).toContain(`${LONG.slice(0, 31)}…`);
      expect(lineOf(byName('edge-store-0417'), columns)).toContain('edge-store-0417 ');
    }
    const at80 = lineOf(byName(LONG), fleetColumns(WIDTHS, 80));
    expect(at80).toContain(' a reason that is far … ');
  });

  it('shows demo names in full at 80 columns', () => {
    const names = ['staging-identity-12', 'prod-checkout-04', 'staging-checkout-23', 'dev-data-18'];
    const rows = names.map((n, i) => makeRow(n, { reasons: i % 2 ? ['workload checkout/api 1/3 ready', 'node n2 NotReady'] : [], pods: { running: 140, total: 152 }, restarts: 12 }));
    const columns = fleetColumns(measureFleet(rows), 80);
    expect(columns.map((c) => `${c.id} ${c.width}`)).toEqual(['NAME 19', 'HEALTH 11', 'REASONS 27', 'PODS 7', 'ERR/m 5', 'AGE 4']);
    for (const row of rows) expect(lineOf(row, columns)).toMatch(new RegExp(`^ {2}${row.name} +${row.health} `));
  });

  it('keeps reasons only with room for 20 columns of them, or all of them if shorter', () => {
    const quiet = measureFleet(ROWS.filter((r) => r.reasons.length === 0));
    expect(quiet.REASONS).toBe(7);
    expect(fleetColumns(quiet, fleetNaturalWidth(quiet)).map((c) => c.id)).toContain('REASONS');
    // 2 + 32 + 1 + 11 + 1 + 4 = 51 for name, health and age; 20 more for reasons need 72
    expect(fleetColumns(WIDTHS, 71).map((c) => c.id)).toEqual(['NAME', 'HEALTH', 'AGE']);
    expect(fleetColumns(WIDTHS, 72).map((c) => `${c.id} ${c.width}`)).toEqual(['NAME 32', 'HEALTH 11', 'REASONS 20', 'AGE 4']);
  });
});
