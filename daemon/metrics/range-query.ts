// The query of GET /api/v1/metrics/range from its URL parameters: cluster, series (comma-separated,
// default all), a range (since=DURATION back from now, or start and end as ISO times) and a step
// (default: about 240 points). Refuses what the embedded series cannot answer, saying why. Pure.
import { parseDuration } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import { SERIES_NAMES, seriesIndex } from '../../core/metrics/series.js';
import { assertClusterName } from '../../core/store/types.js';
import { MAX_POINTS, MAX_RANGE_MS } from './tiers.js';

export interface RangeQuery {
  cluster: string;
  series: string[];
  startMs: number;
  endMs: number;
  stepMs: number;
}

const DEFAULT_SINCE_MS = 3_600_000;
const DEFAULT_POINTS = 240;
const MIN_STEP_MS = 1000;

function time(q: URLSearchParams, key: 'start' | 'end'): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new FlotillaError('usage', `${key} "${v.slice(0, 60)}" is not a time`, `Write ${key} as an ISO time, e.g. 2026-12-03T10:00:00Z, or use since=1h.`);
  return t;
}

export function parseRangeQuery(q: URLSearchParams, nowMs: number): RangeQuery {
  const cluster = q.get('cluster') ?? '';
  if (!cluster) throw new FlotillaError('usage', 'a metrics range needs a cluster', 'Add cluster=NAME.');
  assertClusterName(cluster);
  const series = (q.get('series') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = series.filter((s) => seriesIndex(s) === undefined);
  if (unknown.length) throw new FlotillaError('usage', `unknown series ${unknown.map((s) => `"${s.slice(0, 60)}"`).join(', ')}`, `Ask for one of ${SERIES_NAMES.join(', ')} (GET /api/v1/metrics/series lists them).`);
  const since = q.get('since');
  let startMs = time(q, 'start');
  let endMs = time(q, 'end');
  if (since !== null) {
    if (startMs !== undefined) throw new FlotillaError('usage', 'since and start both given', 'Give since=DURATION, or start (and end) as ISO times.');
    endMs ??= nowMs;
    startMs = endMs - parseDuration(since);
  }
  endMs ??= nowMs;
  startMs ??= endMs - DEFAULT_SINCE_MS;
  if (startMs >= endMs) throw new FlotillaError('usage', 'the range ends before it starts', 'Give a start before the end.');
  if (endMs - startMs > MAX_RANGE_MS) {
    throw new FlotillaError('usage', `a range of ${Math.round((endMs - startMs) / 86_400_000)} days is longer than the ${MAX_RANGE_MS / 86_400_000} days the series are kept`, `Ask for at most ${MAX_RANGE_MS / 86_400_000}d.`);
  }
  const step = q.get('step');
  const stepMs = step === null ? Math.max(MIN_STEP_MS, Math.ceil((endMs - startMs) / DEFAULT_POINTS / 1000) * 1000) : parseDuration(step);
  if (stepMs < MIN_STEP_MS) throw new FlotillaError('usage', `a step of ${stepMs} ms is finer than the finest the series answer (1s)`, 'Give step=10s or more.');
  const points = Math.floor((endMs - startMs) / stepMs) + 1;
  if (points > MAX_POINTS) throw new FlotillaError('usage', `the range and step give ${points} points a series, more than ${MAX_POINTS}`, `Give a step of at least ${Math.ceil((endMs - startMs) / MAX_POINTS / 1000)}s, or a shorter range.`);
  return { cluster, series: series.length ? series : [...SERIES_NAMES], startMs, endMs, stepMs };
}
