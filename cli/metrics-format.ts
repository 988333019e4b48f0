// `flotilla metrics query` as text: per series a line with its last value, range and a sparkline
// over the whole range (gaps as spaces), then the points themselves. Pure.
import type { MetricsRange } from '../core/metrics/api.js';
import { renderTable } from './table.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value; null is a gap. The scale is the values' own min..max. */
export function sparkline(values: readonly (number | null)[]): string {
  const nums = values.filter((v): v is number => v !== null);
  if (nums.length === 0) return ' '.repeat(values.length);
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  return values.map((v) => (v === null ? ' ' : BARS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))])).join('');
}

const num = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : 2));

/** At most this many characters of sparkline; longer ranges are folded by taking each chunk's mean. */
const SPARK_WIDTH = 60;

function folded(values: readonly (number | null)[]): (number | null)[] {
  if (values.length <= SPARK_WIDTH) return [...values];
  const size = values.length / SPARK_WIDTH;
  return Array.from({ length: SPARK_WIDTH }, (_, i) => {
    const chunk = values.slice(Math.floor(i * size), Math.floor((i + 1) * size)).filter((v): v is number => v !== null);
    return chunk.length ? chunk.reduce((a, b) => a + b, 0) / chunk.length : null;
  });
}

export function metricsText(r: MetricsRange): string {
  const out = [`${r.cluster}  ${r.start} .. ${r.end}  step ${r.stepSeconds}s  (${r.source}, ${r.resolution})`];
  for (const s of r.series) {
    const avgs = s.points.map((p) => p[1]);
    const nums = avgs.filter((v): v is number => v !== null);
    const last = nums.at(-1) ?? null;
    out.push('', `${s.name} (${s.unit})  last ${num(last)}  min ${num(nums.length ? Math.min(...nums) : null)}  max ${num(s.points.reduce<number | null>((m, p) => (p[2] !== null && (m === null || p[2] > m) ? p[2] : m), null))}`, `  ${sparkline(folded(avgs))}`);
    if (nums.length === 0) {
      out.push('  no points in this range: the cluster has not reported in it (or the daemon kept none this old)');
      continue;
    }
    out.push(renderTable(['TIME', 'VALUE', 'MAX'], s.points.filter((p) => p[1] !== null).map((p) => [new Date(p[0]).toISOString(), num(p[1]), num(p[2])])).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
