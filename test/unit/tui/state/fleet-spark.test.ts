// The sparkline column's data: rings of the last hour's minutes fed by the `metrics` topic and filled
// once per row on screen by metrics.range (a few at a time, never for rows off screen), one time axis
// for all rows, the series cycled with S; and the cells drawn from it.
import { describe, expect, it } from 'vitest';
import { viewContext, wantedTopics, type AppState } from '../../../../tui/state/app.js';
import { sparkText } from '../../../../tui/render/spark-cells.js';
import { fleetTableRows } from '../../../../tui/state/fleet-layout.js';
import { rowsOnScreen } from '../../../../tui/views/fleet/model.js';
import {
  addLive,
  cycleSeries,
  fillRing,
  initialSpark,
  MINUTE_MS,
  ringValue,
  SPARK_CONCURRENCY,
  SPARK_RETRY_MS,
  sparkAnswer,
  sparkValues,
  sparkWants,
  type SparkState,
} from '../../../../tui/state/fleet-spark.js';
import { apply, key, NOW } from '../helpers.js';
import { answerAll, demoRows, fleetPoints, panesState, tick } from '../fleet-panes-helpers.js';
import { livePoint, metricsRange } from '../metrics-helpers.js';

const T0 = Math.floor(NOW / MINUTE_MS) * MINUTE_MS;
const known = () => true;
const sparkCalls = (s: AppState) => s.calls.filter((c) => c.ref?.startsWith('spark:'));

describe('rings', () => {
  it('averages the live values of a minute, keeps the newest hour, and skips clusters the fleet does not have', () => {
    let s = addLive(initialSpark(), [livePoint('a', T0 + 1000, { cpu_used_ratio: 0.2 }), livePoint('a', T0 + 20_000, { cpu_used_ratio: 0.4 }), livePoint('b', T0 + 5000, { cpu_used_ratio: null })], known);
    const ring = s.rings.get('a')!;
    expect(ringValue(ring, T0 / MINUTE_MS)).toBeCloseTo(0.3);
    expect(s.rings.has('b')).toBe(false);
    expect(s.clock).toBe(T0 + 20_000);
    // an hour later the same slot holds the new minute; the old one is gone
    s = addLive(s, [livePoint('a', T0 + 60 * MINUTE_MS, { cpu_used_ratio: 0.9 })], known);
    expect(ringValue(s.rings.get('a')!, T0 / MINUTE_MS)).toBeNull();
    expect(ringValue(s.rings.get('a')!, T0 / MINUTE_MS + 60)).toBe(0.9);
    // the ring held before is untouched (the state is never mutated)
    expect(ringValue(ring, T0 / MINUTE_MS)).toBeCloseTo(0.3);
    expect(addLive(s, [livePoint('gone', T0, { cpu_used_ratio: 0.5 })], (n) => n !== 'gone').rings.has('gone')).toBe(false);
  });

  it('is the same state for points it keeps nothing of within the minute it is at, and moves the axis at the next minute', () => {
    const s = addLive(initialSpark(), [livePoint('a', T0 + 1000, { cpu_used_ratio: 0.2 })], known);
    const none = () => false;
    expect(addLive(s, [livePoint('b', T0 + 30_000, { cpu_used_ratio: 0.2 })], none)).toBe(s);
    expect(addLive(s, [livePoint('b', T0 + MINUTE_MS, { cpu_used_ratio: 0.2 })], none).clock).toBe(T0 + MINUTE_MS);
  });

  it('fills minutes the live values have not reached, and never an older minute over a newer one', () => {
    const live = addLive(initialSpark(), [livePoint('a', T0, { cpu_used_ratio: 0.8 })], known).rings.get('a');
    const ring = fillRing(
      live,
      [
        [T0 - 2 * MINUTE_MS, 0.1, 0.1],
        [T0 - MINUTE_MS, null, null],
        [T0, 0.1, 0.1],
        [T0 - 60 * MINUTE_MS, 0.5, 0.5],
      ],
      MINUTE_MS,
    );
    expect(ringValue(ring, T0 / MINUTE_MS - 2)).toBe(0.1);
    expect(ringValue(ring, T0 / MINUTE_MS - 1)).toBeNull();
    expect(ringValue(ring, T0 / MINUTE_MS)).toBe(0.8);
    expect(ringValue(ring, T0 / MINUTE_MS - 60)).toBeNull();
  });

  it('gives twelve cells of five minutes ending at the shared clock, null where nothing was', () => {
    let s = initialSpark();
    s = addLive(s, [livePoint('a', T0 - 59 * MINUTE_MS, { cpu_used_ratio: 0.1 }), livePoint('a', T0 - 30 * MINUTE_MS, { cpu_used_ratio: 0.5 }), livePoint('a', T0 + 59_000, { cpu_used_ratio: 1 })], known);
    const values = sparkValues(s.rings.get('a'), s.clock);
    expect(values).toHaveLength(12);
    expect(values[0]).toBe(0.1);
    expect(values[5]).toBe(0.5);
    expect(values[11]).toBe(1);
    expect(values.filter((v) => v === null)).toHaveLength(9);
    // another cluster's ring is read against the same clock
    expect(sparkValues(undefined, s.clock)).toEqual(Array.from({ length: 12 }, () => null));
  });
});

