// The metrics view's data helpers: a range answer held as the charted series, live points appended
// to the hour (and kept through a fresh answer), the shared window, y ranges, value and time text,
// and the logs query for a moment, which the query language must read back as those bounds.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../core/query/parse.js';
import { appendLive, axisLabel, axisTime, CHART_SERIES, chartWindow, columnSpan, cursorTime, formatValue, holdRange, logsQueryAt, niceCeil, prometheusNote, replaceRange, replaceWithSnapshot, yRange } from '../../../../tui/state/metrics.js';
import { NOW } from '../helpers.js';
import { livePoint, metricsRange } from '../metrics-helpers.js';

const HOUR = 3_600_000;

describe('held ranges', () => {
  it('keeps the charted series of an answer with its times in ms', () => {
    const r = metricsRange('a');
    const held = holdRange({ ...r, series: [...r.series, { name: 'not_charted', unit: 'count', points: [] }] });
    expect(Object.keys(held.points).sort()).toEqual([...CHART_SERIES].sort());
    expect(held).toMatchObject({ start: NOW - HOUR, end: NOW, stepMs: 15_000, resolution: 'raw' });
    expect(held.points.cpu_used_ratio?.[0]).toEqual([NOW - HOUR, 0.25, 0.25]);
  });

  it('appends live points after the end, moves the window on and drops what fell out of the hour', () => {
    const held = holdRange(metricsRange('a'));
    const next = appendLive(held, [livePoint('a', NOW + 5000), livePoint('a', NOW - 1000), livePoint('a', NOW + 3000, { cpu_used_ratio: null })], HOUR);
    expect(next.end).toBe(NOW + 5000);
    expect(next.start).toBe(NOW + 5000 - HOUR);
    expect(next.points.cpu_used_ratio?.slice(-2)).toEqual([
      [NOW + 3000, null, null],
      [NOW + 5000, 0.9, 0.9],
    ]);
    // a series the report did not carry is a gap, not a zero
    expect(next.points.memory_used_ratio?.slice(-1)).toEqual([[NOW + 5000, null, null]]);
    expect(next.points.cpu_used_ratio?.[0]?.[0]).toBeGreaterThanOrEqual(next.start - held.stepMs);
    expect(next.points.cpu_used_ratio?.length).toBe((held.points.cpu_used_ratio?.length ?? 0) + 2);
    expect(appendLive(held, [livePoint('a', NOW)], HOUR)).toBe(held);
    const later = appendLive(held, [livePoint('a', NOW + 30 * 60_000)], HOUR);
    // the half hour still in the window (steps 119..240, one step before its start kept to join the line) and the new point
    expect(later.points.cpu_used_ratio?.length).toBe(122 + 1);
  });

  it('keeps the live points a fresh answer cannot have yet', () => {
    const live = appendLive(holdRange(metricsRange('a')), [livePoint('a', NOW + 5000)], HOUR);
    const fresh = holdRange(metricsRange('a', { end: NOW + 2000 }));
    const merged = replaceRange(live, fresh);
    expect(merged.end).toBe(NOW + 5000);
    expect(merged.points.cpu_used_ratio?.at(-1)).toEqual([NOW + 5000, 0.9, 0.9]);
    expect(merged.points.cpu_used_ratio?.length).toBe((fresh.points.cpu_used_ratio?.length ?? 0) + 1);
    expect(replaceRange(null, fresh)).toBe(fresh);
    expect(replaceRange(holdRange(metricsRange('a')), fresh)).toEqual(fresh);
  });

  it('keeps a range answer\'s warning through the live snapshot, which is always the daemon\'s own series; a range answer without one clears it', () => {
    const warned = { ...holdRange(metricsRange('a')), warning: 'the central Prometheus did not answer' };
    const snapshot = holdRange(metricsRange('a', { end: NOW + 2000 }));
    expect(replaceWithSnapshot(warned, snapshot).warning).toBe('the central Prometheus did not answer');
    expect(replaceWithSnapshot(null, snapshot).warning).toBeUndefined();
    expect(replaceRange(warned, snapshot).warning).toBeUndefined();
  });

  it('shares one window between clusters: the newest end, the range back from it, the coarsest step', () => {
    const a = holdRange(metricsRange('a'));
    const b = holdRange(metricsRange('b', { end: NOW - 4000 }));
    expect(chartWindow([a, null, b], '1h')).toEqual({ start: NOW - HOUR, end: NOW, stepMs: 15_000, resolution: 'raw' });
    expect(chartWindow([null], '1h')).toBeNull();
    expect(columnSpan({ start: 0, end: 100 }, 10, 3)).toEqual({ from: 30, to: 40, mid: 35 });
  });
});

