import { describe, expect, it } from 'vitest';
import { ageSince, formatAge, MAX_DURATION_MS, parseDuration } from '../../../core/duration.js';
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

  it('refuses durations past 100 years, so now + duration is always a date', () => {
    expect(parseDuration('36500d')).toBe(MAX_DURATION_MS);
    for (const huge of ['36501d', '999999999999d', `${'9'.repeat(400)}s`]) {
      expect(() => parseDuration(huge)).toThrow(/is longer than the longest duration Flotilla takes \(36500d\)/);
    }
    expect(() => new Date(Date.now() + MAX_DURATION_MS).toISOString()).not.toThrow();
  });

  it('formats ages compactly', () => {
    expect(formatAge(4_200)).toBe('4s');
    expect(formatAge(125_000)).toBe('2m');
    expect(formatAge(3 * 3_600_000)).toBe('3h');
    expect(formatAge(3 * 86_400_000)).toBe('3d');
    expect(formatAge(-1)).toBe('-');
    expect(formatAge(null)).toBe('-');
  });
});

describe('ageSince', () => {
  const now = Date.parse('2030-06-01T12:00:00.000Z');

  it('measures from an ISO time or from epoch milliseconds alike', () => {
    expect(ageSince('2030-06-01T11:59:30.000Z', now)).toBe(30_000);
    expect(ageSince(now - 1500, now)).toBe(1500);
    expect(formatAge(ageSince('2030-06-01T09:00:00.000Z', now))).toBe('3h');
  });

  it('reads a time ahead of the clock as just now, never as a negative age', () => {
    expect(ageSince('2030-06-01T12:05:00.000Z', now)).toBe(0);
    expect(ageSince(now + 60_000, now)).toBe(0);
  });

  it('has no age for no time or for text that is not a time', () => {
    expect(ageSince(null, now)).toBeNull();
    expect(ageSince(undefined, now)).toBeNull();
    expect(ageSince('yesterday-ish', now)).toBeNull();
    expect(formatAge(ageSince('yesterday-ish', now))).toBe('-');
  });
});
