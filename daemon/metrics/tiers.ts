// The embedded series' resolutions (docs/METRICS.md, "Embedded series"): every report for two hours,
// then minute, ten-minute and hour averages and maxima kept longer, so a week costs a cluster about
// 3,000 rows however often it reports. Which tier answers a range, and how points fold into steps.
// Pure.

export interface Tier {
  id: number;
  name: string;
  /** 0: every report as it came. */
  resolutionMs: number;
  retentionMs: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { id: 0, name: 'raw', resolutionMs: 0, retentionMs: 2 * HOUR },
  { id: 1, name: '1m', resolutionMs: MIN, retentionMs: DAY },
  { id: 2, name: '10m', resolutionMs: 10 * MIN, retentionMs: 7 * DAY },
  { id: 3, name: '1h', resolutionMs: HOUR, retentionMs: 90 * DAY },
];

export const COARSE_TIERS: readonly Tier[] = TIERS.filter((t) => t.resolutionMs > 0);
/** The longest range the embedded series can answer. */
export const MAX_RANGE_MS = (TIERS.at(-1) as Tier).retentionMs;
/** Points per series in one answer, as Prometheus caps query_range. */
export const MAX_POINTS = 11_000;

export function bucketStart(tMs: number, resolutionMs: number): number {
  return Math.floor(tMs / resolutionMs) * resolutionMs;
}

/**
 * Of the tiers that still hold `startMs`, the coarsest no coarser than the step (fewest rows for the
 * same answer); the finest of them when the step is finer than all; the coarsest tier when none holds it.
 */
export function tierFor(startMs: number, nowMs: number, stepMs: number): Tier {
  const holding = TIERS.filter((t) => nowMs - t.retentionMs <= startMs);
  if (holding.length === 0) return TIERS.at(-1) as Tier;
  return holding.filter((t) => t.resolutionMs <= stepMs).at(-1) ?? (holding[0] as Tier);
}

export interface StoredPoint {
  t: number;
  avg: number;
  max: number;
}

/**
 * Folds a tier's points into steps of stepMs from startMs to endMs: the mean of the averages and
 * the largest maximum in each step, null for a step with none (a gap is shown as a gap).
 */
export function foldSteps(points: readonly StoredPoint[], startMs: number, endMs: number, stepMs: number): { t: number; avg: number | null; max: number | null }[] {
  const first = bucketStart(startMs, stepMs);
  const n = Math.max(0, Math.floor((endMs - first) / stepMs) + 1);
  const sum = new Float64Array(n);
  const count = new Uint32Array(n);
  const max = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (const p of points) {
    const i = Math.floor((p.t - first) / stepMs);
    if (i < 0 || i >= n || Number.isNaN(p.avg)) continue;
    sum[i] = (sum[i] as number) + p.avg;
    count[i] = (count[i] as number) + 1;
    if (!Number.isNaN(p.max) && p.max > (max[i] as number)) max[i] = p.max;
  }
  return Array.from({ length: n }, (_, i) => {
    const c = count[i] as number;
    return { t: first + i * stepMs, avg: c ? (sum[i] as number) / c : null, max: c && Number.isFinite(max[i]) ? (max[i] as number) : null };
  });
}
