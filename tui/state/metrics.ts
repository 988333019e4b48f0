// The metrics view's data: the ranges it offers, the charts it draws (in the order they give way on a
// small terminal), a cluster's range answer as it is held (only the charted series, live points
// appended to the last hour), the time window the charts share, the values read at the cursor, and
// the logs query for a moment. Pure.
import { ageSince, formatAge } from '../../core/duration.js';
import type { EdgeState, LivePoint, MetricsPoint, MetricsRange } from '../../core/metrics/api.js';
import { formatCount } from '../../core/units.js';

export const RANGES = ['1h', '6h', '24h', '7d'] as const;
export type RangeName = (typeof RANGES)[number];
export const RANGE_MS: Record<RangeName, number> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };
/** The range the `metrics:<cluster>` topic keeps current; the others are asked again every REFRESH_MS. */
export const LIVE_RANGE: RangeName = '1h';

export type ChartUnit = 'ratio' | 'count' | 'per_second' | 'per_minute';

export interface ChartDef {
  /** The series of core/metrics/series.ts it draws. */
  series: string;
  title: string;
  unit: ChartUnit;
}

/** The charts, most wanted first: a small terminal shows the first few. */
export const CHARTS: readonly ChartDef[] = [
  { series: 'cpu_used_ratio', title: 'CPU used', unit: 'ratio' },
  { series: 'memory_used_ratio', title: 'memory used', unit: 'ratio' },
  { series: 'pods_running', title: 'pods running', unit: 'count' },
  { series: 'error_lines_per_minute', title: 'error lines', unit: 'per_minute' },
  { series: 'restarts', title: 'restarts', unit: 'count' },
  { series: 'pods_pending', title: 'pods pending', unit: 'count' },
  { series: 'pods_failed', title: 'pods failed', unit: 'count' },
  { series: 'warning_events', title: 'warning events', unit: 'count' },
  { series: 'nodes_ready', title: 'nodes ready', unit: 'count' },
  { series: 'log_lines_per_second', title: 'log lines shipped', unit: 'per_second' },
  { series: 'failed_jobs', title: 'failed jobs (last hour)', unit: 'count' },
  { series: 'pod_density_ratio', title: 'pod density', unit: 'ratio' },
];

export const CHART_SERIES: readonly string[] = CHARTS.map((c) => c.series);

/** A cluster's series over a range, as the view holds them. */
export interface HeldRange {
  /** Epoch ms: the range asked for, its end moved on by live points. */
  start: number;
  end: number;
  stepMs: number;
  resolution: string;
  /** The daemon asked the central Prometheus for this answer (it answered, or `warning` says it did not). */
  prometheus: boolean;
  /** The daemon's word that Prometheus did not answer and these are its own series. */
  warning?: string;
  /** Prometheus answered but is not getting the cluster's series. */
  edge?: EdgeState;
  /** Each charted series' points, oldest first. */
  points: Readonly<Record<string, readonly MetricsPoint[]>>;
}

export function holdRange(r: MetricsRange, names: readonly string[] = CHART_SERIES): HeldRange {
  const points: Record<string, readonly MetricsPoint[]> = {};
  for (const s of r.series) if (names.includes(s.name)) points[s.name] = s.points;
  return {
    start: Date.parse(r.start),
    end: Date.parse(r.end),
    stepMs: r.stepSeconds * 1000,
    resolution: r.resolution,
    prometheus: r.source === 'prometheus' || r.warning !== undefined,
    ...(r.warning ? { warning: r.warning } : {}),
    ...(r.edge ? { edge: r.edge } : {}),
    points,
  };
}

/**
 * What the pane says about the central Prometheus, one line, or null when there is nothing to say:
 * that it did not answer, or that it is not getting the cluster's series and how old the data is.
 */
export function prometheusNote(held: Pick<HeldRange, 'warning' | 'edge'> | null, now: number): string | null {
  if (!held) return null;
  if (held.warning) return "! Prometheus did not answer: the daemon's own series";
  const e = held.edge;
  if (!e) return null;
  const age = e.newestData === null ? 'no data in range' : `data ${formatAge(ageSince(e.newestData, now))} old`;
  if (e.down.includes('flotilla-federate')) return `! edge Prometheus down (up == 0) · ${age}`;
  if (e.down.length > 0) return `! edge scrape failing: ${e.down.join(', ')} · ${age}`;
  if (e.newestSample === null) return "! Prometheus has nothing of this cluster's edge: not federated yet?";
  return `! nothing from the edge for ${formatAge(ageSince(e.newestSample, now))} · ${age}`;
}

const lastTime = (points: readonly MetricsPoint[] | undefined): number => points?.at(-1)?.[0] ?? -Infinity;

/**
 * A fresh answer in place of what is held. Live points newer than its end (stored after it was
 * read) are kept behind it, so a reconnect's snapshot or a late answer never takes back a point.
 */
export function replaceRange(held: HeldRange | null, next: HeldRange): HeldRange {
  if (!held) return next;
  let end = next.end;
  const points: Record<string, readonly MetricsPoint[]> = { ...next.points };
  for (const [name, old] of Object.entries(held.points)) {
    const tail = old.filter((p) => p[0] > next.end);
    if (tail.length === 0) continue;
    points[name] = [...(next.points[name] ?? []), ...tail];
    end = Math.max(end, lastTime(tail));
  }
  return { ...next, end, points };
}

