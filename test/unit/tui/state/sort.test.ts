import { describe, expect, it } from 'vitest';
import { compareRows, nextSort } from '../../../../tui/state/sort.js';
import { ROWS } from '../helpers.js';

describe('sorting', () => {
  it('puts the worst health first, then sorts by name', () => {
    const sorted = [...ROWS].sort(compareRows('health')).map((r) => r.health);
    expect(sorted.slice(0, 4)).toEqual(['critical', 'unreachable', 'degraded', 'degraded']);
    expect(sorted.at(-1)).toBe('healthy');
    expect(sorted.indexOf('unknown')).toBeLessThan(sorted.indexOf('healthy'));
  });

  it('sorts by age with the oldest data (or none) first', () => {
    const sorted = [...ROWS].sort(compareRows('age')).map((r) => r.name);
    expect(sorted[0]).toBe('edge-store-0417');
    expect(sorted[1]).toBe('prod-ap-1');
  });

  it('cycles health → name → age → health', () => {
    expect([nextSort('health'), nextSort('name'), nextSort('age')]).toEqual(['name', 'age', 'health']);
  });
});
