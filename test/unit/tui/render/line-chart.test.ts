// The chart renderer on small fixtures, exactly: braille dots, block areas and half-block lines, ASCII
// glyphs; gaps left blank, points too far apart not joined, series overlaid with their owners, the y
// labels, the cursor's column and the time axis.
import { describe, expect, it } from 'vitest';
import { lineText, plotGrid, renderChart, sampleSeries, timeAxis, type ChartMode, type ChartPoint, type ChartSpec } from '../../../../tui/render/line-chart.js';

const at = (values: (number | null)[], every = 10): ChartPoint[] => values.map((v, i) => [i * every, v]);
const RAMP = at([0, 1, 2, 3]);

function spec(over: Partial<ChartSpec> = {}): ChartSpec {
  return { series: [RAMP], width: 4, height: 2, start: 0, end: 40, yMin: 0, yMax: 3, mode: 'braille', ...over };
}

const text = (s: ChartSpec): string[] => renderChart(s).map(lineText);

describe('sampleSeries', () => {
  it('puts each point in its column, averages a column, and fills the columns between two points along the line', () => {
    expect(sampleSeries(RAMP, 4, 0, 40)).toEqual([0, 1, 2, 3]);
    const close = (xs: (number | null)[]) => xs.map((x) => (x === null ? null : Math.round(x * 1000) / 1000));
    expect(close(sampleSeries([[0, 0], [5, 2], [30, 3]], 4, 0, 40))).toEqual([1, 1.667, 2.333, 3]);
    // a point at the window's end is in the last column
    expect(close(sampleSeries([[0, 0], [40, 4]], 4, 0, 40))).toEqual([0, 1.333, 2.667, 4]);
  });

  it('leaves a null point a gap, and does not join points further apart than maxGapMs', () => {
    expect(sampleSeries(at([0, null, 2, 3]), 4, 0, 40)).toEqual([0, null, 2, 3]);
    expect(sampleSeries([[0, 0], [30, 3]], 4, 0, 40)).toEqual([0, 1, 2, 3]);
    expect(sampleSeries([[0, 0], [30, 3]], 4, 0, 40, 10)).toEqual([0, null, null, 3]);
    expect(sampleSeries([[0, null], [30, null]], 4, 0, 40)).toEqual([null, null, null, null]);
  });

  it('ignores points outside the window', () => {
    expect(sampleSeries([[-10, 9], [10, 1], [50, 9]], 4, 0, 40)).toEqual([null, 1, null, null]);
    expect(sampleSeries(RAMP, 0, 0, 40)).toEqual([]);
  });
});

