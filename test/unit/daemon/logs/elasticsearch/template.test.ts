// The index template: the analyzer it defines tokenizes exactly as the query language's word rule
// (core/query/tokens.ts), checked over every token character through the test server's reading of
// the analysis settings; index names follow the record's ts; the pinned width is read back.
import { describe, expect, it } from 'vitest';
import { tokenTexts } from '../../../../../core/query/tokens.js';
import { analysis, ANALYZER, indexFor, indexTemplate, pinnedIndexHours, simpleLower, foldMappings } from '../../../../../daemon/logs/elasticsearch/template.js';
import { buildAnalyzers } from '../../../../harness/elasticsearch/analysis.js';

describe('Elasticsearch index template', () => {
  it('folds with a table and lowercase exactly as tokens.ts, for every assigned plane', { timeout: 30_000 }, () => {
    const analyze = buildAnalyzers(analysis()).get(ANALYZER)!;
    // Every code point below U+30000 (what tokens.ts was measured on against SQLite) and the tags and
    // variation selectors of plane 14, between spaces and inside words, in chunks whose words stay
    // below the token length cut (tested below). Planes 3 to 13 are unassigned: token characters the
    // table never names.
    const all: string[] = [];
    for (let cp = 0; cp < 0x30000; cp++) if (cp < 0xd800 || cp >= 0xe000) all.push(String.fromCodePoint(cp));
    for (let cp = 0xe0000; cp < 0xe0200; cp++) all.push(String.fromCodePoint(cp));
    const differ: string[] = [];
    for (let i = 0; i < all.length; i += 1000) {
      const chunk = all.slice(i, i + 1000);
      for (const text of [chunk.join(' '), `A${chunk.join('')}b`]) {
        const got = analyze(text).map((t) => t.term);
        const want = tokenTexts(text);
        if (got.join('\u0001') !== want.join('\u0001')) differ.push(`chunk at U+${i.toString(16)}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('maps only characters whose fold is not their simple lower case, to a lower-case-stable fold', () => {
    const rules = foldMappings();
    expect(rules).toContain('É => e');
    expect(rules).toContain('ς => σ');
    expect(rules.some((r) => r.startsWith('A '))).toBe(false);
    for (const r of rules) {
      const to = r.split(' => ')[1]!;
      expect(simpleLower(to)).toBe(to);
    }
  });

  it('cuts very long tokens so no term exceeds what Lucene indexes', () => {
    const analyze = buildAnalyzers(analysis()).get(ANALYZER)!;
    const [t] = analyze('𝒜'.repeat(10_000));
    expect([...t!.term].length).toBe(4096);
    expect(Buffer.byteLength(t!.term)).toBeLessThanOrEqual(32766);
  });

  it('names indices by the start of the record ts partition', () => {
    const ms = Date.parse('2026-03-01T17:42:00Z');
    expect(indexFor('flotilla-logs', 24, ms)).toBe('flotilla-logs-2026.03.01');
    expect(indexFor('flotilla-logs', 1, ms)).toBe('flotilla-logs-2026.03.01-17');
    expect(indexFor('flotilla-logs', 6, ms)).toBe('flotilla-logs-2026.03.01-12');
    expect(indexFor('logs', 48, ms)).toBe('logs-2026.02.28');
  });

  it('pins the index width in its _meta, and reads only its own back', () => {
    const t = indexTemplate({ prefix: 'flotilla-logs', indexHours: 6 });
    expect(t.index_patterns).toEqual(['flotilla-logs-*']);
    expect(pinnedIndexHours(t._meta)).toBe(6);
    expect(pinnedIndexHours({ managed_by: 'someone', index_hours: 6 })).toBeUndefined();
    expect(pinnedIndexHours(undefined)).toBeUndefined();
    expect((t.template.mappings as { dynamic: string }).dynamic).toBe('strict');
  });
});
