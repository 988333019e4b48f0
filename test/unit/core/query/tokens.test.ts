import { describe, expect, it } from 'vitest';
import { foldToken, tokenize, tokenTexts } from '../../../../core/query/tokens.js';

describe('the unicode61 token rule', () => {
  it('splits at everything but letters, numbers and private use, keeping offsets', () => {
    expect(tokenize('GET /api/v1?x=42 ok')).toEqual([
      { text: 'get', start: 0, end: 3 },
      { text: 'api', start: 5, end: 8 },
      { text: 'v1', start: 9, end: 11 },
      { text: 'x', start: 12, end: 13 },
      { text: '42', start: 14, end: 16 },
      { text: 'ok', start: 17, end: 19 },
    ]);
    expect(tokenTexts('user_id=7 a-b a.b 😀x \uE000p')).toEqual(['user', 'id', '7', 'a', 'b', 'a', 'b', 'x', '\uE000p']);
    expect(tokenTexts('')).toEqual([]);
    expect(tokenTexts(' ,.;:!?')).toEqual([]);
  });

  // Each expectation below is what SQLite 3.53's unicode61 (remove_diacritics 1) stores.
  it('case-folds and removes one diacritic from Latin letters, like SQLite', () => {
    expect(tokenTexts('ÉCOLE Ünïcode ÀÇÑ')).toEqual(['ecole', 'unicode', 'acn']);
    expect(tokenTexts('straße ǣ ǿ')).toEqual(['straße', 'ǣ', 'ǿ']);
    expect(tokenTexts('İ ı ſ µ ς ϐ')).toEqual(['i', 'ı', 's', 'μ', 'σ', 'β']);
    expect(tokenTexts('Ά Й ё')).toEqual(['ά', 'й', 'ё']);
    // A combining mark is not a token character, so a decomposed accent splits the word.
    expect(tokenTexts('cafe\u0301s')).toEqual(['cafe', 's']);
  });

  it('folds every code point to a token that folds to itself', () => {
    for (let cp = 1; cp < 0x30000; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const tokens = tokenTexts(String.fromCodePoint(cp));
      if (tokens.length === 0) continue;
      const t = tokens[0] as string;
      if (tokenTexts(t).length !== 1 || tokenTexts(t)[0] !== t || foldToken(t) !== t) throw new Error(`U+${cp.toString(16)} folds to ${t}, which does not fold to itself`);
    }
  });
});
