// The query compiled to a predicate over one record, for the live tail and the TUI, with the same
// meaning the sinks give it (docs/LOGS.md#query-language): terms ANDed, a filter's values ORed, `-`
// the complement. Field values compare case-sensitively and whole (`*` matches any run, glob.ts);
// text terms compare folded tokens (tokens.ts); a JSON field compares its value as text (a string
// as is, numbers, booleans and null as JSON writes them) and a record without the field matches
// only the negated filter. No regular expression is built from user input.
import { type LogRecord, tsMillis } from '../logs/record.js';
import type { Pattern, Query, ResolvedQuery, TextTerm } from './ast.js';
import { compileGlob, type StringMatcher } from './glob.js';
import { type Token, tokenize } from './tokens.js';

export type RecordMatcher = (r: LogRecord) => boolean;

function anyOf(patterns: Pattern[]): StringMatcher {
  const ms = patterns.map((p) => (p.kind === 'exact' ? (s: string) => s === p.value : compileGlob(p.value)));
  return (s) => ms.some((m) => m(s));
}

/** Where `needle` occurs as consecutive tokens of `hay` (Knuth–Morris–Pratt: linear in both). */
function phraseStarts(hay: string[], needle: string[]): number[] {
  const fail = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = fail[k - 1] as number;
    if (needle[i] === needle[k]) k++;
    fail[i] = k;
  }
  const out: number[] = [];
  for (let i = 0, k = 0; i < hay.length; i++) {
    while (k > 0 && hay[i] !== needle[k]) k = fail[k - 1] as number;
    if (hay[i] === needle[k]) k++;
    if (k === needle.length) {
      out.push(i - needle.length + 1);
      k = fail[k - 1] as number;
    }
  }
  return out;
}

/** The token spans [first, last] (indices into the tokens) where a text term matches. */
function termSpans(t: TextTerm, tokens: string[]): [number, number][] {
  const first = t.tokens[0] ?? '';
  if (t.kind === 'phrase') return phraseStarts(tokens, t.tokens).map((i) => [i, i + t.tokens.length - 1]);
  const out: [number, number][] = [];
  tokens.forEach((tok, i) => {
    if (t.kind === 'word' ? tok === first : tok.startsWith(first)) out.push([i, i]);
  });
  return out;
}

function termMatches(t: TextTerm, tokens: string[]): boolean {
  if (t.kind === 'word') return tokens.includes(t.tokens[0] ?? '');
  if (t.kind === 'prefix') return tokens.some((tok) => tok.startsWith(t.tokens[0] ?? ''));
  return phraseStarts(tokens, t.tokens).length > 0;
}

/** The JSON field's value as the query compares it. */
export function fieldText(v: LogRecord['fields'][string]): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function compileMatcher(q: ResolvedQuery): RecordMatcher {
  const checks: RecordMatcher[] = [];
  for (const f of q.filters) {
    const m = anyOf(f.values);
    checks.push((r) => m(r[f.field]) !== f.negated);
  }
  for (const f of q.fields) {
    const m = anyOf(f.values);
    checks.push((r) => {
      const has = Object.hasOwn(r.fields, f.key);
      return (has && m(fieldText(r.fields[f.key] as LogRecord['fields'][string]))) !== f.negated;
    });
  }
  if (q.sinceMs !== undefined || q.untilMs !== undefined) {
    const since = q.sinceMs ?? -Infinity;
    const until = q.untilMs ?? Infinity;
    checks.push((r) => {
      const t = tsMillis(r.ts);
      return t >= since && t <= until;
    });
  }
  const text = q.text;
  if (text.length > 0) {
    checks.push((r) => {
      const tokens = tokenize(r.message).map((t) => t.text);
      return text.every((t) => termMatches(t, tokens) !== t.negated);
    });
  }
  return (r) => checks.every((c) => c(r));
}

/**
 * The UTF-16 ranges [start, end) of `message` that the query's positive text terms match, sorted
 * and merged, for the TUI's highlight. A phrase spans from its first token to its last.
 */
export function highlightRanges(q: Pick<Query, 'text'>, message: string): [number, number][] {
  const positive = q.text.filter((t) => !t.negated);
  if (positive.length === 0) return [];
  const toks: Token[] = tokenize(message);
  const texts = toks.map((t) => t.text);
  const ranges = positive.flatMap((t) => termSpans(t, texts)).map(([a, b]): [number, number] => [(toks[a] as Token).start, (toks[b] as Token).end]);
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