describe('what the panes say of the central Prometheus', () => {
  const at = (ms: number) => new Date(NOW - ms).toISOString();
  it('puts its silence first, then the edge: down, a scrape failing, silent, never federated; nothing when all is well', () => {
    expect(prometheusNote(null, NOW)).toBeNull();
    expect(prometheusNote({}, NOW)).toBeNull();
    expect(prometheusNote({ warning: 'x', edge: { down: ['kubelet'], newestSample: at(0), stale: false, newestData: null } }, NOW)).toBe("! Prometheus did not answer: the daemon's own series");
    expect(prometheusNote({ edge: { down: ['flotilla-federate', 'kubelet'], newestSample: at(0), stale: false, newestData: at(7_200_000) } }, NOW)).toBe('! edge Prometheus down (up == 0) · data 2h old');
    expect(prometheusNote({ edge: { down: ['kube-state-metrics', 'kubelet'], newestSample: at(0), stale: false, newestData: null } }, NOW)).toBe('! edge scrape failing: kube-state-metrics, kubelet · no data in range');
    expect(prometheusNote({ edge: { down: [], newestSample: at(150_000), stale: true, newestData: at(150_000) } }, NOW)).toBe('! nothing from the edge for 2m · data 2m old');
    expect(prometheusNote({ edge: { down: [], newestSample: null, stale: false, newestData: null } }, NOW)).toBe("! Prometheus has nothing of this cluster's edge: not federated yet?");
  });
});

describe('chart scales and text', () => {
  it('scales ratios to 100% (or past it) and counts to a round number from 0', () => {
    const pts = (vs: (number | null)[]) => vs.map((v, i): [number, number | null, number | null] => [i, v, v]);
    expect(yRange('ratio', [pts([0.2, 0.4])], 0)).toEqual({ min: 0, max: 1 });
    expect(yRange('ratio', [pts([1.25])], 0)).toEqual({ min: 0, max: 1.25 });
    expect(yRange('count', [pts([3, null]), pts([42])], 0)).toEqual({ min: 0, max: 50 });
    expect(yRange('count', [pts([900, 3])], 1)).toEqual({ min: 0, max: 5 });
    expect(yRange('count', [], 0)).toEqual({ min: 0, max: 1 });
    expect([0, 1, 1.5, 3, 7, 10, 11, 199, 2500].map(niceCeil)).toEqual([1, 1, 2, 5, 10, 10, 20, 200, 5000]);
  });

  it('says values with their unit, and labels the axis in five characters', () => {
    expect(formatValue('ratio', 0.3456)).toBe('35%');
    expect(formatValue('ratio', 0.051)).toBe('5.1%');
    expect(formatValue('count', 42)).toBe('42');
    expect(formatValue('count', 2.5)).toBe('2.5');
    expect(formatValue('count', 12_345)).toBe('12k');
    expect(formatValue('per_minute', 12)).toBe('12/min');
    expect(formatValue('per_second', 0.5)).toBe('0.5/s');
    expect(formatValue('count', null)).toBe('–');
    expect(axisLabel('ratio', 1)).toBe('100%');
    expect(axisLabel('count', 5000)).toBe('5.0k');
  });

  it('writes times in UTC: HH:MM on the axis (MM-DD over a week), the cursor to the second over hours', () => {
    const t = Date.parse('2025-06-01T09:05:07Z');
    expect(axisTime('1h', t)).toBe('09:05');
    expect(axisTime('24h', t)).toBe('09:05');
    expect(axisTime('7d', t)).toBe('06-01');
    expect(cursorTime('6h', t)).toBe('09:05:07');
    expect(cursorTime('24h', t)).toBe('06-01 09:05');
  });
});

describe('logs at a moment', () => {
  it('asks for the clusters from before the moment to after it, as the query language reads it', () => {
    const at = Date.parse('2025-06-01T11:30:00.500Z');
    const q = logsQueryAt(['prod-eu-1', 'prod-us-1'], at, 120_000, true);
    expect(q).toBe('cluster:prod-eu-1,prod-us-1 since:2025-06-01T11:28:00Z until:2025-06-01T11:32:01Z');
    const parsed = parseQuery(q);
    expect(parsed.filters).toEqual([{ field: 'cluster', values: [{ kind: 'exact', value: 'prod-eu-1' }, { kind: 'exact', value: 'prod-us-1' }], negated: false }]);
    expect(parsed.since).toEqual({ kind: 'absolute', ms: Date.parse('2025-06-01T11:28:00Z') });
    expect(parsed.until).toEqual({ kind: 'absolute', ms: Date.parse('2025-06-01T11:32:01Z') });
  });

  it('leaves the end open for the latest, so the logs stay live', () => {
    const q = logsQueryAt(['a'], Date.parse('2025-06-01T12:00:00Z'), 120_000, false);
    expect(q).toBe('cluster:a since:2025-06-01T11:58:00Z');
    expect(parseQuery(q).until).toBeUndefined();
  });
});
