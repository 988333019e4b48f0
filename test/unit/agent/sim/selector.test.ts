import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { parseSelector } from '../../../../agent/sim/selector.js';

describe('sim label selectors', () => {
  const web = { app: 'web', tier: 'front', env: 'prod' };
  const cache = { app: 'cache', tier: 'cache' };

  it('matches equality, inequality, set and existence requirements', () => {
    expect(parseSelector('app=web')(web)).toBe(true);
    expect(parseSelector('app==web')(cache)).toBe(false);
    expect(parseSelector('tier!=cache')(web)).toBe(true);
    expect(parseSelector('tier!=cache')(cache)).toBe(false);
    expect(parseSelector('env in (prod,staging)')(web)).toBe(true);
    expect(parseSelector('env in (prod,staging)')(cache)).toBe(false);
    expect(parseSelector('env notin (prod)')(cache)).toBe(true);
    expect(parseSelector('env')(web)).toBe(true);
    expect(parseSelector('!env')(cache)).toBe(true);
  });

  it('requires every requirement, splitting on commas outside parentheses', () => {
    const sel = parseSelector('app=web,env in (prod, staging),!legacy');
    expect(sel(web)).toBe(true);
    expect(sel({ ...web, legacy: 'yes' })).toBe(false);
    expect(sel(undefined)).toBe(false);
    expect(parseSelector('!legacy')(undefined)).toBe(true);
  });

  it('refuses an empty or unreadable selector with a usage error that shows the forms', () => {
    for (const bad of ['', ' , ', 'app=(web', 'a b c']) {
      let caught: unknown;
      try {
        parseSelector(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FlotillaError);
      expect((caught as FlotillaError).kind).toBe('usage');
      expect((caught as FlotillaError).next).toMatch(/app=web|key=value/);
    }
  });
});
