import { describe, expect, it } from 'vitest';
import { headerLine, joinCells, layoutColumns, MARKER_WIDTH } from '../../../../tui/render/columns.js';

describe('column layout', () => {
  it('distributes width by weight and respects minimums', () => {
    const cols = layoutColumns([{ id: 'a', title: 'A', flex: 1, min: 5 }, { id: 'b', title: 'B', width: 4 }, { id: 'c', title: 'C', flex: 1, min: 5 }], 30);
    expect(cols.reduce((s, c) => s + c.width, 0) + 2 + MARKER_WIDTH).toBe(30);
    expect(cols.find((c) => c.id === 'b')!.width).toBe(4);
    for (const c of cols) expect(c.width).toBeGreaterThanOrEqual(4);
  });

  it('pads a header and a row to the same width', () => {
    const cols = layoutColumns([{ id: 'a', title: 'NAME', flex: 1, min: 5 }, { id: 'b', title: 'N', width: 3, align: 'right' }], 20);
    expect(headerLine(cols).length).toBe(joinCells(cols, ['x', '7']).length + MARKER_WIDTH);
  });

  it('caps a flexible column at its maximum and gives the rest to the last uncapped one', () => {
    const cols = layoutColumns([{ id: 'a', title: 'A', flex: 1, max: 6 }, { id: 'b', title: 'B', flex: 1 }], 40);
    expect(cols[0]!.width).toBe(6);
    expect(cols[0]!.width + cols[1]!.width + 1 + MARKER_WIDTH).toBe(40);
  });
});
