// The range query's parameters: defaults, and each refusal with its reason and the fix.
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { SERIES_NAMES } from '../../../../core/metrics/series.js';
import { parseRangeQuery } from '../../../../daemon/metrics/range-query.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const q = (s: string) => parseRangeQuery(new URLSearchParams(s), NOW);
const refusal = (s: string) => {
  try {
    q(s);
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('usage');
    return `${(e as FlotillaError).message} | ${(e as FlotillaError).next}`;
  }
  throw new Error(`accepted ${s}`);
};

describe('parseRangeQuery', () => {
  it('defaults to every series over the last hour in about 240 steps', () => {
    expect(q('cluster=a')).toEqual({ cluster: 'a', series: [...SERIES_NAMES], startMs: NOW - 3_600_000, endMs: NOW, stepMs: 15_000 });
    expect(q('cluster=a&series=cpu_used_ratio,restarts&since=24h&step=5m')).toEqual({ cluster: 'a', series: ['cpu_used_ratio', 'restarts'], startMs: NOW - 86_400_000, endMs: NOW, stepMs: 300_000 });
    expect(q('cluster=a&start=2026-12-03T10:00:00Z&end=2026-12-03T11:00:00Z')).toMatchObject({ startMs: NOW - 2 * 3_600_000, endMs: NOW - 3_600_000 });
  });

  it('refuses an unknown series, a range of ten years, too many points, a range backwards and a bad time', () => {
    expect(refusal('cluster=a&series=cpu,restarts')).toMatch(/^unknown series "cpu" \| Ask for one of cpu_used_ratio, /);
    expect(refusal('cluster=a&since=3650d')).toBe('a range of 3650 days is longer than the 90 days the series are kept | Ask for at most 90d.');
    expect(refusal('cluster=a&since=7d&step=10s')).toMatch(/^the range and step give 60481 points a series, more than 11000 \| Give a step of at least 55s/);
    expect(refusal('cluster=a&start=2026-12-03T11:00:00Z&end=2026-12-03T10:00:00Z')).toMatch(/ends before it starts/);
    expect(refusal('cluster=a&start=yesterday')).toMatch(/^start "yesterday" is not a time/);
    expect(refusal('cluster=a&since=1h&start=2026-12-03T11:00:00Z')).toMatch(/since and start both given/);
    expect(refusal('series=restarts')).toMatch(/needs a cluster/);
  });
});
