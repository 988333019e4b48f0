// Line charts as text: one or several time series overlaid on one time axis, drawn in braille dots
// (2×4 a cell), in blocks (▁…█ as an area for one series; ▀ ▄ █ half-block lines for several) or in
// plain ASCII (a glyph a series: * + o x # @), with the y range's labels on the left and a time axis
// below. A null point is a gap, never a zero; points too far apart are not joined. Output is lines of
// runs, each run a series index (for its colour), the axis or the cursor, so the view only paints.
// Pure.
//
// Our own renderer, not a library's: @pppp606/ink-chart 0.2.8 (the one chart package for Ink 6 and
// React 19) draws its LineGraph in scan-line glyphs (⎺ ⎻ ─ ⎼ ⎽) from plain number arrays, so it has no
// braille, no ASCII fallback for terminals without those glyphs, no gaps and no cursor column, and as
// a component it cannot be tested as text; asciichart 1.5 and simple-ascii-chart 5.4 are string
// renderers without braille (asciichart's box-drawing glyphs are not ASCII either) or per-cell series.

export const CHART_MODES = ['braille', 'block', 'ascii'] as const;
export type ChartMode = (typeof CHART_MODES)[number];

/** [epoch ms, value]; null where the series has no value (a gap). */
export type ChartPoint = readonly [number, number | null];

/** What a run of cells is: a series (its index, for its colour), the axes and labels, or the cursor's column. */
export type ChartTone = number | 'axis' | 'cursor';

export interface ChartRun {
  text: string;
  tone: ChartTone;
}

export type ChartLine = ChartRun[];

export interface ChartSpec {
  /** Overlaid, drawn in this order: where two meet, the later one's colour shows. */
  series: readonly (readonly ChartPoint[])[];
  /** Cells of the plot, without the labels. */
  width: number;
  height: number;
  /** The time axis, epoch ms; points outside it are not drawn. */
  start: number;
  end: number;
  yMin: number;
  yMax: number;
  mode: ChartMode;
  /** Points further apart in time than this are not joined by a line; without it, any two with no null between. */
  maxGapMs?: number;
  /** The plot column of the time cursor, drawn as a vertical rule where no series is. */
  cursor?: number | null;
  /** Characters of the y labels to the left (0: none); the axis takes one more. */
  labelWidth?: number;
  yLabel?: (v: number) => string;
  /** Said in the middle of a plot with no value in it. */
  empty?: string;
}

const BRAILLE_BASE = 0x2800;
/** The bit of each dot of a braille cell, by [column][row] (dots 1–8 of U+2800). */
const BRAILLE_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;
export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** One glyph a series in ASCII, so overlaid series differ without colour. */
export const ASCII_GLYPHS = ['*', '+', 'o', 'x', '#', '@'] as const;

const GLYPHS = {
  braille: { rule: '│', cursor: '│', tick: '┤', corner: '└', line: '─', mark: '┴' },
  block: { rule: '│', cursor: '│', tick: '┤', corner: '└', line: '─', mark: '┴' },
  ascii: { rule: '|', cursor: ':', tick: '+', corner: '+', line: '-', mark: '^' },
} as const;

/** Horizontal and vertical pixels of one cell in a mode. */
function resolution(mode: ChartMode, overlaid: boolean): { x: number; y: number } {
  if (mode === 'braille') return { x: 2, y: 4 };
  if (mode === 'block') return overlaid ? { x: 1, y: 2 } : { x: 1, y: 8 };
  return { x: 1, y: 1 };
}

/**
 * The series folded into `n` columns over [start, end]: each column the mean of its values, null for
 * a column with only null points. A column with no point at all between two with values is filled
 * in along the line between them, unless the points on either side are more than maxGapMs apart.
 */
