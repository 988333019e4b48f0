// The log query language's parser (DESIGN.md §3.6, docs/LOGS.md#query-language): one left-to-right
// scan, each character looked at a bounded number of times, so hostile input costs linear time.
// Terms are separated by white space and ANDed; `-` negates a term; `key:a,b` ORs values; `"…"`
// quotes a value or a phrase (`\"` and `\\` inside); `*` is the only wildcard.
import { LOG_LEVELS, LOG_LIMITS, LOG_STREAMS } from '../logs/record.js';
import { type FieldFilter, type Pattern, type Query, QUERY_LIMITS, type QueryField, type TextTerm } from './ast.js';
import { QueryError } from './error.js';
import { parseTimeBound } from './time.js';
import { tokenTexts } from './tokens.js';

export { QueryError, isQueryError, QUERY_SYNTAX_DOC } from './error.js';

const FIELD_KEYS: Record<string, QueryField> = {
  cluster: 'cluster',
  namespace: 'namespace',
  ns: 'namespace',
  pod: 'pod',
  container: 'container',
  node: 'node',
  level: 'level',
  stream: 'stream',
};
const KNOWN_KEYS = 'a known key (cluster, namespace or ns, pod, container, node, level, stream, fields.KEY, since, until)';
const JSON_PREFIX = 'fields.';

interface RawValue {
  text: string;
  start: number;
  /** Offsets in the query of each `*` in the value. */
  stars: number[];
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || /^\s$/u.test(ch);
const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

export function parseQuery(text: string): Query {
  if (text.length > QUERY_LIMITS.chars) {
    throw new QueryError(QUERY_LIMITS.chars, `a query of at most ${QUERY_LIMITS.chars} characters`, `${text.length} characters`);
  }
  return new Parser(text).parse();
}

class Parser {
  private i = 0;
  private readonly q: Query = { filters: [], fields: [], text: [] };
  private terms = 0;

  constructor(private readonly s: string) {}

