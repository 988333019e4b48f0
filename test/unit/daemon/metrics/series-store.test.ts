// The embedded series' store on a real SQLite file: reports in the raw tier and folded into the
// coarser ones, pruning per tier, a removed cluster forgotten, and what a reopen finds.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeriesStore } from '../../../../daemon/metrics/series-store.js';
import { TIERS } from '../../../../daemon/metrics/tiers.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);
const T0 = Date.parse('2026-12-03T12:00:00Z');
const tier = (name: string) => TIERS.find((t) => t.name === name)!;
const v = (...xs: number[]) => Float64Array.from(xs);

describe('SeriesStore', () => {
  it('keeps each report raw and each minute\'s average and maximum, skipping missing values', () => {
    const s = new SeriesStore(join(tempDir(), 'metrics.db'), 2);
    s.record('a', T0, v(1, 10));
    s.record('a', T0 + 10_000, v(3, Number.NaN));
    s.record('a', T0 + 60_000, v(5, 20));
    s.record('b', T0, v(100, 100));
    expect(s.read('a', tier('raw'), T0, T0 + 60_000, [0, 1])).toEqual([
      [{ t: T0, avg: 1, max: 1 }, { t: T0 + 10_000, avg: 3, max: 3 }, { t: T0 + 60_000, avg: 5, max: 5 }],
      [{ t: T0, avg: 10, max: 10 }, { t: T0 + 10_000, avg: Number.NaN, max: Number.NaN }, { t: T0 + 60_000, avg: 20, max: 20 }],
    ]);
    expect(s.read('a', tier('1m'), T0, T0 + 60_000, [0, 1])).toEqual([
      [{ t: T0, avg: 2, max: 3 }, { t: T0 + 60_000, avg: 5, max: 5 }],
      [{ t: T0, avg: 10, max: 10 }, { t: T0 + 60_000, avg: 20, max: 20 }],
    ]);
    s.close();
  });

  it('prunes each tier past its retention, forgets a removed cluster, and finds the rest after a reopen', () => {
    const file = join(tempDir(), 'metrics.db');
    const s = new SeriesStore(file, 1);
    s.record('a', T0, v(1));
    s.record('a', T0 + 3 * 3_600_000, v(2));
    s.record('gone', T0, v(9));
    s.forget('gone');
    // Three hours later the first raw point is past the raw tier's two hours; its minute is not past a day.
    expect(s.prune(T0 + 3 * 3_600_000)).toBe(1);
    expect(s.read('a', tier('raw'), T0 - 1, T0 + 4 * 3_600_000, [0])[0]!.map((p) => p.avg)).toEqual([2]);
    s.close();
    const again = new SeriesStore(file, 1);
    expect(again.read('a', tier('1m'), T0, T0 + 4 * 3_600_000, [0])[0]!.map((p) => p.avg)).toEqual([1, 2]);
    expect(again.read('gone', tier('1m'), T0, T0 + 1, [0])[0]).toEqual([]);
    // A series added later reads as missing in rows written before it.
    const wider = new SeriesStore(file, 2);
    expect(wider.read('a', tier('1h'), T0, T0 + 4 * 3_600_000, [0, 1])).toEqual([[{ t: T0, avg: 1, max: 1 }, { t: T0 + 3 * 3_600_000, avg: 2, max: 2 }], []]);
    again.close();
    wider.close();
  });
});