describe('fills', () => {
  const names = Array.from({ length: 10 }, (_, i) => `c${i}`);

  it('asks for the rows on screen only, at most SPARK_CONCURRENCY at once, one series at a one-minute step', () => {
    const { spark, calls } = sparkWants(initialSpark(), names, NOW);
    expect(calls).toHaveLength(SPARK_CONCURRENCY);
    expect(calls[0]).toEqual({ method: 'metrics.range', params: { cluster: 'c0', series: ['cpu_used_ratio'], since: '1h', step: '1m' }, ref: 'spark:0:c0' });
    expect(sparkWants(spark, names, NOW).calls).toEqual([]);
    const answered = sparkAnswer(spark, 'spark:0:c0', { ok: true, result: metricsRange('c0') }, NOW).spark;
    expect(answered.fills.get('c0')).toEqual({ ref: null, done: true, failedAt: null });
    expect(answered.rings.has('c0')).toBe(true);
    expect(answered.clock).toBe(NOW);
    expect(sparkWants(answered, names, NOW).calls.map((c) => c.params.cluster)).toEqual(['c4']);
  });

  it('marks a failed fill and asks it again after SPARK_RETRY_MS; a stale or unknown ref changes nothing', () => {
    let s: SparkState = sparkWants(initialSpark(), ['a'], NOW).spark;
    const failed = sparkAnswer(s, 'spark:0:a', { ok: false, error: { code: 'unavailable', message: 'not connected' } }, NOW);
    expect(failed.error).toBe('not connected');
    s = failed.spark;
    expect(sparkWants(s, ['a'], NOW + 1000).calls).toEqual([]);
    expect(sparkWants(s, ['a'], NOW + SPARK_RETRY_MS).calls).toHaveLength(1);
    expect(sparkAnswer(s, 'spark:0:zzz', { ok: true, result: {} }, NOW).spark).toBe(s);
    const garbled = sparkAnswer(sparkWants(initialSpark(), ['a'], NOW).spark, 'spark:0:a', { ok: true, result: { cluster: 'a' } }, NOW);
    expect(garbled.error).toMatch(/^the daemon's answer was not understood/);
  });

  it('starts again with the next series on S: answers for the old one are stale', () => {
    const asked = sparkWants(addLive(initialSpark(), [livePoint('a', NOW, { cpu_used_ratio: 0.5 })], known), ['a'], NOW).spark;
    const next = cycleSeries(asked);
    expect(next.series).toBe(1);
    expect(next.rings.size).toBe(0);
    expect(next.fills.size).toBe(0);
    expect(sparkAnswer(next, 'spark:0:a', { ok: true, result: metricsRange('a') }, NOW).spark).toBe(next);
    expect(sparkWants(next, ['a'], NOW).calls[0]?.params).toMatchObject({ series: ['memory_used_ratio'] });
    expect(cycleSeries(cycleSeries(cycleSeries(next))).series).toBe(0);
  });
});

describe('the column in the console', () => {
  it('follows the metrics topic and fills only what the table shows while the column is on screen', () => {
    const rows = demoRows(60);
    let s = panesState(100, 30, rows);
    expect(wantedTopics(s)).toEqual(['metrics']);
    const onScreen = rowsOnScreen(s.view.fleet, viewContext(s));
    expect(onScreen).toHaveLength(fleetTableRows(s.viewport, s.conn));
    expect(sparkCalls(s).map((c) => c.params.cluster)).toEqual(onScreen.slice(0, SPARK_CONCURRENCY));
    s = answerAll(s);
    const filled = [...s.view.fleet.spark.fills].filter(([, f]) => f.done).map(([n]) => n);
    expect(filled.sort()).toEqual([...onScreen].sort());
    // scrolling brings the next rows in, and only those are asked
    s = apply(s, key('pageDown'));
    const next = rowsOnScreen(s.view.fleet, viewContext(s)).filter((n) => !onScreen.includes(n));
    expect(sparkCalls(s).map((c) => c.params.cluster)).toEqual(next.slice(0, SPARK_CONCURRENCY));
  });

  it('asks nothing at 80×24, where the column does not fit, nor while another view is on top', () => {
    expect(panesState(80, 24).calls).toEqual([]);
    const covered = apply(panesState(100, 30), key('drill'));
    expect(wantedTopics(covered).filter((t) => t === 'metrics')).toEqual([]);
  });

  it('takes live points for rows that have been on screen and fills the rows again after the topic is subscribed anew', () => {
    const rows = demoRows(60);
    let s = answerAll(panesState(100, 30, rows));
    const name = s.view.fleet.selected!;
    const offScreen = rows.map((r) => r.name).find((n) => !rowsOnScreen(s.view.fleet, viewContext(s)).includes(n))!;
    s = apply(s, fleetPoints([livePoint(name, NOW + 60_000, { cpu_used_ratio: 0.77 }), livePoint('not-in-the-fleet', NOW, { cpu_used_ratio: 0.1 }), livePoint(offScreen, NOW, { cpu_used_ratio: 0.1 })]));
    expect(ringValue(s.view.fleet.spark.rings.get(name)!, Math.floor((NOW + 60_000) / MINUTE_MS))).toBe(0.77);
    expect(s.view.fleet.spark.rings.has('not-in-the-fleet')).toBe(false);
    // a row never on screen holds nothing: it is filled with its whole hour once scrolled to
    expect(s.view.fleet.spark.rings.has(offScreen)).toBe(false);
    expect(s.view.fleet.spark.clock).toBe(NOW + 60_000);
    s = apply(s, { type: 'metrics/fleetSnapshot', rev: 9 });
    expect(sparkCalls(s)).toHaveLength(SPARK_CONCURRENCY);
  });

  it('says the series S picks and titles the column with it', () => {
    const s = apply(panesState(100, 30), key('sparkSeries'));
    expect(s.message).toEqual({ text: 'sparkline column: memory used, the last hour', level: 'info' });
    expect(apply(s, tick(1)).view.fleet.spark.series).toBe(1);
  });
});

describe('cells', () => {
  it('draws ratios against 0–100% and counts against the row’s highest, a blank for no value', () => {
    expect(sparkText([0, 0.125, 0.5, 1, null, 0.01], 'ratio', false)).toBe('▁▁▄█ ▁');
    expect(sparkText([10, 20, 40, null], 'count', false)).toBe('▂▄█ ');
    expect(sparkText([0, 0, 0], 'count', false)).toBe('▁▁▁');
    expect(sparkText([0, 0.5, 1, null], 'ratio', true)).toBe('_~# ');
  });
});
