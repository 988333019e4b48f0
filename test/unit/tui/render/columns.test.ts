import { describe, expect, it } from 'vitest';
import { headerLine, joinCells, layoutColumns, MARKER_WIDTH, naturalTableWidth, priorityLayout, type PriorityColumnDef } from '../../../../tui/render/columns.js';

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

describe('priority layout', () => {
  // Display order a b c d; priority b (elastic), a, d, c.
  const defs: PriorityColumnDef<'a' | 'b' | 'c' | 'd'>[] = [
    { id: 'a', title: 'A', priority: 2 },
    { id: 'b', title: 'B', priority: 1, elastic: { min: 6 } },
    { id: 'c', title: 'C', priority: 4 },
    { id: 'd', title: 'D', priority: 3 },
  ];
  const natural = { a: 10, b: 30, c: 5, d: 8 };
  const shown = (width: number) => priorityLayout(defs, natural, width).map((c) => `${c.id} ${c.width}`);

  it('keeps columns by priority but draws them in their own order', () => {
    // marker 2, b at its minimum 6, a 1+10, d 1+8, c 1+5: 34 keeps all four
    expect(shown(34)).toEqual(['a 10', 'b 6', 'c 5', 'd 8']);
    expect(shown(33)).toEqual(['a 10', 'b 11', 'd 8']);
  });

  it('stops at the first column that does not fit, so a lower one never stays in its place', () => {
    // 2 + 6 + 11 = 19 for b and a; d needs 9 more, c (lower) would fit in 6 but must not stay instead
    expect(shown(25)).toEqual(['a 10', 'b 12']);
  });

  it('gives the elastic column what is left, beyond its content', () => {
    expect(shown(100)).toEqual(['a 10', 'b 72', 'c 5', 'd 8']);
  });

  it('always keeps the first column by priority, cut to the width', () => {
    expect(shown(5)).toEqual(['b 3']);
  });

  it('needs an elastic column only at its content width when that is below its minimum', () => {
    expect(priorityLayout(defs, { ...natural, b: 2 }, 2 + 2 + 11).map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('has a natural width at which every column shows at its own width', () => {
    expect(naturalTableWidth(defs, natural)).toBe(MARKER_WIDTH + 53 + 3);
    expect(shown(naturalTableWidth(defs, natural))).toEqual(['a 10', 'b 30', 'c 5', 'd 8']);
  });
});
