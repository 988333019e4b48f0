// The logs view's sparkline: matches over the query's time range, one block character per bucket,
// scaled to the fullest bucket, and which level each bucket's colour says. Pure.
import type { LogHistogram } from '../../core/logs/api.js';
import type { LogLevel } from '../../core/logs/record.js';

export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export type SparkTone = 'error' | 'warn' | 'plain' | 'empty';

export interface SparkCell {
  char: string;
  tone: SparkTone;
}

const total = (b: Partial<Record<LogLevel, number>>): number => Object.values(b).reduce((sum, n) => sum + (n ?? 0), 0);

function tone(b: Partial<Record<LogLevel, number>>): SparkTone {
  if ((b.error ?? 0) + (b.fatal ?? 0) > 0) return 'error';
  if ((b.warn ?? 0) > 0) return 'warn';
  return total(b) > 0 ? 'plain' : 'empty';
}

/** One cell per bucket: a space for none, else the block for its share of the fullest bucket (at least the lowest). */
export function sparkCells(h: Pick<LogHistogram, 'buckets'>): SparkCell[] {
  const max = Math.max(0, ...h.buckets.map(total));
  return h.buckets.map((b) => {
    const n = total(b);
    if (n === 0 || max === 0) return { char: ' ', tone: 'empty' };
    const idx = Math.min(BLOCKS.length - 1, Math.max(0, Math.ceil((n / max) * BLOCKS.length) - 1));
    return { char: BLOCKS[idx] ?? '▁', tone: tone(b) };
  });
}

/** Adjacent cells of one tone joined, so the view draws a few runs instead of one element per bucket. */
export function sparkRuns(cells: readonly SparkCell[]): { text: string; tone: SparkTone }[] {
  const runs: { text: string; tone: SparkTone }[] = [];
  for (const c of cells) {
    const last = runs.at(-1);
    if (last && last.tone === c.tone) last.text += c.char;
    else runs.push({ text: c.char, tone: c.tone });
  }
  return runs;
}

/**
 * A live line counted into the histogram. A line past the range's end moves the range forward by
 * whole buckets (the oldest fall off), as a relative range like the last hour does between refreshes;
 * a line before the range is outside it and changes nothing.
 */
export function countLine(h: LogHistogram, tsMs: number, level: LogLevel): LogHistogram {
  if (tsMs < h.fromMs || h.bucketMs <= 0 || h.buckets.length === 0) return h;
  let { fromMs, toMs } = h;
  let buckets = h.buckets;
  if (tsMs >= toMs) {
    const steps = Math.floor((tsMs - toMs) / h.bucketMs) + 1;
    const kept = buckets.slice(Math.min(steps, buckets.length));
    buckets = [...kept, ...Array.from({ length: buckets.length - kept.length }, () => ({}))];
    fromMs += steps * h.bucketMs;
    toMs += steps * h.bucketMs;
  }
  const idx = Math.min(buckets.length - 1, Math.floor((tsMs - fromMs) / h.bucketMs));
  const next = buckets.slice();
  const b = { ...(next[idx] ?? {}) };
  b[level] = (b[level] ?? 0) + 1;
  next[idx] = b;
  return { ...h, fromMs, toMs, buckets: next, total: next.reduce((sum, x) => sum + total(x), 0) };
}