export function sampleSeries(points: readonly ChartPoint[], n: number, start: number, end: number, maxGapMs = Infinity): (number | null)[] {
  const span = end - start;
  if (n <= 0 || span <= 0) return [];
  const cols = Array.from({ length: n }, () => ({ seen: false, sum: 0, count: 0, first: Infinity, last: -Infinity }));
  for (const [t, v] of points) {
    const c = t >= start && t <= end ? cols[Math.min(n - 1, Math.floor(((t - start) / span) * n))] : undefined;
    if (!c) continue;
    c.seen = true;
    if (v === null) continue;
    c.sum += v;
    c.count += 1;
    c.first = Math.min(c.first, t);
    c.last = Math.max(c.last, t);
  }
  const out = cols.map((c) => (c.count > 0 ? c.sum / c.count : null));
  let prev: { i: number; v: number; last: number } | null = null;
  cols.forEach((c, i) => {
    const v = out[i];
    if (v === null || v === undefined) return;
    const between = prev ? cols.slice(prev.i + 1, i) : [];
    if (prev && between.length > 0 && between.every((b) => !b.seen) && c.first - prev.last <= maxGapMs) {
      const from = prev;
      between.forEach((_, k) => (out[from.i + 1 + k] = from.v + ((v - from.v) * (k + 1)) / (i - from.i)));
    }
    prev = { i, v, last: c.last };
  });
  return out;
}

/** The value as a pixel row counted from the bottom, 0..levels-1, clamped into the y range. */
function level(v: number, yMin: number, yMax: number, levels: number): number {
  if (yMax <= yMin) return 0;
  const r = Math.round(((v - yMin) / (yMax - yMin)) * (levels - 1));
  return Math.max(0, Math.min(levels - 1, r));
}

const POINT = 2;
const LINK = 1;

/** A series as pixels, x across and y up from the bottom: POINT where a column's value is, LINK on its way there from the column before. */
class Pixels {
  readonly px: Int8Array;
  constructor(
    readonly width: number,
    readonly levels: number,
  ) {
    this.px = new Int8Array(width * levels);
  }
  get(x: number, y: number): number {
    return this.px[x * this.levels + y] ?? 0;
  }
  set(x: number, y: number, kind: number): void {
    this.px[x * this.levels + y] = kind;
  }
}

/** The samples drawn as an unbroken line: each column climbs from the previous column's value to its own. */
function pixels(samples: readonly (number | null)[], levels: number, yMin: number, yMax: number): Pixels {
  const px = new Pixels(samples.length, levels);
  let prevY: number | null = null;
  samples.forEach((v, x) => {
    if (v === null) {
      prevY = null;
      return;
    }
    const y = level(v, yMin, yMax, levels);
    if (prevY !== null && Math.abs(y - prevY) > 1) {
      const step = y > prevY ? 1 : -1;
      for (let k = prevY + step; k !== y; k += step) px.set(x, k, LINK);
    }
    px.set(x, y, POINT);
    prevY = y;
  });
  return px;
}

/** Who a cell belongs to besides a series' index. */
const NONE = -1;
const CURSOR = -2;

/** The plot's cells, row 0 at the top, and whose each one is. */
export class PlotGrid {
  private readonly chars: string[];
  private readonly owners: Int16Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.chars = Array.from({ length: width * height }, () => ' ');
    this.owners = new Int16Array(width * height).fill(NONE);
  }
  char(row: number, col: number): string {
    return this.chars[row * this.width + col] ?? ' ';
  }
  owner(row: number, col: number): number {
    return this.owners[row * this.width + col] ?? NONE;
  }
  set(row: number, col: number, ch: string, owner: number): void {
    this.chars[row * this.width + col] = ch;
    this.owners[row * this.width + col] = owner;
  }
  /** Keeps the cell's owner: text over a blank plot. */
  write(row: number, col: number, ch: string): void {
    this.chars[row * this.width + col] = ch;
  }
  rowText(row: number): string {
    return this.chars.slice(row * this.width, (row + 1) * this.width).join('');
  }
}

