import { describe, expect, it } from 'vitest';
import { formatQuery } from '../../../../core/query/format.js';
import { parseQuery } from '../../../../core/query/parse.js';
import { formatTimeBound } from '../../../../core/query/time.js';

describe('formatQuery', () => {
  it('writes the canonical form: filters, fields, text, then time bounds', () => {
    expect(formatQuery(parseQuery('time* since:90m namespace:a,"b c" -"x  y" fields.k:"" -level:DEBUG until:2026-12-01T10:00+01:00'))).toBe(
      'ns:a,"b c" -level:debug fields.k:"" time* -"x y" since:1h30m until:2026-12-01T09:00:00.000Z',
    );
    expect(formatQuery(parseQuery('pod:"a\\"b\\\\c"'))).toBe('pod:"a\\"b\\\\c"');
    expect(formatQuery(parseQuery(''))).toBe('');
  });

  it('writes durations largest unit first', () => {
    expect(formatTimeBound({ kind: 'relative', ms: 0 })).toBe('0s');
    expect(formatTimeBound({ kind: 'relative', ms: 90_061_001 })).toBe('1d1h1m1s1ms');
    expect(formatTimeBound({ kind: 'relative', ms: 250 })).toBe('250ms');
  });
});
