import { describe, expect, it } from 'vitest';
import { fleetCells, fleetColumns, formatReasons, isStale, dataAgeMs } from '../../../../tui/render/fleet-row.js';
import { headerLine, joinCells, layoutColumns, MARKER_WIDTH } from '../../../../tui/render/columns.js';
import { eventCells, historyLines, nodeCells, workloadCells, sectionSummary } from '../../../../tui/render/detail-rows.js';
import { fleetCountsText, staleBannerText, freshestText } from '../../../../tui/render/summary.js';
import { fit } from '../../../../tui/render/text.js';
import { selectSummary } from '../../../../tui/state/select.js';
import { DETAIL, NOW, ROWS } from '../helpers.js';

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
      '3s',
    ]);
    expect(fleetCells(byName('edge-store-0417'), NOW, columns)).toEqual(['edge-store-0417', 'unknown', '', '-', '0/0', '0/0', '0', '-']);
  });

  it('fits every column into 80 columns, truncating with an ellipsis', () => {
    const columns = fleetColumns(80);
    expect(columns.map((c) => c.id)).toEqual(['NAME', 'HEALTH', 'REASONS', 'K8S', 'NODES', 'PODS', 'RESTARTS', 'AGE']);
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

  it('distributes width by weight and respects minimums', () => {
    const cols = layoutColumns([{ id: 'a', title: 'A', flex: 1, min: 5 }, { id: 'b', title: 'B', width: 4 }, { id: 'c', title: 'C', flex: 1, min: 5 }], 30);
    expect(cols.reduce((s, c) => s + c.width, 0) + 2 + MARKER_WIDTH).toBe(30);
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('7', 3, 'right')).toBe('  7');
  });
});

describe('detail rows', () => {
  it('formats nodes with usage of capacity', () => {
    expect(nodeCells(DETAIL.nodes[0]!)).toEqual(['us1-n1', 'Ready', 'enabled', '1.2/4.0 30%', '3.1/16.0 19%']);
    expect(nodeCells(DETAIL.nodes[2]!)[1]).toBe('NotReady KubeletNotReady');
    expect(nodeCells(DETAIL.nodes[1]!)[2]).toBe('disabled');
  });

  it('formats workloads and events', () => {
    expect(workloadCells(DETAIL.workloads[1]!)).toEqual(['payments/ledger', 'Deployment', '0/2']);
    expect(eventCells(DETAIL.events[0]!, NOW)).toEqual(['30s', 'BackOff', 'payments/pod/ledger-7f9', 'Back-off restarting failed container ledger (×31)']);
    expect(eventCells(DETAIL.events[2]!, NOW)[2]).toBe('node/us1-n3');
    expect(sectionSummary(DETAIL, 'nodes')).toBe('3/5 ready');
  });

  it('merges transitions and rejections newest first', () => {
    expect(historyLines(DETAIL, NOW, 3).map((h) => h.text)).toEqual([
      '1m ago  rejected clusters/prod-us-1/status.json: signature by unknown key',
      '2m ago  degraded → critical: 2 of 5 nodes NotReady',
      '10m ago  healthy → degraded: node us1-n3 NotReady',
    ]);
  });
});

describe('header and banner text', () => {
  it('counts clusters by health', () => {
    const summary = selectSummary({ rev: 1, rows: new Map(ROWS.map((r) => [r.name, r])), gap: null, delta: null });
    expect(fleetCountsText(summary)).toBe('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable · 1 unknown');
    expect(freshestText(summary, NOW)).toBe('newest report 1s old');
  });

  it('says how old the data is while reconnecting', () => {
    const conn = { status: 'reconnecting' as const, since: NOW, attempt: 3, lastError: 'daemon not reachable', lostAt: NOW - 42_000, retryAt: NOW + 1000 };
    expect(staleBannerText(conn, NOW, true)).toBe('connection lost — reconnecting (attempt 3); data is 42s old — daemon not reachable');
    expect(staleBannerText({ status: 'open', since: NOW, identity: { name: 'a', role: 'viewer' } }, NOW, true)).toBeNull();
    expect(staleBannerText({ status: 'connecting', since: NOW, attempt: 1, lastError: null, lostAt: null }, NOW, false)).toBe('not connected — connecting (attempt 1); no data yet');
  });
});