/** Braille: each series' dots OR'd into the cells; a cell shows the colour of the last series in it. */
function drawBraille(grid: PlotGrid, all: readonly Pixels[]): void {
  const { width, height } = grid;
  const levels = height * 4;
  const bits = new Int32Array(width * height);
  const owner = new Int16Array(width * height).fill(NONE);
  all.forEach((px, s) => {
    for (let x = 0; x < width * 2; x++) {
      for (let y = 0; y < levels; y++) {
        if (px.get(x, y) === 0) continue;
        const fromTop = levels - 1 - y;
        const cell = Math.floor(fromTop / 4) * width + Math.floor(x / 2);
        bits[cell] = (bits[cell] ?? 0) | (BRAILLE_BITS[x % 2]?.[fromTop % 4] ?? 0);
        owner[cell] = s;
      }
    }
  });
  bits.forEach((b, cell) => {
    if (b !== 0) grid.set(Math.floor(cell / width), cell % width, String.fromCodePoint(BRAILLE_BASE + b), owner[cell] ?? NONE);
  });
}

/** Half blocks: two pixels a cell, upper ▀, lower ▄, both █. */
function drawHalfBlocks(grid: PlotGrid, all: readonly Pixels[]): void {
  const { width, height } = grid;
  const levels = height * 2;
  const halves = new Uint8Array(width * height);
  const owner = new Int16Array(width * height).fill(NONE);
  all.forEach((px, s) => {
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < levels; y++) {
        if (px.get(x, y) === 0) continue;
        const fromTop = levels - 1 - y;
        const cell = Math.floor(fromTop / 2) * width + x;
        halves[cell] = (halves[cell] ?? 0) | (fromTop % 2 === 0 ? 1 : 2);
        owner[cell] = s;
      }
    }
  });
  halves.forEach((h, cell) => {
    if (h !== 0) grid.set(Math.floor(cell / width), cell % width, h === 3 ? '█' : h === 1 ? '▀' : '▄', owner[cell] ?? NONE);
  });
}

/** One series as an area: full blocks up to the value, an eighth block for its remainder on top (▁ at the floor, so a zero shows). */
function drawArea(grid: PlotGrid, samples: readonly (number | null)[], yMin: number, yMax: number): void {
  const { height } = grid;
  const levels = height * 8;
  samples.forEach((v, x) => {
    if (v === null) return;
    const filled = level(v, yMin, yMax, levels) + 1;
    for (let r = 0; r < height && filled - r * 8 > 0; r++) grid.set(height - 1 - r, x, BLOCKS[Math.min(8, filled - r * 8) - 1] ?? '█', 0);
  });
}

/** ASCII: a series' glyph where its value is; its climbs `|` when it is alone, its glyph again when overlaid, so each stays told apart. */
function drawAscii(grid: PlotGrid, all: readonly Pixels[]): void {
  const { width, height } = grid;
  all.forEach((px, s) => {
    const glyph = ASCII_GLYPHS[s % ASCII_GLYPHS.length] ?? '*';
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        const p = px.get(x, y);
        if (p !== 0) grid.set(height - 1 - y, x, p === POINT || all.length > 1 ? glyph : '|', s);
      }
    }
  });
}

/** The plot alone: `height` rows of `width` cells and whose each one is (a series, nobody, or the cursor). */
export function plotGrid(spec: ChartSpec): PlotGrid {
  const { width, height, mode } = spec;
  const grid = new PlotGrid(Math.max(0, width), Math.max(0, height));
  if (width <= 0 || height <= 0) return grid;
  const overlaid = spec.series.length > 1;
  const res = resolution(mode, overlaid);
  const samples = spec.series.map((s) => sampleSeries(s, width * res.x, spec.start, spec.end, spec.maxGapMs));
  const [only] = samples;
  if (mode === 'block' && !overlaid) {
    if (only) drawArea(grid, only, spec.yMin, spec.yMax);
  } else {
    const all = samples.map((s) => pixels(s, height * res.y, spec.yMin, spec.yMax));
    if (mode === 'braille') drawBraille(grid, all);
    else if (mode === 'block') drawHalfBlocks(grid, all);
    else drawAscii(grid, all);
  }
  if (spec.empty && !samples.some((s) => s.some((v) => v !== null))) {
    const text = [...spec.empty.slice(0, width)];
    const row = Math.floor((height - 1) / 2);
    const at = Math.floor((width - text.length) / 2);
    text.forEach((ch, i) => grid.write(row, at + i, ch));
  }
  const c = spec.cursor;
  if (c !== null && c !== undefined && c >= 0 && c < width) {
    for (let row = 0; row < height; row++) if (grid.owner(row, c) === NONE && grid.char(row, c) === ' ') grid.set(row, c, GLYPHS[mode].cursor, CURSOR);
  }
  return grid;
}

