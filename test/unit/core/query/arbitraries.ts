// fast-check generators for the query tests: valid query ASTs (what the parser can produce) and
// records drawn from small alphabets, so that generated queries and records often meet.
import fc from 'fast-check';
import { LOG_LEVELS, LOG_STREAMS, type LogRecord } from '../../../../core/logs/record.js';
import { type FieldFilter, type JsonFieldFilter, type Pattern, type Query, QUERY_FIELDS, QUERY_LIMITS, type TextTerm } from '../../../../core/query/ast.js';
import { formatQuery } from '../../../../core/query/format.js';
import { tokenTexts } from '../../../../core/query/tokens.js';

const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MAX_DURATION_MS = 36_500 * 86_400_000;

/** Characters that exercise the syntax: quotes, escapes, commas, colons, stars, spaces, accents. */
const nasty = fc.constantFrom('a', 'b', 'A', 'é', 'É', '1', '-', '_', '.', ':', ',', '"', '\\', ' ', '\t', '*', 'ß', 'İ', '😀', '\u00a0', 'ǣ');
const small = fc.constantFrom('a', 'b', 'ab', 'x', '1');

export const valueText = fc.array(nasty, { maxLength: 8 }).map((cs) => cs.join(''));

export const pattern: fc.Arbitrary<Pattern> = valueText
  .filter((v) => v.split('*').length - 1 <= QUERY_LIMITS.wildcards)
  .map((value) => (value.includes('*') ? { kind: 'glob', value } : { kind: 'exact', value }));

export const fieldFilter: fc.Arbitrary<FieldFilter> = fc.constantFrom(...QUERY_FIELDS).chain((field) => {
  const values: fc.Arbitrary<Pattern[]> =
    field === 'level' || field === 'stream'
      ? fc.array(fc.constantFrom<string>(...(field === 'level' ? LOG_LEVELS : LOG_STREAMS)).map((value): Pattern => ({ kind: 'exact', value })), { minLength: 1, maxLength: 3 })
      : fc.array(pattern, { minLength: 1, maxLength: 3 });
  return fc.record({ field: fc.constant(field), values, negated: fc.boolean() });
});

const fieldKey = fc
  .array(fc.constantFrom('a', 'b', '.', '_', '-', ',', 'é', '1', '\\'), { minLength: 1, maxLength: 6 })
  .map((cs) => cs.join(''));

export const jsonFilter: fc.Arbitrary<JsonFieldFilter> = fc.record({ key: fieldKey, values: fc.array(pattern, { minLength: 1, maxLength: 3 }), negated: fc.boolean() });

export const token = fc.string({ unit: nasty, minLength: 1, maxLength: 6 }).chain((s) => {
  const t = tokenTexts(s);
  return t.length > 0 ? fc.constant(t[0] as string) : fc.constant('a');
});

export const textTerm: fc.Arbitrary<TextTerm> = fc.oneof(
  fc.record({ kind: fc.constant('word' as const), tokens: token.map((t) => [t]), negated: fc.boolean() }),
  fc.record({ kind: fc.constant('prefix' as const), tokens: token.map((t) => [t]), negated: fc.boolean() }),
  fc.record({ kind: fc.constant('phrase' as const), tokens: fc.array(token, { minLength: 1, maxLength: 4 }), negated: fc.boolean() }),
);

const timeBound = fc.oneof(
  fc.integer({ min: 0, max: MAX_DURATION_MS }).map((ms) => ({ kind: 'relative' as const, ms })),
  fc.integer({ min: 0, max: LATEST }).map((ms) => ({ kind: 'absolute' as const, ms })),
);

export const query: fc.Arbitrary<Query> = fc
  .record(
    {
      filters: fc.array(fieldFilter, { maxLength: 4 }),
      fields: fc.array(jsonFilter, { maxLength: 2 }),
      text: fc.array(textTerm, { maxLength: 4 }),
      since: timeBound,
      until: timeBound,
    },
    { requiredKeys: ['filters', 'fields', 'text'] },
  )
  .filter((q) => formatQuery(q).length <= QUERY_LIMITS.chars);

/** Queries over the small alphabet records use, so that matches are common. */
const smallPattern: fc.Arbitrary<Pattern> = fc.oneof(
  small.map((value): Pattern => ({ kind: 'exact', value })),
  fc.constantFrom('a*', '*b', '*', 'a*b', '*a*').map((value): Pattern => ({ kind: 'glob', value })),
);
export const matchFilter: fc.Arbitrary<FieldFilter> = fc.record({
  field: fc.constantFrom('cluster', 'namespace', 'pod', 'container', 'node' as const),
  values: fc.array(smallPattern, { minLength: 1, maxLength: 3 }),
  negated: fc.boolean(),
});
export const matchJson: fc.Arbitrary<JsonFieldFilter> = fc.record({ key: fc.constantFrom('k', 'n'), values: fc.array(smallPattern, { minLength: 1, maxLength: 2 }), negated: fc.boolean() });
const word = fc.constantFrom('a', 'b', 'ab', 'x', '1', 'é');
export const matchText: fc.Arbitrary<TextTerm> = fc.oneof(
  fc.record({ kind: fc.constantFrom('word' as const, 'prefix' as const), tokens: word.map((t) => [t === 'é' ? 'e' : t]), negated: fc.boolean() }),
  fc.record({ kind: fc.constant('phrase' as const), tokens: fc.array(word.map((t) => (t === 'é' ? 'e' : t)), { minLength: 1, maxLength: 3 }), negated: fc.boolean() }),
);

export const record: fc.Arbitrary<LogRecord> = fc.record({
  id: fc.constant('0'.repeat(32)),
  ts: fc.integer({ min: 0, max: 2_000_000 }).map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString()),
  cluster: small,
  namespace: small,
  pod: small,
  container: small,
  node: small,
  stream: fc.constantFrom(...LOG_STREAMS),
  level: fc.constantFrom(...LOG_LEVELS),
  message: fc.array(fc.constantFrom('a', 'b', 'ab', 'x', '1', 'É', 'A'), { maxLength: 8 }).chain((ws) => fc.constantFrom(' ', '-', ', ').map((sep) => ws.join(sep))),
  fields: fc.dictionary(fc.constantFrom('k', 'n'), fc.oneof(small, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null))),
});
