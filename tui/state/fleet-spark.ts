// The fleet table's sparkline column: one series (CPU by default, `S` cycles) over the last hour for
// every row, all on one time axis. Each cluster's values are held in a ring of 60 one-minute buckets
// (sum and count, so several reports in a minute average), fed by the `metrics` topic (every
// cluster's points, live) and filled once per row, for the rows on screen only, by a `metrics.range`
// call of the last hour at a one-minute step, a few at a time. The axis ends at the newest point the
// daemon sent (its clock, not the console's), so every row is read against the same minutes. Pure.
import type { LivePoint, MetricsPoint } from '../../core/metrics/api.js';
import { firstIssue } from '../../core/schema-issue.js';
import { MetricsRangeSchema } from '../frames.js';
import { SPARK_COLUMN_WIDTH } from '../render/fleet-row.js';
import type { CallOutcome } from './calls.js';
import type { ChartUnit } from './metrics.js';
import type { ViewCall } from './view-model.js';

export interface SparkSeries {
  series: string;
  /** The column's title, with " 1h". */
  title: string;
  /** Said when `S` picks it. */
  name: string;
  unit: ChartUnit;
}

export const SPARK_SERIES: readonly SparkSeries[] = [
  { series: 'cpu_used_ratio', title: 'CPU', name: 'CPU used', unit: 'ratio' },
  { series: 'memory_used_ratio', title: 'MEM', name: 'memory used', unit: 'ratio' },
  { series: 'pods_running', title: 'PODS', name: 'pods running', unit: 'count' },
  { series: 'error_lines_per_minute', title: 'ERR', name: 'error lines per minute', unit: 'per_minute' },
];

export const MINUTE_MS = 60_000;
/** Buckets of a ring: one a minute, the last hour. */
export const SPARK_MINUTES = 60;
/** Cells of the column: five minutes each. */
export const SPARK_WIDTH = SPARK_COLUMN_WIDTH;
/** Fill calls on their way at once: a screenful of rows is filled a few at a time, never all at once. */
export const SPARK_CONCURRENCY = 4;
/** A failed fill is asked again after this long. */
export const SPARK_RETRY_MS = 30_000;

/** One cluster's last hour: slot `minute mod 60` holds that minute's sum and count of values. */
export interface Ring {
  /** The epoch minute each slot holds; -1 for none. */
  readonly minute: Int32Array;
  readonly sum: Float64Array;
  readonly count: Float64Array;
}

/** A row's fill: the call on its way, done, or failed (and when). */
export interface SparkFill {
  ref: string | null;
  done: boolean;
  failedAt: number | null;
}

export interface SparkState {
  /** Index into SPARK_SERIES. */
  series: number;
  rings: ReadonlyMap<string, Ring>;
  fills: ReadonlyMap<string, SparkFill>;
  /** The newest time the daemon sent (a live point, or the end of a fill): where the shared axis ends. */
  clock: number | null;
  /** Numbers the fill refs, so an answer for another series is recognised as stale. */
  seq: number;
}

export type SparkDataAction = { type: 'metrics/fleetSnapshot'; rev: number } | { type: 'metrics/fleetPoints'; rev: number; points: LivePoint[] };

export function initialSpark(): SparkState {
  return { series: 0, rings: new Map(), fills: new Map(), clock: null, seq: 0 };
}

export function sparkSeries(s: SparkState): SparkSeries {
  return SPARK_SERIES[s.series] ?? (SPARK_SERIES[0] as SparkSeries);
}

/** The column's title: the series and the span, "CPU 1h". */
export function sparkTitle(s: SparkState): string {
  return `${sparkSeries(s).title} 1h`;
}

function emptyRing(): Ring {
  return { minute: new Int32Array(SPARK_MINUTES).fill(-1), sum: new Float64Array(SPARK_MINUTES), count: new Float64Array(SPARK_MINUTES) };
}

function copyRing(r: Ring): Ring {
  return { minute: r.minute.slice(), sum: r.sum.slice(), count: r.count.slice() };
}