describe('renderChart', () => {
  it('draws braille: 2×4 dots a cell, each column climbing to its value from the one before', () => {
    // 8 dot columns: the ramp's points at 0, 2, 4 and 6, the columns between them filled in.
    expect(text(spec())).toEqual([' ⢀⠔⠁', '⡠⠊  ']);
  });

  it('draws one series in blocks as an area, a zero as the lowest block', () => {
    expect(text(spec({ mode: 'block' }))).toEqual(['  ▃█', '▁▆██']);
  });

  it('draws ASCII with one glyph a point, | on a climb', () => {
    expect(text(spec({ mode: 'ascii' }))).toEqual(['  **', '**  ']);
    expect(text(spec({ mode: 'ascii', series: [at([0, 3, 3, 0])], height: 4 }))).toEqual([' ** ', ' | |', ' | |', '*  *']);
  });

  it('leaves gaps blank in every mode, never drawing them as zero', () => {
    const gappy = spec({ series: [at([0, null, 2, 3])] });
    expect(text({ ...gappy, mode: 'ascii' })).toEqual(['  **', '*   ']);
    expect(text({ ...gappy, mode: 'block' })).toEqual(['  ▃█', '▁ ██']);
    // braille: nothing joins 0 to 2 across the null, so the dot columns between them stay empty
    expect(text(gappy)).toEqual(['  ⠔⠁', '⡀   ']);
  });

  it('does not join points further apart than maxGapMs', () => {
    const sparse = spec({ series: [[[0, 0], [30, 3]]], mode: 'ascii' });
    expect(text(sparse)).toEqual(['  **', '**  ']);
    expect(text({ ...sparse, maxGapMs: 10 })).toEqual(['   *', '*   ']);
  });

  it('clamps values outside the y range to its edges', () => {
    expect(text(spec({ series: [at([-5, 1, 2, 9])], mode: 'ascii' }))).toEqual(['  **', '**  ']);
  });

  it('overlays series, each cell owned by the last series drawn in it', () => {
    const two = spec({ series: [at([0, 0, 3, 3]), at([3, 3, 0, 0])] });
    expect(text({ ...two, mode: 'ascii' })).toEqual(['++**', '**++']);
    // several series in blocks are half-block lines, so one does not hide another
    expect(text({ ...two, mode: 'block', height: 1 })).toEqual(['████']);
    expect(text({ ...two, mode: 'block', height: 2 })).toEqual(['▀▀█▀', '▄▄█▄']);
    expect(text(two)).toEqual(['⠉⢱⠏⠁', '⣀⡸⣇⡀']);
    const lines = renderChart({ ...two, mode: 'ascii' });
    expect(lines[0]).toEqual([
      { text: '++', tone: 1 },
      { text: '**', tone: 0 },
    ]);
    expect(lines[1]).toEqual([
      { text: '**', tone: 0 },
      { text: '++', tone: 1 },
    ]);
    const braille = plotGrid({ ...two, mode: 'braille' });
    expect([0, 1, 2, 3].map((c) => braille.owner(0, c))).toEqual([1, 1, 0, 0]);
    expect([0, 1, 2, 3].map((c) => braille.owner(1, c))).toEqual([0, 0, 1, 1]);
  });

  it('gives each overlaid series its own ASCII glyph, on its climbs too', () => {
    const three = spec({ series: [at([0, 0, 0, 0]), at([1, 1, 1, 1]), at([0, 3, 0, 3])], height: 4, mode: 'ascii' });
    expect(text(three)).toEqual([' o o', ' ooo', '+ooo', 'o*o*']);
  });

  it('puts the y range on the left: the top label on the first row, the bottom one on the last', () => {
    const labelled = spec({ mode: 'ascii', labelWidth: 3, yLabel: (v) => `${v}%`, height: 3 });
    expect(text(labelled)).toEqual([' 3%+   *', '   | ** ', ' 0%+*   ']);
    expect(text({ ...labelled, mode: 'braille' })).toEqual([' 3%┤  ⢠⠃', '   │ ⡰⠁ ', ' 0%┤⡰⠁  ']);
    expect(text({ ...labelled, yLabel: () => 'toolong' })[0]?.slice(0, 4)).toBe('too+');
    expect(renderChart(labelled)[0]?.[0]).toEqual({ text: ' 3%+   ', tone: 'axis' });
  });

  it('draws the cursor as a rule in its column wherever no series is', () => {
    const cursor = spec({ mode: 'ascii', height: 3, cursor: 1 });
    expect(text(cursor)).toEqual([' : *', ' ** ', '*:  ']);
    expect(renderChart(cursor)[0]).toEqual([
      { text: ' ', tone: 'axis' },
      { text: ': ', tone: 'cursor' },
      { text: '*', tone: 0 },
    ]);
    expect(text({ ...cursor, mode: 'braille' })).toEqual([' │⢠⠃', ' ⡰⠁ ', '⡰⠁  ']);
    expect(text({ ...cursor, cursor: 9 })).toEqual(text({ ...cursor, cursor: null }));
  });

  it('says so in the middle of a plot with no value', () => {
    expect(text(spec({ series: [at([null, null])], width: 8, height: 3, empty: 'none' }))).toEqual(['        ', '  none  ', '        ']);
    expect(text(spec({ series: [], width: 6, height: 1, empty: 'no points' }))).toEqual(['no poi']);
  });

  it('draws nothing for a plot of no size', () => {
    expect(text(spec({ width: 0 }))).toEqual(['', '']);
    expect(text(spec({ height: 0 }))).toEqual([]);
  });
});

describe('timeAxis', () => {
  const axis = (mode: ChartMode, cursor: number | null = null, width = 4) => timeAxis({ width, labelWidth: 3, start: 0, end: 40, mode, cursor, format: (ms) => String(ms / 10) });

  it('draws the rule under the plot and the start, middle and end times that fit', () => {
    expect(axis('braille').map(lineText)).toEqual(['   └────', '   0 2 4']);
    expect(axis('ascii').map(lineText)).toEqual(['   +----', '   0 2 4']);
    expect(axis('block', null, 2).map(lineText)).toEqual(['   └──', '   0 4']);
    // one cell: the end time would touch the start time, so only the start is said
    expect(axis('braille', null, 1).map(lineText)).toEqual(['   └─', '   0']);
  });

  it("marks the cursor's column on the rule", () => {
    expect(axis('braille', 1).map(lineText)[0]).toBe('   └─┴──');
    expect(axis('ascii', 3).map(lineText)[0]).toBe('   +---^');
    expect(axis('ascii', 1)[0]).toEqual([
      { text: '   +-', tone: 'axis' },
      { text: '^', tone: 'cursor' },
      { text: '--', tone: 'axis' },
    ]);
  });
});
