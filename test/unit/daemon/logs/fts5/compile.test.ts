import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../../core/errors.js';
import type { ResolvedQuery } from '../../../../../core/query/ast.js';
import { compileQuery, ftsString, jsonPath, patternMatches, sqliteGlob } from '../../../../../daemon/logs/fts5/compile.js';

const q = (over: Partial<ResolvedQuery> = {}): ResolvedQuery => ({ filters: [], fields: [], text: [], ...over });

describe('ftsString', () => {
  it('quotes tokens as one FTS5 string, doubling quotes', () => {
    expect(ftsString(['timeout'])).toBe('"timeout"');
    expect(ftsString(['a', 'b'])).toBe('"a b"');
    expect(ftsString(['say"hi'])).toBe('"say""hi"');
    expect(ftsString(['a\u0000b'])).toBe('"a b"');
  });

  it('never lets a token out of its string: FTS5 parses every quoted token as one phrase', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(m, content='', tokenize='unicode61 remove_diacritics 1')`);
    db.prepare('INSERT INTO f (rowid, m) VALUES (1, ?)').run('near and or not " * ( ) ^ : - +');
    const count = db.prepare('SELECT count(*) FROM f WHERE f MATCH ?').pluck();
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 3 }), (tokens) => {
        // Any error would be FTS5 reading the text as syntax.
        expect(() => count.get(ftsString(tokens))).not.toThrow();
        expect(() => count.get(`${ftsString(tokens)}*`)).not.toThrow();
        expect(() => count.get(`"near" NOT ${ftsString(tokens)}`)).not.toThrow();
      }),
    );
    db.close();
  });
});

describe('sqliteGlob and patternMatches', () => {
  it('keeps * as the one wildcard', () => {
    expect(sqliteGlob('api-*')).toBe('api-*');
    expect(sqliteGlob('a?b[c]*')).toBe('a[?]b[[]c]*');
    const db = new Database(':memory:');
    const glob = db.prepare('SELECT ? GLOB ?').pluck();
    for (const [value, pattern, want] of [['a?b[c]x', 'a?b[c]*', 1], ['aXb[c]x', 'a?b[c]*', 0], ['abc', 'a*', 1], ['ABC', 'a*', 0]] as const) {
      expect(glob.get(value, sqliteGlob(pattern))).toBe(want);
      expect(patternMatches({ kind: 'glob', value: pattern }, value)).toBe(want === 1);
    }
    db.close();
  });
});

describe('jsonPath', () => {
  it('names one key, dots and quotes included', () => {
    expect(jsonPath('http.status')).toBe('$."http.status"');
    expect(jsonPath('a"b\\c')).toBe('$."a\\"b\\\\c"');
  });
});

describe('compileQuery', () => {
  it('compiles no terms to no condition and no match', () => {
    expect(compileQuery(q())).toEqual({ match: null, exclude: null, where: '1', params: [] });
  });

  it('ANDs positive text and NOTs the negatives inside FTS5', () => {
    const c = compileQuery(q({ text: [{ kind: 'word', tokens: ['a'], negated: false }, { kind: 'prefix', tokens: ['ti'], negated: false }, { kind: 'phrase', tokens: ['x', 'y'], negated: true }] }));
    expect(c.match).toBe('("a" AND "ti"*) NOT ("x y")');
    expect(c.exclude).toBeNull();
  });

  it('leaves only negatives to the executor as an exclusion', () => {
    const c = compileQuery(q({ text: [{ kind: 'word', tokens: ['a'], negated: true }, { kind: 'word', tokens: ['b'], negated: true }] }));
    expect(c).toMatchObject({ match: null, exclude: '"a" OR "b"' });
  });

  it('decides level and stream patterns on their fixed vocabularies', () => {
    expect(compileQuery(q({ filters: [{ field: 'level', values: [{ kind: 'exact', value: 'error' }, { kind: 'glob', value: 'w*' }], negated: false }] })).where).toBe('r.level IN (3,4)');
    expect(compileQuery(q({ filters: [{ field: 'stream', values: [{ kind: 'exact', value: 'stderr' }], negated: true }] })).where).toBe('NOT r.stream IN (1)');
    expect(compileQuery(q({ filters: [{ field: 'level', values: [{ kind: 'exact', value: 'nope' }], negated: false }] })).where).toBe('0');
  });

  it('binds every user value as a parameter', () => {
    const c = compileQuery(q({ filters: [{ field: 'cluster', values: [{ kind: 'exact', value: "x' OR 1=1 --" }], negated: false }], fields: [{ key: "k'); --", values: [{ kind: 'glob', value: '4*' }], negated: true }] }));
    expect(c.where).not.toContain("x'");
    expect(c.where).not.toContain("k'");
    expect(c.params).toContain("x' OR 1=1 --");
    expect(c.where.split('?').length - 1).toBe(c.params.length);
  });

  it('refuses a query past the limits', () => {
    const many = Array.from({ length: 65 }, () => ({ kind: 'word' as const, tokens: ['a'], negated: false }));
    expect(() => compileQuery(q({ text: many }))).toThrow(FlotillaError);
    expect(() => compileQuery(q({ filters: [{ field: 'pod', values: [{ kind: 'glob', value: 'a*b*c*d*e*f' }], negated: false }] }))).toThrow(/too large/);
  });
});
