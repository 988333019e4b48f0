import { describe, expect, it } from 'vitest';
import { filterProblems, matchesFilter, parseFilter } from '../../../../tui/state/filter.js';
import { makeRow } from '../helpers.js';

describe('filter', () => {
  const row = makeRow('prod-eu-1', { labels: { env: 'prod', team: 'Payments' }, health: 'degraded' });

  it('matches plain words against the name and label values, case-insensitively', () => {
    expect(matchesFilter(parseFilter('EU'), row)).toBe(true);
    expect(matchesFilter(parseFilter('payments'), row)).toBe(true);
    expect(matchesFilter(parseFilter('staging'), row)).toBe(false);
  });

  it('understands health:, name: globs and label tokens, all of which must match', () => {
    expect(matchesFilter(parseFilter('health:degraded'), row)).toBe(true);
    expect(matchesFilter(parseFilter('health:healthy'), row)).toBe(false);
    expect(matchesFilter(parseFilter('name:prod-*'), row)).toBe(true);
    expect(matchesFilter(parseFilter('name:prod-?'), row)).toBe(false);
    expect(matchesFilter(parseFilter('name:prod-??-1'), row)).toBe(true);
    expect(matchesFilter(parseFilter('label:env=prod'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=prod'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=dev'), row)).toBe(false);
    expect(matchesFilter(parseFilter('env=prod health:degraded eu'), row)).toBe(true);
    expect(matchesFilter(parseFilter('env=prod health:critical'), row)).toBe(false);
  });

  it('treats regex characters in a glob literally', () => {
    expect(matchesFilter(parseFilter('name:prod.eu*'), row)).toBe(false);
  });

  it('reports a health state that does not exist', () => {
    expect(filterProblems(parseFilter('health:broken eu'))).toEqual([expect.stringContaining('unknown health "broken"')]);
    expect(filterProblems(parseFilter('health:critical'))).toEqual([]);
  });
});
