import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../../core/logs/record.js';
import { type Query, type ResolvedQuery, resolveQuery } from '../../../../core/query/ast.js';
import { compileGlob } from '../../../../core/query/glob.js';
import { compileMatcher, fieldText, highlightRanges } from '../../../../core/query/match.js';
import { parseQuery } from '../../../../core/query/parse.js';
import { matchFilter, matchJson, matchText, record } from './arbitraries.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0);

function rec(over: Partial<LogRecord> = {}): LogRecord {
  return {
    id: 'a'.repeat(32),
    ts: '2026-12-01T11:55:00.123456789Z',
    cluster: 'prod-eu',
    namespace: 'payments',
    pod: 'api-7d9f',
    container: 'api',
    node: 'node-1',
    stream: 'stderr',
    level: 'error',
    message: 'Request timed out after 30s: upstream Ünïcode-service refused',
    fields: { user_id: 42, ok: false, who: 'ann', nothing: null },
    ...over,
  };
}

const matches = (text: string, r: LogRecord = rec()) => compileMatcher(resolveQuery(parseQuery(text), NOW))(r);
const empty: Query = { filters: [], fields: [], text: [] };

describe('compileMatcher', () => {
  it('matches the issue example on a record that has everything', () => {
    expect(matches('cluster:prod-* ns:payments pod:api-* container:api node:node-1 level:error,warn stream:stderr "timed out" upstream -debug time* fields.user_id:42 since:15m until:2026-12-02')).toBe(true);
  });

  it('compares fields whole and case-sensitively, with * as any run', () => {
    expect(matches('pod:api')).toBe(false);
    expect(matches('pod:API-*')).toBe(false);
    expect(matches('pod:*7d*')).toBe(true);
    expect(matches('cluster:prod-eu,dev')).toBe(true);
    expect(matches('cluster:dev,staging')).toBe(false);
    expect(matches('-ns:kube-system')).toBe(true);
    expect(matches('node:""', rec({ node: '' }))).toBe(true);
  });

  it('compares JSON fields as text; a record without the field matches only the negation', () => {
    expect(matches('fields.user_id:42')).toBe(true);
    expect(matches('fields.user_id:4*')).toBe(true);
    expect(matches('fields.ok:false fields.nothing:null fields.who:ann')).toBe(true);
    expect(matches('fields.absent:x')).toBe(false);
    expect(matches('-fields.absent:x')).toBe(true);
    expect(matches('fields.absent:*')).toBe(false);
    expect(fieldText('a"b')).toBe('a"b');
    expect(fieldText(1.5)).toBe('1.5');
  });

  it('matches words, prefixes and phrases on folded tokens', () => {
    expect(matches('TIMED')).toBe(true);
    expect(matches('unicode')).toBe(true);
    expect(matches('time')).toBe(false);
    expect(matches('time*')).toBe(true);
    expect(matches('"out after 30s"')).toBe(true);
    expect(matches('"after out"')).toBe(false);
    expect(matches('"unicode service"')).toBe(true);
    expect(matches('-refused')).toBe(false);
    expect(matches('"service refused" -"refused service"')).toBe(true);
  });

  it('bounds by time, inclusive at both ends', () => {
    expect(matches('since:5m')).toBe(true);
    expect(matches('since:4m')).toBe(false);
    expect(matches('until:6m')).toBe(false);
    expect(matches('since:2026-12-01T11:55Z until:2026-12-01T11:55:00.123Z')).toBe(true);
  });

  it('matches everything with the empty query', () => {
    fc.assert(fc.property(record, (r) => compileMatcher(empty)(r)));
  });

  it('property: a negated term is the complement of the term', () => {
    const term = fc.oneof(
      matchFilter.map((f): Query => ({ ...empty, filters: [f] })),
      matchJson.map((f): Query => ({ ...empty, fields: [f] })),
      matchText.map((t): Query => ({ ...empty, text: [t] })),
    );
    fc.assert(
      fc.property(term, record, (q, r) => {
        const flip = (x: Query): Query => ({
          filters: x.filters.map((f) => ({ ...f, negated: !f.negated })),
          fields: x.fields.map((f) => ({ ...f, negated: !f.negated })),
          text: x.text.map((t) => ({ ...t, negated: !t.negated })),
        });
        expect(compileMatcher(flip(q))(r)).toBe(!compileMatcher(q)(r));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: the values of a filter are ORed', () => {
    fc.assert(
      fc.property(matchFilter, record, (f, r) => {
        const positive = { ...f, negated: false };
        const one = f.values.map((v) => compileMatcher({ ...empty, filters: [{ ...positive, values: [v] }] })(r));
        expect(compileMatcher({ ...empty, filters: [positive] })(r)).toBe(one.some(Boolean));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: terms are ANDed', () => {
    const q = fc.record({ filters: fc.array(matchFilter, { maxLength: 3 }), fields: fc.array(matchJson, { maxLength: 2 }), text: fc.array(matchText, { maxLength: 3 }) });
    fc.assert(
      fc.property(q, record, (x, r) => {
        const singles: ResolvedQuery[] = [...x.filters.map((f) => ({ ...empty, filters: [f] })), ...x.fields.map((f) => ({ ...empty, fields: [f] })), ...x.text.map((t) => ({ ...empty, text: [t] }))];
        expect(compileMatcher(x)(r)).toBe(singles.every((s) => compileMatcher(s)(r)));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: text terms agree with their definition over the message tokens', () => {
    fc.assert(
      fc.property(matchText, record, (t, r) => {
        const tokens = r.message
          .split(/[^\p{L}\p{N}]+/u)
          .filter(Boolean)
          .map((w) => w.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, ''));
        const want =
          t.kind === 'word'
            ? tokens.includes(t.tokens[0] as string)
            : t.kind === 'prefix'
              ? tokens.some((w) => w.startsWith(t.tokens[0] as string))
              : tokens.some((_, i) => t.tokens.every((p, j) => tokens[i + j] === p));
        expect(compileMatcher({ ...empty, text: [t] })(r)).toBe(want !== t.negated);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('compileGlob', () => {
  const reference = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');

  it('property: agrees with an anchored regular expression on small inputs', () => {
    const alpha = fc.constantFrom('a', 'b', '*', '.', '\\');
    fc.assert(
      fc.property(fc.array(alpha, { maxLength: 8 }).map((c) => c.join('')), fc.array(fc.constantFrom('a', 'b', '.', '\\'), { maxLength: 10 }).map((c) => c.join('')), (p, s) => {
        expect(compileGlob(p)(s)).toBe(reference(p).test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers pathological patterns in one scan per piece', () => {
    const hay = 'a'.repeat(200_000);
    expect(compileGlob('*a*a*a*b')(hay)).toBe(false);
    expect(compileGlob('*a*a*a*a')(hay)).toBe(true);
    expect(compileGlob('a*a*a*a*')(`${hay}b`)).toBe(true);
    // Five stars is over the query limit, so the parser refuses it before any matching.
    expect(() => parseQuery('pod:*a*a*a*a*b')).toThrow(/at most 4 "\*" in one value/);
  });
});

describe('highlightRanges', () => {
  it('marks what positive text terms match, merged, in UTF-16 offsets', () => {
    const message = 'Timeout: time out, TIMED out; Ünïcode ok';
    const q = parseQuery('time* "out timed" -ok ünicode');
    const got = highlightRanges(q, message).map(([a, b]) => message.slice(a, b));
    expect(got).toEqual(['Timeout', 'time', 'out, TIMED', 'Ünïcode']);
    expect(highlightRanges(parseQuery('level:error -x'), message)).toEqual([]);
  });

  it('marks a phrase each time it occurs, overlapping ones merged', () => {
    expect(highlightRanges(parseQuery('"a a"'), 'a a a b a a')).toEqual([
      [0, 5],
      [8, 11],
    ]);
  });
});