  parse(): Query {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && isSpace(s[this.i] as string)) this.i++;
      if (this.i >= s.length) return this.q;
      this.term();
    }
  }

  private fail(at: number, expected: string, found?: string, hint?: string): never {
    throw new QueryError(at, expected, found, hint);
  }

  private atBoundary(at: number): boolean {
    return at >= this.s.length || isSpace(this.s[at] as string);
  }

  private term(): void {
    const s = this.s;
    const start = this.i;
    if (++this.terms > QUERY_LIMITS.terms) this.fail(start, `at most ${QUERY_LIMITS.terms} terms`);
    let negated = false;
    if (s[this.i] === '-') {
      negated = true;
      this.i++;
      if (this.atBoundary(this.i)) this.fail(this.i, 'a term after "-"');
    }
    if (s[this.i] === '"') {
      const value = this.quoted();
      if (!this.atBoundary(this.i)) this.fail(this.i, 'a space after the closing quote');
      this.phrase(value, negated);
      return;
    }
    const bodyStart = this.i;
    let j = this.i;
    while (j < s.length && !isSpace(s[j] as string) && s[j] !== ':' && s[j] !== '"') j++;
    if (s[j] === '"') this.fail(j, 'a space before the quote');
    if (s[j] === ':') {
      this.i = j + 1;
      this.keyed(s.slice(bodyStart, j), start, bodyStart, negated);
      return;
    }
    this.i = j;
    this.word({ text: s.slice(bodyStart, j), start: bodyStart, stars: starsIn(s, bodyStart, j) }, negated);
  }

  /** Reads `"…"` at this.i; returns its content with the offsets of its stars. */
  private quoted(): RawValue {
    const s = this.s;
    const open = this.i;
    let text = '';
    const stars: number[] = [];
    let k = open + 1;
    for (;;) {
      if (k >= s.length) this.fail(s.length, `a closing quote for the quote at ${open}`, 'the end of the query');
      const ch = s[k] as string;
      if (ch === '"') break;
      if (ch === '\\' && (s[k + 1] === '"' || s[k + 1] === '\\')) {
        text += s[k + 1];
        k += 2;
        continue;
      }
      if (ch === '*') stars.push(k);
      text += ch;
      k++;
    }
    this.i = k + 1;
    return { text, start: open, stars };
  }

  /** Reads one value of a `key:` term at this.i (bare or quoted); `after` names what came before, for the error. */
  private value(after: string): RawValue {
    const s = this.s;
    if (s[this.i] === '"') {
      const v = this.quoted();
      if (!this.atBoundary(this.i) && s[this.i] !== ',') this.fail(this.i, 'a space or "," after the closing quote');
      return v;
    }
    const start = this.i;
    let j = start;
    while (j < s.length && !isSpace(s[j] as string) && s[j] !== ',' && s[j] !== '"') j++;
    if (j === start) this.fail(start, `a value after ${quote(after)}`);
    if (s[j] === '"') this.fail(j, 'a space or "," before the quote');
    this.i = j;
    return { text: s.slice(start, j), start, stars: starsIn(s, start, j) };
  }

  /** The values of a `key:` term: one or more, separated by ",". */
  private values(key: string): RawValue[] {
    const out: RawValue[] = [this.value(`${key}:`)];
    while (this.s[this.i] === ',') {
      this.i++;
      if (out.length >= QUERY_LIMITS.values) this.fail(this.i, `at most ${QUERY_LIMITS.values} values for "${key}:"`);
      out.push(this.value(','));
    }
    return out;
  }

  private keyed(key: string, termStart: number, keyStart: number, negated: boolean): void {
    if (key === '') this.fail(keyStart, 'a key before ":"');
    if (key === 'since' || key === 'until') {
      this.timeBound(key, termStart, negated);
      return;
    }
    const field = FIELD_KEYS[key];
    if (field !== undefined) {
      this.q.filters.push(this.fieldFilter(field, key, negated));
      return;
    }
    if (key.startsWith(JSON_PREFIX)) {
      const name = key.slice(JSON_PREFIX.length);
      if (name === '') this.fail(keyStart + JSON_PREFIX.length, 'a field name after "fields."');
      if (name.length > LOG_LIMITS.fieldKeyChars) this.fail(keyStart + JSON_PREFIX.length, `a field name of at most ${LOG_LIMITS.fieldKeyChars} characters`);
      const star = name.indexOf('*');
      if (star >= 0) this.fail(keyStart + JSON_PREFIX.length + star, 'a field name without "*" (only values take wildcards)');
      this.q.fields.push({ key: name, values: this.values(key).map((v) => this.pattern(v)), negated });
      return;
    }
    this.fail(keyStart, KNOWN_KEYS, quote(`${key}:`), `To search for text with a colon, quote it (${quote(`${key}:…`)})`);
  }

  private fieldFilter(field: QueryField, key: string, negated: boolean): FieldFilter {
    const raw = this.values(key);
    if (field === 'level' || field === 'stream') {
      const allowed: readonly string[] = field === 'level' ? LOG_LEVELS : LOG_STREAMS;
      const values = raw.map((v): Pattern => {
        const value = v.text.toLowerCase();
        if (!allowed.includes(value)) this.fail(v.start, `a ${field} (${allowed.join(', ')})`, quote(v.text));
        return { kind: 'exact', value };
      });
      return { field, values, negated };
    }
    return { field, values: raw.map((v) => this.pattern(v)), negated };
  }

  private pattern(v: RawValue): Pattern {
    if (v.stars.length > QUERY_LIMITS.wildcards) this.fail(v.stars[QUERY_LIMITS.wildcards] as number, `at most ${QUERY_LIMITS.wildcards} "*" in one value`);
    return v.stars.length === 0 ? { kind: 'exact', value: v.text } : { kind: 'glob', value: v.text };
  }

  private timeBound(key: 'since' | 'until', termStart: number, negated: boolean): void {
    if (negated) this.fail(termStart, `${key}: without "-" (a time bound cannot be negated)`);
    if (this.q[key] !== undefined) this.fail(termStart, `one ${key}: only`, `a second one`);
    const v = this.value(`${key}:`);
    if (this.s[this.i] === ',') this.fail(this.i, `a single time after "${key}:"`);
    const r = parseTimeBound(v.text);
    if (!r.ok) this.fail(v.start, r.expected, quote(v.text));
    this.q[key] = r.bound;
  }

  private phrase(v: RawValue, negated: boolean): void {
    const tokens = tokenTexts(v.text);
    if (tokens.length === 0) this.fail(v.start, 'a phrase with letters or digits', quote(v.text));
    this.q.text.push({ kind: 'phrase', tokens, negated });
  }

  private word(v: RawValue, negated: boolean): void {
    const last = v.start + v.text.length - 1;
    const inner = v.stars.find((p) => p !== last);
    if (inner !== undefined) this.fail(inner, '"*" only at the end of a word (a prefix like time*)');
    const prefix = v.stars.length > 0;
    const base = prefix ? v.text.slice(0, -1) : v.text;
    const tokens = tokenTexts(base);
    if (tokens.length === 0) this.fail(v.start, prefix ? 'letters or digits before "*"' : 'a word with letters or digits', quote(v.text));
    let term: TextTerm;
    if (prefix) {
      if (tokens.length > 1) this.fail(v.start, 'a single word before "*"', `${tokens.length} words (${tokens.join(' ')})`);
      term = { kind: 'prefix', tokens, negated };
    } else {
      // `user_id` is two tokens to the tokenizer, so it searches as the phrase "user id".
      term = { kind: tokens.length === 1 ? 'word' : 'phrase', tokens, negated };
    }
    this.q.text.push(term);
  }
}

function starsIn(s: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k++) if (s[k] === '*') out.push(k);
  return out;
}
