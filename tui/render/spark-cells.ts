// A row's sparkline as one cell of the fleet table: a glyph per value, eight levels, a blank where
// there is no value (a gap is not a zero). Ratios are drawn against 0–100% so rows compare; counts
// against the row's own highest value (a flat line of 40 pods and one of 400 look alike, the metrics
// pane has the numbers). Blocks ▁…█, or ASCII where the charts are (no UTF-8 locale). Pure.
import type { ChartUnit } from '../state/metrics.js';
import { BLOCKS } from './sparkline.js';

export const SPARK_ASCII = ['_', '.', '-', '~', '=', '+', '*', '#'] as const;

export function sparkText(values: readonly (number | null)[], unit: ChartUnit, ascii: boolean): string {
  const glyphs: readonly string[] = ascii ? SPARK_ASCII : BLOCKS;
  let top = 0;
  for (const v of values) if (v !== null && v > top) top = v;
  if (unit === 'ratio') top = Math.max(1, top);
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (v <= 0 || top <= 0) return glyphs[0];
      return glyphs[Math.min(glyphs.length - 1, Math.max(0, Math.ceil((v / top) * glyphs.length) - 1))];
    })
    .join('');
}
