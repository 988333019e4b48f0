import { describe, expect, it } from 'vitest';
import { eventCells, historyLines, nodeCells, workloadCells, sectionSummary } from '../../../../tui/render/detail-rows.js';
import { DETAIL, NOW } from '../helpers.js';

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
