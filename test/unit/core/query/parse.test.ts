import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { QUERY_LIMITS } from '../../../../core/query/ast.js';
import { formatQuery } from '../../../../core/query/format.js';
import { isQueryError, parseQuery, QueryError } from '../../../../core/query/parse.js';
import { query } from './arbitraries.js';

function errorOf(text: string): QueryError {
  try {
    parseQuery(text);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`"${text}" parsed`);
}

describe('parseQuery', () => {
  it('parses every term of the issue example', () => {
    const q = parseQuery('cluster:prod-* ns:payments pod:api-* container:c node:n level:error,warn stream:stderr "a phrase" word -word time* fields.user_id:42 since:15m until:2026-12-01T10:00Z');
    expect(q).toEqual({
      filters: [
        { field: 'cluster', values: [{ kind: 'glob', value: 'prod-*' }], negated: false },
        { field: 'namespace', values: [{ kind: 'exact', value: 'payments' }], negated: false },
        { field: 'pod', values: [{ kind: 'glob', value: 'api-*' }], negated: false },
        { field: 'container', values: [{ kind: 'exact', value: 'c' }], negated: false },
        { field: 'node', values: [{ kind: 'exact', value: 'n' }], negated: false },
        { field: 'level', values: [{ kind: 'exact', value: 'error' }, { kind: 'exact', value: 'warn' }], negated: false },
        { field: 'stream', values: [{ kind: 'exact', value: 'stderr' }], negated: false },
      ],
      fields: [{ key: 'user_id', values: [{ kind: 'exact', value: '42' }], negated: false }],
      text: [
        { kind: 'phrase', tokens: ['a', 'phrase'], negated: false },
        { kind: 'word', tokens: ['word'], negated: false },
        { kind: 'word', tokens: ['word'], negated: true },
        { kind: 'prefix', tokens: ['time'], negated: false },
      ],
      since: { kind: 'relative', ms: 15 * 60_000 },
      until: { kind: 'absolute', ms: Date.UTC(2026, 11, 1, 10, 0) },
    });
  });

  it('treats an empty or blank query as match-everything', () => {
    expect(parseQuery('')).toEqual({ filters: [], fields: [], text: [] });
    expect(parseQuery(' \t\n ')).toEqual({ filters: [], fields: [], text: [] });
  });

  it('takes namespace: as ns:, negates any term, quotes values and folds words', () => {
    const q = parseQuery('namespace:"a b",c -pod:x -"Time Out" -fields.k:v Ünïcode user_id');
    expect(q.filters).toEqual([
      { field: 'namespace', values: [{ kind: 'exact', value: 'a b' }, { kind: 'exact', value: 'c' }], negated: false },
      { field: 'pod', values: [{ kind: 'exact', value: 'x' }], negated: true },
    ]);
    expect(q.fields).toEqual([{ key: 'k', values: [{ kind: 'exact', value: 'v' }], negated: true }]);
    expect(q.text).toEqual([
      { kind: 'phrase', tokens: ['time', 'out'], negated: true },
      { kind: 'word', tokens: ['unicode'], negated: false },
      // The tokenizer splits at "_", so the word searches as a phrase.
      { kind: 'phrase', tokens: ['user', 'id'], negated: false },
    ]);
  });

  it('unescapes \\" and \\\\ in quotes and keeps other backslashes', () => {
    expect(parseQuery('pod:"a\\"b\\\\c\\d"').filters[0]?.values).toEqual([{ kind: 'exact', value: 'a"b\\c\\d' }]);
    expect(parseQuery('node:""').filters[0]?.values).toEqual([{ kind: 'exact', value: '' }]);
  });

  it('lower-cases levels and streams, and keeps other values as written', () => {
    const q = parseQuery('level:ERROR stream:StdErr pod:Api-*');
    expect(q.filters.map((f) => f.values[0])).toEqual([
      { kind: 'exact', value: 'error' },
      { kind: 'exact', value: 'stderr' },
      { kind: 'glob', value: 'Api-*' },
    ]);
  });

  it('reads since and until as durations, RFC 3339 times, minute times and dates', () => {
    expect(parseQuery('since:1h30m').since).toEqual({ kind: 'relative', ms: 5_400_000 });
    expect(parseQuery('since:2026-12-01').since).toEqual({ kind: 'absolute', ms: Date.UTC(2026, 11, 1) });
    expect(parseQuery('since:2026-12-01T10:00:00.5+02:00').since).toEqual({ kind: 'absolute', ms: Date.UTC(2026, 11, 1, 8, 0, 0, 500) });
    expect(parseQuery('until:2026-12-01t10:00:07.123456789z').until).toEqual({ kind: 'absolute', ms: Date.UTC(2026, 11, 1, 10, 0, 7, 123) });
    expect(parseQuery('until:2026-12-01T10:00-05:30').until).toEqual({ kind: 'absolute', ms: Date.UTC(2026, 11, 1, 15, 30) });
  });

  it('names the position and what was expected for every error', () => {
    const cases: [string, number, RegExp][] = [
      ['ns:payments level:', 18, /^at 18: expected a value after "level:"$/],
      ['foo:bar', 0, /^at 0: expected a known key \(cluster, namespace or ns, pod, container, node, level, stream, fields\.KEY, since, until\), not "foo:"$/],
      ['x :bar', 2, /expected a key before ":"/],
      ['level:err', 6, /expected a level \(trace, debug, info, warn, error, fatal, unknown\), not "err"/],
      ['level:error,', 12, /expected a value after ","/],
      ['level:error,*', 12, /expected a level/],
      ['stream:out', 7, /expected a stream \(stdout, stderr\), not "out"/],
      ['a "abc', 6, /expected a closing quote for the quote at 2, not the end of the query/],
      ['"abc"def', 5, /expected a space after the closing quote/],
      ['abc"def"', 3, /expected a space before the quote/],
      ['pod:"a"b', 7, /expected a space or "," after the closing quote/],
      ['pod:a"b"', 5, /expected a space or "," before the quote/],
      ['a*b', 1, /"\*" only at the end of a word/],
      ['ab**', 2, /"\*" only at the end of a word/],
      ['*', 0, /letters or digits before "\*"/],
      ['foo.bar*', 0, /a single word before "\*", not 2 words \(foo bar\)/],
      ['!!!', 0, /a word with letters or digits, not "!!!"/],
      ['"..."', 0, /a phrase with letters or digits/],
      ['x -', 3, /a term after "-"/],
      ['- x', 1, /a term after "-"/],
      ['fields.:1', 7, /a field name after "fields\."/],
      ['fields.a*:1', 8, /a field name without "\*"/],
      [`fields.${'k'.repeat(129)}:1`, 7, /a field name of at most 128 characters/],
      ['since:soon', 6, /expected a duration \(15m, 1h30m, 7d\) or a time/],
      ['since:2026-02-30', 6, /expected a duration/],
      ['since:2026-12-01T25:00Z', 6, /expected a duration/],
      ['since:2026-12-01T10:00', 6, /expected a duration/],
      ['since:1969-12-31', 6, /expected a duration/],
      ['until:9999-12-31T23:59-01:00', 6, /expected a duration/],
      ['since:15m,1h', 9, /a single time after "since:"/],
      ['-since:15m', 0, /since: without "-"/],
      ['since:1m until:1m since:2m', 18, /one since: only, not a second one/],
      ['pod:*a*b*c*d*e', 12, /at most 4 "\*" in one value/],
      ['pod:"*a*b*c*d*"', 13, /at most 4 "\*" in one value/],
    ];
    for (const [text, position, message] of cases) {
      const e = errorOf(text);
      expect({ text, position: e.position }).toEqual({ text, position });
      expect(e.message).toMatch(message);
      expect(e.kind).toBe('usage');
      expect(e.exitCode).toBe(64);
      expect(e.next).toMatch(/docs\/LOGS\.md#query-language/);
      expect(e.details).toMatchObject({ position, expected: e.expected });
    }
  });

  it('tells how to search for text with a colon', () => {
    expect(errorOf('http://x').next).toMatch(/^To search for text with a colon, quote it \("http:…"\); the syntax is in docs\/LOGS\.md#query-language\.$/);
    expect(parseQuery('"http://x"').text).toEqual([{ kind: 'phrase', tokens: ['http', 'x'], negated: false }]);
  });

  it('refuses a query past the limits, naming the limit', () => {
    const long = errorOf('a '.repeat(5000));
    expect(long.position).toBe(QUERY_LIMITS.chars);
    expect(long.message).toMatch(/at most 2048 characters, not 10000 characters/);

    const terms = Array.from({ length: QUERY_LIMITS.terms + 1 }, (_, i) => `w${i}`);
    const tooMany = errorOf(terms.join(' '));
    expect(tooMany.message).toMatch(/at most 64 terms/);
    expect(tooMany.position).toBe(terms.slice(0, QUERY_LIMITS.terms).join(' ').length + 1);
    expect(parseQuery(terms.slice(0, QUERY_LIMITS.terms).join(' ')).text).toHaveLength(QUERY_LIMITS.terms);

    const values = Array.from({ length: QUERY_LIMITS.values + 1 }, (_, i) => `p${i}`);
    const tooManyValues = errorOf(`pod:${values.join(',')}`);
    expect(tooManyValues.message).toMatch(/at most 32 values for "pod:"/);
    expect(tooManyValues.position).toBe(`pod:${values.slice(0, QUERY_LIMITS.values).join(',')},`.length);
    expect(parseQuery(`pod:${values.slice(0, QUERY_LIMITS.values).join(',')}`).filters[0]?.values).toHaveLength(QUERY_LIMITS.values);
  });

  it('refuses a 10,000-term query', () => {
    expect(errorOf(Array.from({ length: 10_000 }, () => 'x').join(' ')).message).toMatch(/at most 2048 characters/);
  });

  it('property: formatQuery is canonical, parseQuery(formatQuery(q)) deep-equals q', () => {
    fc.assert(
      fc.property(query, (q) => {
        expect(parseQuery(formatQuery(q))).toEqual(q);
      }),
      { numRuns: 500 },
    );
  });

  it('property: any string parses or throws a QueryError, and what parses formats back to itself', () => {
    const syntax = fc.constantFrom('a', 'É', '1', ' ', '-', ':', ',', '"', '\\', '*', 'ns', 'pod', 'level', 'since', 'fields.', 'error', '15m', '2026-12-01', '😀', '\u0301', '\t');
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.array(syntax, { maxLength: 30 }).map((p) => p.join('')));
    fc.assert(
      fc.property(text, (s) => {
        let q;
        try {
          q = parseQuery(s);
        } catch (e) {
          expect(isQueryError(e)).toBe(true);
          expect(e).toBeInstanceOf(FlotillaError);
          const qe = e as QueryError;
          expect(qe.position).toBeGreaterThanOrEqual(0);
          expect(qe.position).toBeLessThanOrEqual(s.length);
          return;
        }
        expect(parseQuery(formatQuery(q))).toEqual(q);
      }),
      { numRuns: 2000 },
    );
  });
});
