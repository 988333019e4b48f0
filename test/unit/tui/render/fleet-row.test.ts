import { describe, expect, it } from 'vitest';
import { fleetCells, fleetColumns, formatReasons, isStale, dataAgeMs } from '../../../../tui/render/fleet-row.js';
import { headerLine, joinCells, MARKER_WIDTH } from '../../../../tui/render/columns.js';
import { NOW, ROWS } from '../helpers.js';

const byName = (name: string) => ROWS.find((r) => r.name === name)!;

describe('fleet rows', () => {
  it('formats every column of a row', () => {
    const columns = fleetColumns(120);
    expect(fleetCells(byName('prod-us-1'), NOW, columns)).toEqual([
      'prod-us-1',
      'critical',
      '2 of 5 nodes NotReady +2',
      'v1.30.1',
      '3/5',
      '80/97',
      '41',
      '42',
      '3s',
    ]);
    expect(fleetCells(byName('edge-store-0417'), NOW, columns)).toEqual(['edge-store-0417', 'unknown', '', '-', '0/0', '0/0', '0', '-', '-']);
  });

  it('shows the error-lines rate compactly, and - when the cluster ships no logs', () => {
    const columns = fleetColumns(120);
    const err = (name: string) => fleetCells(byName(name), NOW, columns)[columns.findIndex((c) => c.id === 'ERR/m')];
    expect([err('prod-eu-1'), err('staging-eu-1'), err('dev-2'), err('staging-us-1')]).toEqual(['0', '12', '1.5k', '-']);
  });

  it('fits into 80 columns without the Kubernetes version, truncating with an ellipsis', () => {
    const columns = fleetColumns(80);
    expect(columns.map((c) => c.id)).toEqual(['NAME', 'HEALTH', 'REASONS', 'NODES', 'PODS', 'RESTARTS', 'ERR/m', 'AGE']);
    expect(fleetColumns(89).map((c) => c.id)).not.toContain('K8S');
    expect(fleetColumns(90).map((c) => c.id)).toEqual(['NAME', 'HEALTH', 'REASONS', 'K8S', 'NODES', 'PODS', 'RESTARTS', 'ERR/m', 'AGE']);
    expect(headerLine(fleetColumns(90)).length).toBe(90);
    expect(headerLine(columns).length).toBe(80);
    for (const row of ROWS) {
      const line = ' '.repeat(MARKER_WIDTH) + joinCells(columns, fleetCells(row, NOW, columns));
      expect(line.length).toBe(80);
    }
    const long = joinCells(columns, fleetCells(byName('a-cluster-with-a-very-long-name-for-truncation'), NOW, columns));
    expect(long).toContain('a-cluster-w');
    expect(long).toContain('…');
    expect(long).toContain('1234/1300');
    expect(long).toContain('123456');
  });

  it('gives the flexible columns more room on a wide terminal', () => {
    const narrow = fleetColumns(80);
    const wide = fleetColumns(160);
    const width = (cols: typeof narrow, id: string) => cols.find((c) => c.id === id)!.width;
    expect(width(wide, 'REASONS')).toBeGreaterThan(width(narrow, 'REASONS'));
    expect(width(wide, 'NAME')).toBeLessThanOrEqual(40);
    expect(headerLine(wide).length).toBe(160);
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
