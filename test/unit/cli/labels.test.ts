import { describe, expect, it } from 'vitest';
import { formatLabels, parseLabel, parseLabelChanges, parseLabels } from '../../../cli/labels.js';
import { FlotillaError } from '../../../core/errors.js';

describe('--label parsing', () => {
  it('splits key=value at the first "="', () => {
    expect(parseLabel('env=prod')).toEqual(['env', 'prod']);
    expect(parseLabel('example.com/tier=gold')).toEqual(['example.com/tier', 'gold']);
    expect(parseLabel('canary=')).toEqual(['canary', '']);
  });

  it.each(['env', '=prod', 'env=pr od', 'bad key=x', '-env=prod', 'env=a=b', `${'k'.repeat(64)}=v`, 'Bad_Prefix/k=v'])('rejects %j as a usage error with the fix', (text) => {
    let err: unknown;
    try {
      parseLabel(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).exitCode).toBe(64);
    expect((err as FlotillaError).next).toMatch(/--label key=value/);
  });

  it('collects repeated labels and refuses conflicting duplicates', () => {
    expect(parseLabels(['env=prod', 'team=payments', 'env=prod'])).toEqual({ env: 'prod', team: 'payments' });
    expect(() => parseLabels(['env=prod', 'env=dev'])).toThrow(/given twice/);
  });

  it('formats labels sorted by key', () => {
    expect(formatLabels({ team: 'payments', env: 'prod' })).toBe('env=prod,team=payments');
    expect(formatLabels({})).toBe('');
  });
});

describe('flotilla cluster label changes', () => {
  it('reads key=value as a set and key- as a removal, as kubectl label does', () => {
    expect(parseLabelChanges(['team=payments', 'legacy-', 'tier=gold'])).toEqual({ set: { team: 'payments', tier: 'gold' }, remove: ['legacy'] });
    expect(parseLabelChanges(['gpu-'])).toEqual({ set: {}, remove: ['gpu'] });
  });

  it('refuses a bad key and a key both set and removed', () => {
    expect(() => parseLabelChanges(['bad key-'])).toThrow(/label key "bad key" is not valid/);
    expect(() => parseLabelChanges(['tier=gold', 'tier-'])).toThrow(/both set and removed/);
  });
});
