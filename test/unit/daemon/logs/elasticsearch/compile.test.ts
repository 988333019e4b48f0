// The query language compiled to Elasticsearch's query DSL: what each term becomes, escaping, negation,
// the fields.KEY pairs, the time range, and the limits.
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../../core/errors.js';
import { parseQuery } from '../../../../../core/query/parse.js';
import { resolveQuery, type ResolvedQuery } from '../../../../../core/query/ast.js';
import { compileQuery, MATCH_ALL, MATCH_NONE, tsRange, wildcardPattern, withFilters } from '../../../../../daemon/logs/elasticsearch/compile.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const compile = (text: string) => compileQuery(resolveQuery(parseQuery(text), NOW));

describe('Elasticsearch query compiler', () => {
  it('matches everything for an empty query', () => {
    expect(compile('')).toEqual(MATCH_ALL);
  });

  it('makes exact values terms, several values one terms query, globs wildcards', () => {
    expect(compile('cluster:prod-eu')).toEqual({ bool: { filter: [{ term: { cluster: 'prod-eu' } }] } });
    expect(compile('level:error,warn')).toEqual({ bool: { filter: [{ terms: { level: ['error', 'warn'] } }] } });
    expect(compile('cluster:prod-*,staging')).toEqual({ bool: { filter: [{ bool: { should: [{ term: { cluster: 'staging' } }, { wildcard: { cluster: { value: 'prod-*' } } }], minimum_should_match: 1 } }] } });
    expect(compile('ns:payments pod:api-*')).toEqual({ bool: { filter: [{ term: { namespace: 'payments' } }, { wildcard: { pod: { value: 'api-*' } } }] } });
  });

  it('escapes what is special to Elasticsearch but not to the query language: ? and \\', () => {
    expect(wildcardPattern('dns?x*')).toBe('dns\\?x*');
    expect(wildcardPattern('a\\b*')).toBe('a\\\\b*');
    expect(compile('pod:"dns?*"')).toEqual({ bool: { filter: [{ wildcard: { pod: { value: 'dns\\?*' } } }] } });
  });

  it('negates a term with must_not', () => {
    expect(compile('-ns:kube-system error')).toEqual({ bool: { filter: [{ match_phrase: { message: { query: 'error' } } }], must_not: [{ term: { namespace: 'kube-system' } }] } });
    expect(compile('-error')).toEqual({ bool: { must_not: [{ match_phrase: { message: { query: 'error' } } }] } });
  });

  it('compiles fields.KEY to KEY\\u0000VALUE pairs, the key escaped whole in a glob', () => {
    expect(compile('fields.user_id:42')).toEqual({ bool: { filter: [{ term: { field_values: 'user_id\u000042' } }] } });
    expect(compile('fields.http.status:200,503')).toEqual({ bool: { filter: [{ terms: { field_values: ['http.status\u0000200', 'http.status\u0000503'] } }] } });
    expect(compile('fields.k?y:5*')).toEqual({ bool: { filter: [{ wildcard: { field_values: { value: 'k\\?y\u00005*' } } }] } });
    expect(compile('-fields.ok:true')).toEqual({ bool: { must_not: [{ term: { field_values: 'ok\u0000true' } }] } });
  });

  it('makes words and phrases match_phrase, and a prefix a prefix query on the folded token', () => {
    expect(compile('timeout "connection reset"')).toEqual({ bool: { filter: [{ match_phrase: { message: { query: 'timeout' } } }, { match_phrase: { message: { query: 'connection reset' } } }] } });
    expect(compile('Time*')).toEqual({ bool: { filter: [{ prefix: { message: { value: 'time' } } }] } });
    // user_id is two tokens, so it searches as a phrase.
    expect(compile('user_id')).toEqual({ bool: { filter: [{ match_phrase: { message: { query: 'user id' } } }] } });
  });

  it('folds a hand-made prefix the way the index folds, and matches nothing for one without letters', () => {
    const q = (token: string): ResolvedQuery => ({ filters: [], fields: [], text: [{ kind: 'prefix', tokens: [token], negated: false }] });
    expect(compileQuery(q('Éte'))).toEqual({ bool: { filter: [{ prefix: { message: { value: 'ete' } } }] } });
    expect(compileQuery(q('"'))).toEqual({ bool: { filter: [MATCH_NONE] } });
    expect(compileQuery(q('near(b'))).toEqual({ bool: { filter: [{ bool: { filter: [{ match_phrase: { message: { query: 'near b' } } }, { prefix: { message: { value: 'b' } } }] } }] } });
  });

  it('bounds ts from since inclusive to until inclusive to the millisecond', () => {
    expect(tsRange(undefined, undefined)).toBeNull();
    expect(tsRange(Date.parse('2026-03-01T10:00:00Z'), Date.parse('2026-03-01T11:00:00Z'))).toEqual({ range: { ts: { gte: '2026-03-01T10:00:00.000Z', lt: '2026-03-01T11:00:00.001Z' } } });
    expect(compile('since:15m')).toEqual({ bool: { filter: [{ range: { ts: { gte: '2026-03-01T11:45:00.000Z' } } }] } });
    expect(compile('until:2026-02-01')).toEqual({ bool: { filter: [{ range: { ts: { lt: '2026-02-01T00:00:00.001Z' } } }] } });
  });

  it('adds filters around a compiled query', () => {
    expect(withFilters(MATCH_ALL)).toBe(MATCH_ALL);
    expect(withFilters(MATCH_ALL, { range: { seq: { gt: 5 } } })).toEqual({ bool: { filter: [MATCH_ALL, { range: { seq: { gt: 5 } } }] } });
  });

  it('refuses a query over the limits', () => {
    const many: ResolvedQuery = { filters: [{ field: 'pod', values: Array.from({ length: 33 }, (_, i) => ({ kind: 'exact' as const, value: `p${i}` })), negated: false }], fields: [], text: [] };
    expect(() => compileQuery(many)).toThrow(FlotillaError);
    const wild: ResolvedQuery = { filters: [{ field: 'pod', values: [{ kind: 'glob', value: 'a*b*c*d*e*f' }], negated: false }], fields: [], text: [] };
    expect(() => compileQuery(wild)).toThrow(/too large/);
  });
});
