import { describe, expect, it } from 'vitest';
import { formatAge, parseDuration } from '../../../core/duration.js';
import { FlotillaError } from '../../../core/errors.js';

describe('durations', () => {
  it('parses single and compound durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('rejects anything else with a usage error that shows the form', () => {
    for (const bad of ['', '10', 'h', '10x', '1h 30m', '-5m']) {
      expect(() => parseDuration(bad)).toThrow(FlotillaError);
    }
    try {
      parseDuration('soon');
    } catch (e) {
      expect((e as FlotillaError).kind).toBe('usage');
      expect((e as FlotillaError).next).toMatch(/30s, 15m, 24h/);
    }
  });

  it('formats ages compactly', () => {
    expect(formatAge(4_200)).toBe('4s');
    expect(formatAge(125_000)).toBe('2m');
    expect(formatAge(3 * 3_600_000)).toBe('3h');
    expect(formatAge(3 * 86_400_000)).toBe('3d');
    expect(formatAge(-1)).toBe('-');
  });
});
