// Range answers for the console's metrics view tests: a cluster's charted series over a range on a
// regular step, with values from simple formulas (so a test can say what the cursor must read) and a
// gap in pods_pending, as core/metrics/api.ts shapes them.
import type { LivePoint, MetricsRange } from '../../../core/metrics/api.js';
import { CHART_SERIES, RANGE_MS, type RangeName } from '../../../tui/state/metrics.js';
import type { Action, AppState } from '../../../tui/state/app.js';
import { apply, connectedState, NOW } from './helpers.js';

/** The value of a series at step k of a range; null is no point. */
export function fixtureValue(name: string, k: number): number | null {
  switch (name) {
    case 'cpu_used_ratio':
      return 0.25 + (k % 40) / 200;
    case 'memory_used_ratio':
      return 0.5;
    case 'pods_running':
      return 40 + (k % 10);
    case 'pods_pending':
      return k >= 100 && k < 120 ? null : 2;
    case 'error_lines_per_minute':
      return k < 120 ? 0 : 12;
    case 'restarts':
      return Math.floor(k / 60);
    default:
      return 1;
  }
}

export const STEPS = 240;

export function metricsRange(cluster: string, opts: { range?: RangeName; end?: number; scale?: number } = {}): MetricsRange {
  const range = opts.range ?? '1h';
  const end = opts.end ?? NOW;
  const start = end - RANGE_MS[range];
  const stepMs = RANGE_MS[range] / STEPS;
  const scale = opts.scale ?? 1;
  return {
    cluster,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    stepSeconds: stepMs / 1000,
    source: 'embedded',
    resolution: range === '1h' ? 'raw' : range === '7d' ? '10m' : '1m',
    series: CHART_SERIES.map((name) => ({
      name,
      unit: name.endsWith('_ratio') ? 'ratio' : 'count',
      points: Array.from({ length: STEPS + 1 }, (_, k): [number, number | null, number | null] => {
        const v = fixtureValue(name, k);
        const scaled = v === null ? null : name.endsWith('_ratio') ? v : v * scale;
        return [start + k * stepMs, scaled, scaled];
      }),
    })),
  };
}

export const rangeAnswer = (cluster: string, opts: Parameters<typeof metricsRange>[1] = {}) => ({ ok: true as const, result: metricsRange(cluster, opts) });

export const snapshotFrame = (cluster: string, data: MetricsRange | null = metricsRange(cluster), rev = 1): Action => ({ type: 'metrics/snapshot', cluster, rev, data });

export function livePoint(cluster: string, t: number, values: Record<string, number | null> = { cpu_used_ratio: 0.9, pods_running: 99 }): LivePoint {
  return { cluster, t, values };
}

export const pointsFrame = (cluster: string, points: LivePoint[], rev = 2): Action => ({ type: 'metrics/points', cluster, rev, points });

/** The pending metrics.range calls the shell queued, by cluster. */
export function rangeCalls(s: AppState): { cluster: unknown; since: unknown; ref: string | undefined; key: number }[] {
  return s.calls.filter((c) => c.method === 'metrics.range').map((c) => ({ cluster: c.params.cluster, since: c.params.since, ref: c.ref, key: c.key }));
}

/** Answers every queued metrics.range call with the fixture for its cluster and range. */
export function answerRangeCalls(s: AppState, opts: { end?: number } = {}): AppState {
  const calls = s.calls.filter((c) => c.method === 'metrics.range');
  return apply(
    s,
    ...calls.flatMap((c): Action[] => [
      { type: 'call/sent', key: c.key },
      { type: 'call/done', call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref }, outcome: rangeAnswer(c.params.cluster as string, { range: c.params.since as RangeName, end: opts.end }) },
    ]),
  );
}

/** Connected at the given size with the metrics view open on prod-eu-1 (from `:metrics`), its 1h answer in. */
export function metricsState(columns = 80, rows = 24, clusters = 'prod-eu-1'): AppState {
  const s = apply(connectedState(undefined, columns, rows), { type: 'key', action: 'command' }, { type: 'input/text', text: `metrics ${clusters}` }, { type: 'key', action: 'submit' });
  return answerRangeCalls(s);
}