function toneOf(owner: number): ChartTone | null {
  if (owner === CURSOR) return 'cursor';
  return owner === NONE ? null : owner;
}

/** A plot row as runs after `lead`: adjacent cells of one tone as one run; blank cells join whatever run they are in. */
function runs(grid: PlotGrid, row: number, lead: ChartRun[]): ChartLine {
  const out: ChartLine = lead.map((r) => ({ ...r }));
  for (let col = 0; col < grid.width; col++) {
    const ch = grid.char(row, col);
    const tone = toneOf(grid.owner(row, col));
    const last = out.at(-1);
    if (last && (tone === null || last.tone === tone)) last.text += ch;
    else out.push({ text: ch, tone: tone ?? 'axis' });
  }
  return out;
}

/** The chart's rows: the y labels (top and bottom) and the axis rule, then the plot. */
export function renderChart(spec: ChartSpec): ChartLine[] {
  const grid = plotGrid(spec);
  const labelWidth = spec.labelWidth ?? 0;
  const g = GLYPHS[spec.mode];
  return Array.from({ length: grid.height }, (_, row) => {
    if (labelWidth <= 0) return runs(grid, row, []);
    const edge = row === 0 || row === grid.height - 1;
    const v = row === 0 ? spec.yMax : spec.yMin;
    const label = edge && spec.yLabel ? spec.yLabel(v).slice(0, labelWidth).padStart(labelWidth) : ' '.repeat(labelWidth);
    return runs(grid, row, [{ text: `${label}${edge ? g.tick : g.rule}`, tone: 'axis' }]);
  });
}

/**
 * The time axis under a plot: the rule with the cursor's column marked, then the start, middle and
 * end times, each shown only where it fits without touching another.
 */
export function timeAxis(opts: { width: number; labelWidth: number; start: number; end: number; mode: ChartMode; cursor?: number | null; format: (ms: number) => string }): ChartLine[] {
  const g = GLYPHS[opts.mode];
  const { width, labelWidth } = opts;
  const pad = ' '.repeat(Math.max(0, labelWidth));
  const c = opts.cursor;
  const hasCursor = c !== null && c !== undefined && c >= 0 && c < width;
  const rule: ChartLine = hasCursor
    ? [
        { text: `${pad}${g.corner}${g.line.repeat(c)}`, tone: 'axis' },
        { text: g.mark, tone: 'cursor' },
        { text: g.line.repeat(width - c - 1), tone: 'axis' },
      ]
    : [{ text: `${pad}${g.corner}${g.line.repeat(Math.max(0, width))}`, tone: 'axis' }];
  const cells = Array.from({ length: width + 1 }, () => ' ');
  const put = (text: string, at: number): boolean => {
    if (at < 0 || at + text.length > cells.length) return false;
    // one blank either side of a label, so two never run together
    for (let i = Math.max(0, at - 1); i < Math.min(cells.length, at + text.length + 1); i++) if (cells[i] !== ' ') return false;
    [...text].forEach((ch, i) => (cells[at + i] = ch));
    return true;
  };
  const startText = opts.format(opts.start);
  const endText = opts.format(opts.end);
  put(startText, 0);
  put(endText, cells.length - endText.length);
  const midText = opts.format(opts.start + (opts.end - opts.start) / 2);
  put(midText, Math.round((cells.length - midText.length) / 2));
  return [rule, [{ text: `${pad}${cells.join('')}`.trimEnd(), tone: 'axis' }]];
}

/** A line's text, for tests and for measuring. */
export function lineText(line: ChartLine): string {
  return line.map((r) => r.text).join('');
}