/**
 * The live topic's snapshot in place of what is held: as replaceRange, but the snapshot is always
 * the daemon's own series, so what a range answer said of Prometheus (asked, did not answer, an edge
 * not sending) stays said until the next range answer.
 */
export function replaceWithSnapshot(held: HeldRange | null, next: HeldRange): HeldRange {
  const merged = replaceRange(held, next);
  if (!held) return merged;
  const { warning: _w, edge: _e, ...rest } = merged;
  return { ...rest, prometheus: held.prometheus, ...(held.warning ? { warning: held.warning } : {}), ...(held.edge ? { edge: held.edge } : {}) };
}

/**
 * Report values appended to the last hour held: one point each (its value as average and maximum,
 * null where the report had none), the window moved to the newest and what fell out of it dropped.
 * Points no newer than what is held are in it already.
 */
export function appendLive(held: HeldRange, live: readonly LivePoint[], keepMs: number): HeldRange {
  const fresh = live.filter((p) => p.t > held.end).sort((a, b) => a.t - b.t);
  const newest = fresh.at(-1);
  if (!newest) return held;
  const end = newest.t;
  const start = end - keepMs;
  const points: Record<string, readonly MetricsPoint[]> = {};
  const names = new Set([...Object.keys(held.points), ...fresh.flatMap((p) => Object.keys(p.values).filter((n) => CHART_SERIES.includes(n)))]);
  for (const name of names) {
    const added = fresh.map((p): MetricsPoint => {
      const v = p.values[name] ?? null;
      return [p.t, v, v];
    });
    const kept = (held.points[name] ?? []).filter((p) => p[0] >= start - held.stepMs);
    points[name] = [...kept, ...added];
  }
  return { ...held, start, end, points };
}

/** The time the charts share: the newest end of the clusters held, the range back from it. */
export interface ChartWindow {
  start: number;
  end: number;
  /** The coarsest step held: points further apart than a few steps are a gap. */
  stepMs: number;
  resolution: string;
  /** Set when any cluster's answer came from the embedded series because Prometheus did not answer. */
  warning?: string;
}

export function chartWindow(held: readonly (HeldRange | null)[], range: RangeName): ChartWindow | null {
  const have = held.filter((h): h is HeldRange => h !== null);
  const [first] = have;
  if (!first) return null;
  const end = Math.max(...have.map((h) => h.end));
  const warning = have.find((h) => h.warning)?.warning;
  return { start: end - RANGE_MS[range], end, stepMs: Math.max(...have.map((h) => h.stepMs)), resolution: first.resolution, ...(warning ? { warning } : {}) };
}

/** The span of the plot column `col` of `width`. */
export function columnSpan(w: Pick<ChartWindow, 'start' | 'end'>, width: number, col: number): { from: number; to: number; mid: number } {
  const size = (w.end - w.start) / Math.max(1, width);
  const from = w.start + col * size;
  return { from, to: from + size, mid: from + size / 2 };
}

/** The y range of a chart: ratios from 0 to 100% (or the highest seen, past it), counts from 0 to a round number over the highest. */
export function yRange(unit: ChartUnit, series: readonly (readonly MetricsPoint[])[], from: number): { min: number; max: number } {
  let top = 0;
  for (const points of series) for (const p of points) if (p[0] >= from && p[1] !== null && p[1] > top) top = p[1];
  if (unit === 'ratio') return { min: 0, max: Math.max(1, top) };
  return { min: 0, max: niceCeil(top) };
}

/** The least of 1, 2 and 5 times a power of ten that is not under v (at least 1). */
export function niceCeil(v: number): number {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5]) if (m * p >= v) return m * p;
  return 10 * p;
}

const num = (v: number): string => (v < 10 && !Number.isInteger(v) ? v.toFixed(1) : formatCount(v));

/** A value as the chart's title says it; – for none. */
export function formatValue(unit: ChartUnit, v: number | null): string {
  if (v === null) return '–';
  switch (unit) {
    case 'ratio': {
      const pct = v * 100;
      return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
    }
    case 'per_minute':
      return `${num(v)}/min`;
    case 'per_second':
      return `${num(v)}/s`;
    case 'count':
      return num(v);
  }
}

/** A y label: at most 5 characters. */
export function axisLabel(unit: ChartUnit, v: number): string {
  return unit === 'ratio' ? `${Math.round(v * 100)}%` : num(v);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A time on the axis, UTC: HH:MM, or MM-DD over a week. */
export function axisTime(range: RangeName, ms: number): string {
  const d = new Date(ms);
  if (range === '7d') return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** The cursor's time, UTC: to the second over hours, MM-DD HH:MM over a day or more. */
export function cursorTime(range: RangeName, ms: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  if (range === '24h' || range === '7d') return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hm}`;
  return `${hm}:${pad2(d.getUTCSeconds())}`;
}

/** RFC 3339 to the second, as the query language reads it. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Logs around a moment: the clusters' lines from `halfMs` before it, up to `halfMs` after it, or live on from there without an end. */
export function logsQueryAt(clusters: readonly string[], at: number, halfMs: number, bounded: boolean): string {
  const since = `since:${isoSeconds(Math.floor((at - halfMs) / 1000) * 1000)}`;
  const until = bounded ? ` until:${isoSeconds(Math.ceil((at + halfMs) / 1000) * 1000)}` : '';
  return `cluster:${clusters.join(',')} ${since}${until}`;
}
