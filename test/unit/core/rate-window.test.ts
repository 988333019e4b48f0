import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../core/rate-window.js';

const T0 = 1_700_000_000_000;

describe('RateWindow', () => {
  it('sums the last N seconds and forgets older buckets', () => {
    const w = new RateWindow(60);
    w.add(T0, 5);
    w.add(T0 + 30_000, 3);
    expect(w.sum(T0 + 30_000)).toBe(8);
    expect(w.sum(T0 + 30_000, 10)).toBe(3);
    expect(w.sum(T0 + 60_500)).toBe(3);
    expect(w.sum(T0 + 200_000)).toBe(0);
  });

  it('reuses a bucket slot for a later second without carrying the old count', () => {
    const w = new RateWindow(2);
    w.add(T0, 100);
    w.add(T0 + 4000, 1);
    expect(w.sum(T0 + 4000)).toBe(1);
  });

  it('gives the rate over complete seconds once the window is full', () => {
    const w = new RateWindow(10);
    for (let s = 0; s < 30; s++) w.add(T0 + s * 1000, 100);
    // The current, partial second (29) is left out: 10 complete seconds of 100.
    expect(w.perSecond(T0 + 29_400, 10, T0)).toBe(100);
  });

  it('gives the rate over the time so far while the window is young', () => {
    const w = new RateWindow(10);
    w.add(T0, 50);
    w.add(T0 + 1500, 50);
    expect(w.perSecond(T0 + 2000, 10, T0)).toBe(50);
    expect(w.perSecond(T0 + 100, 10, T0)).toBe(50);
  });
});