/**
 * Puts a value in its minute's slot (of a ring the caller owns). A slot holding a newer minute keeps
 * it (the value is older than the ring's hour); an older minute gives way. `add` averages live
 * values of one minute; `fill` sets a minute no live value has reached.
 */
function put(r: Ring, minute: number, v: number, how: 'add' | 'fill'): void {
  const slot = ((minute % SPARK_MINUTES) + SPARK_MINUTES) % SPARK_MINUTES;
  const held = r.minute[slot] as number;
  if (held > minute) return;
  if (held === minute) {
    if (how === 'fill') return;
    r.sum[slot] = (r.sum[slot] as number) + v;
    r.count[slot] = (r.count[slot] as number) + 1;
    return;
  }
  r.minute[slot] = minute;
  r.sum[slot] = v;
  r.count[slot] = 1;
}

/** The mean of a minute, or null where the ring has no value of it. */
export function ringValue(r: Ring, minute: number): number | null {
  const slot = ((minute % SPARK_MINUTES) + SPARK_MINUTES) % SPARK_MINUTES;
  if (r.minute[slot] !== minute) return null;
  const n = r.count[slot] as number;
  return n > 0 ? (r.sum[slot] as number) / n : null;
}

/**
 * Live points into the rings of the series shown, for the clusters `keep` says (the view keeps those
 * of rows that have been on screen and are still in the fleet). Each ring a frame touches is copied once.
 */
export function addLive(s: SparkState, points: readonly LivePoint[], keep: (cluster: string) => boolean): SparkState {
  const name = sparkSeries(s).series;
  let rings: Map<string, Ring> | null = null;
  const copied = new Set<string>();
  let clock = s.clock;
  for (const p of points) {
    if (clock === null || p.t > clock) clock = p.t;
    const v = p.values[name];
    if (v === undefined || v === null || !keep(p.cluster)) continue;
    rings ??= new Map(s.rings);
    let ring = rings.get(p.cluster);
    if (!ring || !copied.has(p.cluster)) {
      ring = ring ? copyRing(ring) : emptyRing();
      rings.set(p.cluster, ring);
      copied.add(p.cluster);
    }
    put(ring, Math.floor(p.t / MINUTE_MS), v, 'add');
  }
  // The axis moves by minutes: a newer time in the same minute changes no cell, so it is not a new
  // state (points of rows off screen then cost no frame).
  const sameMinute = clock !== null && s.clock !== null && Math.floor(clock / MINUTE_MS) === Math.floor(s.clock / MINUTE_MS);
  if (rings === null && (clock === s.clock || sameMinute)) return s;
  return { ...s, rings: rings ?? s.rings, clock };
}

/** A range answer's points (one a minute) into a ring, where live values have not put their own. */
export function fillRing(ring: Ring | undefined, points: readonly MetricsPoint[], stepMs: number): Ring {
  const r = ring ? copyRing(ring) : emptyRing();
  // A step is named by its start; it counts for the minute its middle falls in.
  for (const [t, avg] of points) if (avg !== null) put(r, Math.floor((t + stepMs / 2) / MINUTE_MS), avg, 'fill');
  return r;
}

/** `S`: the next series, with rings and fills started again (what is held is of the other series). */
export function cycleSeries(s: SparkState): SparkState {
  return { series: (s.series + 1) % SPARK_SERIES.length, rings: new Map(), fills: new Map(), clock: s.clock, seq: s.seq + 1 };
}

/** The `metrics` topic (re)subscribed: points of the time it was not followed are missing, so the rows on screen are filled again. */
export function restartFills(s: SparkState): SparkState {
  return s.fills.size === 0 ? s : { ...s, fills: new Map() };
}

/** Rings of clusters the fleet no longer has are let go, once there are more than its rows. */
export function pruneRings(s: SparkState, known: ReadonlyMap<string, unknown>): SparkState {
  if (s.rings.size <= known.size && s.fills.size <= known.size) return s;
  const keep = <T>(m: ReadonlyMap<string, T>): Map<string, T> => new Map([...m].filter(([name]) => known.has(name)));
  return { ...s, rings: keep(s.rings), fills: keep(s.fills) };
}

