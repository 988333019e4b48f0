// Which stored resolution answers a range, and how points fold into the steps asked for.
import { describe, expect, it } from 'vitest';
import { foldSteps, tierFor } from '../../../../daemon/metrics/tiers.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const H = 3_600_000;

describe('tierFor', () => {
  it('answers from the coarsest tier that holds the start and is no coarser than the step', () => {
    expect(tierFor(NOW - H, NOW, 15_000).name).toBe('raw');
    expect(tierFor(NOW - H, NOW, 60_000).name).toBe('1m');
    expect(tierFor(NOW - 24 * H, NOW, 5 * 60_000).name).toBe('1m');
    expect(tierFor(NOW - 7 * 24 * H, NOW, H).name).toBe('1h');
    expect(tierFor(NOW - 7 * 24 * H, NOW, 30 * 60_000).name).toBe('10m');
    // A step finer than anything that still holds the start: the finest that does.
    expect(tierFor(NOW - 3 * 24 * H, NOW, 10_000).name).toBe('10m');
    expect(tierFor(NOW - 400 * 24 * H, NOW, H).name).toBe('1h');
  });
});

describe('foldSteps', () => {
  it('averages the averages and keeps the largest maximum per step, with gaps as null', () => {
    const pts = [
      { t: 0, avg: 1, max: 2 },
      { t: 5, avg: 3, max: 9 },
      { t: 25, avg: 4, max: 4 },
      { t: 26, avg: Number.NaN, max: Number.NaN },
    ];
    expect(foldSteps(pts, 0, 29, 10)).toEqual([
      { t: 0, avg: 2, max: 9 },
      { t: 10, avg: null, max: null },
      { t: 20, avg: 4, max: 4 },
    ]);
  });
});
