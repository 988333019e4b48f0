import { describe, expect, it } from 'vitest';
import { usageMessage } from '../../harness/errors.js';
import { matches, parseSelector } from '../../../core/selector.js';

describe('label selectors', () => {
  const staging = { env: 'staging', team: 'payments' };
  const prod = { env: 'prod', team: 'search' };
  const bare = {};

  it('matches equality, inequality, existence and absence, all required', () => {
    const sel = parseSelector('env=staging, team==payments');
    expect([staging, prod, bare].map((l) => matches(l, sel))).toEqual([true, false, false]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('team!=search')))).toEqual([true, false, true]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('env')))).toEqual([true, true, false]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('!env')))).toEqual([false, false, true]);
    expect(matches({ 'example.com/tier': 'web' }, parseSelector('example.com/tier=web'))).toBe(true);
  });

  it('refuses malformed selectors with a usage error', () => {
    for (const bad of ['', 'env=staging,', 'env=bad value', '=x', 'a b', 'env=-x']) expect(usageMessage(() => parseSelector(bad))).not.toBe('no error');
  });
});