const REF_PREFIX = 'spark:';

export function isSparkRef(ref: string): boolean {
  return ref.startsWith(REF_PREFIX);
}

/** Fill calls for the rows on screen that have none yet, up to SPARK_CONCURRENCY on their way. */
export function sparkWants(s: SparkState, onScreen: readonly string[], now: number): { spark: SparkState; calls: ViewCall[] } {
  let flying = 0;
  for (const f of s.fills.values()) if (f.ref !== null) flying += 1;
  const calls: ViewCall[] = [];
  let fills: Map<string, SparkFill> | null = null;
  const series = sparkSeries(s).series;
  for (const cluster of onScreen) {
    if (flying >= SPARK_CONCURRENCY) break;
    const f = s.fills.get(cluster);
    if (f && (f.done || f.ref !== null || (f.failedAt !== null && now - f.failedAt < SPARK_RETRY_MS))) continue;
    const ref = `${REF_PREFIX}${s.seq}:${cluster}`;
    calls.push({ method: 'metrics.range', params: { cluster, series: [series], since: '1h', step: '1m' }, ref });
    fills ??= new Map(s.fills);
    fills.set(cluster, { ref, done: false, failedAt: null });
    flying += 1;
  }
  return fills === null ? { spark: s, calls } : { spark: { ...s, fills }, calls };
}

/** A fill's answer: its points into the ring, or the row marked failed (asked again later; the column just stays blank meanwhile). */
export function sparkAnswer(s: SparkState, ref: string, outcome: CallOutcome, now: number): { spark: SparkState; error?: string } {
  const cluster = ref.slice(ref.indexOf(':', REF_PREFIX.length) + 1);
  const f = s.fills.get(cluster);
  if (!f || f.ref !== ref) return { spark: s };
  const fills = new Map(s.fills);
  if (outcome.ok) {
    const parsed = MetricsRangeSchema.safeParse(outcome.result);
    const points = parsed.success && parsed.data.cluster === cluster ? parsed.data.series.find((x) => x.name === sparkSeries(s).series)?.points : undefined;
    if (parsed.success && points) {
      fills.set(cluster, { ref: null, done: true, failedAt: null });
      const rings = new Map(s.rings);
      rings.set(cluster, fillRing(s.rings.get(cluster), points, parsed.data.stepSeconds * 1000));
      const end = Date.parse(parsed.data.end);
      const clock = s.clock === null || end > s.clock ? end : s.clock;
      return { spark: { ...s, fills, rings, clock } };
    }
    fills.set(cluster, { ref: null, done: false, failedAt: now });
    return { spark: { ...s, fills }, error: parsed.success ? `the answer for ${cluster} has no ${sparkSeries(s).series}` : `the daemon's answer was not understood (${firstIssue(parsed.error, 'answer')})` };
  }
  fills.set(cluster, { ref: null, done: false, failedAt: now });
  return { spark: { ...s, fills }, error: outcome.error.message };
}

/** The column's cells of a ring: each the mean of its five minutes, null for none; the last ends at the axis' end. */
export function sparkValues(ring: Ring | undefined, clock: number | null, width = SPARK_WIDTH): (number | null)[] {
  if (!ring || clock === null) return Array.from({ length: width }, () => null);
  const end = Math.floor(clock / MINUTE_MS);
  const per = SPARK_MINUTES / width;
  const first = end - SPARK_MINUTES + 1;
  return Array.from({ length: width }, (_, c) => {
    let sum = 0;
    let n = 0;
    for (let m = Math.floor(first + c * per); m < Math.floor(first + (c + 1) * per); m++) {
      const v = ringValue(ring, m);
      if (v === null) continue;
      sum += v;
      n += 1;
    }
    return n > 0 ? sum / n : null;
  });
}
