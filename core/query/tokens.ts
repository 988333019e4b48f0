// The word rule of the log query language: SQLite FTS5's `unicode61` tokenizer with its default
// `remove_diacritics 1`, reproduced so that the live matcher (match.ts), the TUI's highlight and the
// FTS5 sink, which tokenizes with SQLite itself, agree on what a word is (docs/LOGS.md#words).
//
// - A token is a maximal run of token characters: Unicode letters (L*), numbers (N*), private use
//   (Co), and code points unassigned in JavaScript's Unicode tables (Cn, except U+FFFE and U+FFFF),
//   because SQLite's tables (Unicode 6.1) classify what they do not know as a token character.
//   Everything else (spaces, punctuation, symbols, combining marks) separates tokens.
// - Each character is case-folded (simple case folding: the lower case of its upper case; U+0130
//   `İ` folds to `i`, U+0131 `ı` stays), then a Latin letter with exactly one diacritic loses it
//   (`É` → `e`, but `ǣ` stays: its base is not an ASCII letter, and `ṩ` has two marks).
//
// Measured against SQLite 3.53 on every code point below U+30000, this differs only for characters
// assigned after Unicode 6.1 (newer scripts, case pairs, symbols and emoji modifiers), which SQLite
// treats as unknown token characters. Tokens are matched exactly: a folded token folds to itself.

export interface Token {
  /** The folded token text. */
  text: string;
  /** UTF-16 offsets into the original string, end exclusive. */
  start: number;
  end: number;
}

// One character class repeated, so matching is linear: no alternation, nothing to backtrack into.
const TOKEN_RUN = /(?:(?![\uFFFE\uFFFF])[\p{L}\p{N}\p{Co}\p{Cn}])+/gu;
const ASCII = /^[ -~]*$/;
const ASCII_LETTER = /^[a-z]$/;
const MARK = /^\p{Mn}$/u;

/** Folds one code point (a one-code-point string) to what SQLite's unicode61 stores for it. */
function foldChar(ch: string): string {
  if (ch === '\u0130') return 'i';
  if (ch === '\u0131') return ch;
  const upper = ch.toUpperCase();
  let folded = [...upper].length === 1 ? upper.toLowerCase() : ch.toLowerCase();
  if ([...folded].length !== 1) folded = ch;
  const parts = [...folded.normalize('NFD')];
  if (parts.length === 2 && ASCII_LETTER.test(parts[0] as string) && MARK.test(parts[1] as string)) return parts[0] as string;
  return folded;
}

/** Folds a run of token characters. Printable ASCII, the common case, is just lower-cased. */
export function foldToken(run: string): string {
  if (ASCII.test(run)) return run.toLowerCase();
  let out = '';
  for (const ch of run) out += foldChar(ch);
  return out;
}

/** The tokens of a text with their positions, in order. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RUN.exec(text)) !== null) {
    out.push({ text: foldToken(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Just the folded token texts. */
export function tokenTexts(text: string): string[] {
  return tokenize(text).map((t) => t.text);
}
