import { describe, expect, it } from 'vitest';
import { jitteredBackoffMs } from '../../../core/backoff.js';

describe('backoff', () => {
  it('grows exponentially from the base, stays within [ceiling/2, ceiling] and never exceeds the cap', () => {
    expect(jitteredBackoffMs(1, 0, { capMs: 10_000 })).toBe(250);
    expect(jitteredBackoffMs(1, 1, { capMs: 10_000 })).toBe(500);
    expect(jitteredBackoffMs(3, 1, { capMs: 10_000 })).toBe(2000);
    expect(jitteredBackoffMs(3, 0, { capMs: 10_000 })).toBe(1000);
    expect(jitteredBackoffMs(50, 1, { capMs: 10_000 })).toBe(10_000);
    expect(jitteredBackoffMs(50, 0, { capMs: 10_000 })).toBe(5000);
    expect(jitteredBackoffMs(1, 1, { capMs: 200 })).toBe(200);
    expect(jitteredBackoffMs(2, 1, { capMs: 60_000, baseMs: 100 })).toBe(200);
  });
});
