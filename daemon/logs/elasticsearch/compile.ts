// The query language (core/query/ast.ts) compiled to Elasticsearch's query DSL, with the meaning the
// FTS5 sink and the live matcher give it (docs/LOGS.md#query-language). Pure, so every rule is tested
// directly (test/unit/daemon/logs/elasticsearch/compile.test.ts).
//
// - Record fields are keywords: an exact value is a `term`, a glob a `wildcard` with `?` and `\`
//   escaped (only `*` is special in the query language); a filter's values are ORed, `-` is must_not.
// - `fields.KEY:` matches the keyword pairs `KEY\u0000VALUE` (documents.ts): Elasticsearch refuses
//   wildcard queries on keyed flattened fields. A record without the key has no pair, so it never
//   matches and a negation keeps it.
// - Words and phrases are `match_phrase` on `message`, analyzed by the index's analyzer, which is the
//   query language's word rule (template.ts); a prefix is a `prefix` query on the folded token.
// - Time bounds are a `range` on ts: since inclusive, until inclusive to the millisecond.
import { FlotillaError } from '../../../core/errors.js';
import { assertQueryWithinLimits } from '../query-limits.js';
import { type Pattern, type QueryField, type ResolvedQuery, type TextTerm } from '../../../core/query/ast.js';
import { tokenTexts } from '../../../core/query/tokens.js';
import { fieldPair } from './documents.js';

export type EsQuery = Record<string, unknown>;

export const MATCH_NONE: EsQuery = { match_none: {} };
export const MATCH_ALL: EsQuery = { match_all: {} };

const FIELD_NAMES: Record<QueryField, string> = { cluster: 'cluster', namespace: 'namespace', pod: 'pod', container: 'container', node: 'node', level: 'level', stream: 'stream' };

/** A query-language glob as an Elasticsearch wildcard pattern: `*` stays, `?` and `\` are escaped. */
export function wildcardPattern(glob: string): string {
  return glob.replace(/[\\?]/g, (c) => `\\${c}`);
}

function anyOf(clauses: EsQuery[]): EsQuery {
  if (clauses.length === 0) return MATCH_NONE;
  return clauses.length === 1 ? clauses[0]! : { bool: { should: clauses, minimum_should_match: 1 } };
}

function patterns(field: string, values: readonly Pattern[]): EsQuery {
  const exacts = values.filter((v) => v.kind === 'exact').map((v) => v.value);
  const globs = values.filter((v) => v.kind === 'glob').map((v): EsQuery => ({ wildcard: { [field]: { value: wildcardPattern(v.value) } } }));
  const clauses: EsQuery[] = [...(exacts.length === 1 ? [{ term: { [field]: exacts[0] } }] : exacts.length > 1 ? [{ terms: { [field]: exacts } }] : []), ...globs];
  return anyOf(clauses);
}

/** `fields.KEY:` values as pairs; in a glob the key part is escaped whole (it is literal) and the value keeps its `*`. */
function fieldPatterns(key: string, values: readonly Pattern[]): EsQuery {
  const exacts = values.filter((v) => v.kind === 'exact').map((v) => fieldPair(key, v.value));
  const globs = values.filter((v) => v.kind === 'glob').map((v): EsQuery => ({ wildcard: { field_values: { value: `${wildcardPattern(fieldPair(key, ''))}${wildcardPattern(v.value)}` } } }));
  const clauses: EsQuery[] = [...(exacts.length === 1 ? [{ term: { field_values: exacts[0] } }] : exacts.length > 1 ? [{ terms: { field_values: exacts } }] : []), ...globs];
  return anyOf(clauses);
}

function textQuery(t: TextTerm): EsQuery {
  if (t.kind !== 'prefix') return { match_phrase: { message: { query: t.tokens.join(' ') } } };
  // The parser gives one folded token; a hand-made term is folded here the way the index folds.
  const tokens = tokenTexts(t.tokens.join(' '));
  if (tokens.length === 0) return MATCH_NONE;
  const last = tokens[tokens.length - 1]!;
  const prefix: EsQuery = { prefix: { message: { value: last } } };
  return tokens.length === 1 ? prefix : { bool: { filter: [{ match_phrase: { message: { query: tokens.join(' ') } } }, prefix] } };
}

/** ts bounds in ms, inclusive to the millisecond: until covers its whole millisecond. */
export function tsRange(sinceMs: number | undefined, untilMs: number | undefined): EsQuery | null {
  if (sinceMs === undefined && untilMs === undefined) return null;
  const range: Record<string, string> = {};
  if (sinceMs !== undefined) range.gte = isoMs(sinceMs);
  if (untilMs !== undefined) range.lt = isoMs(untilMs + 1);
  return { range: { ts: range } };
}

function isoMs(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > 253_402_300_799_999) {
    // date_nanos stores 1970..2262; a bound outside 1970..9999 is no time the query language makes.
    return ms < 0 ? '1970-01-01T00:00:00.000Z' : '9999-12-31T23:59:59.999Z';
  }
  return new Date(ms).toISOString();
}

/** The query's filter as one bool query (filter context: no scoring). */
export function compileQuery(q: ResolvedQuery): EsQuery {
  assertQueryWithinLimits(q);
  const filter: EsQuery[] = [];
  const mustNot: EsQuery[] = [];
  for (const f of q.filters) {
    const field = FIELD_NAMES[f.field];
    if (!field) throw new FlotillaError('internal', `query field ${String(f.field)} has no Elasticsearch field`, 'Report this as a bug.');
    (f.negated ? mustNot : filter).push(patterns(field, f.values));
  }
  for (const f of q.fields) (f.negated ? mustNot : filter).push(fieldPatterns(f.key, f.values));
  for (const t of q.text) (t.negated ? mustNot : filter).push(textQuery(t));
  const range = tsRange(q.sinceMs, q.untilMs);
  if (range) filter.push(range);
  if (filter.length === 0 && mustNot.length === 0) return MATCH_ALL;
  return { bool: { ...(filter.length ? { filter } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) } };
}

/** Adds more filter clauses to a compiled query. */
export function withFilters(query: EsQuery, ...more: EsQuery[]): EsQuery {
  if (more.length === 0) return query;
  return { bool: { filter: [query, ...more] } };
}
