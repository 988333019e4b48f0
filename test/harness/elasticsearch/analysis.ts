// Text analysis as an index's settings define it (`index.analysis`): the components the test server
// implements are the `mapping` char filter (longest match first, as Lucene's NormalizeCharMap), the
// `pattern` tokenizer (splits at the pattern's matches, Java regex read as a JavaScript `u` regex),
// `standard` (an approximation: runs of letters and digits), and the `lowercase` (one code point at a
// time, Java's Character.toLowerCase: a multi-character lower case keeps the character) and
// `truncate` token filters. Anything else is refused when the index is made, as Elasticsearch refuses
// an analyzer it cannot build.
import { EsError } from './errors.js';

export interface Token {
  term: string;
  position: number;
}

export type Analyzer = (text: string) => Token[];

interface Settings {
  char_filter?: Record<string, { type?: string; mappings?: string[] }>;
  tokenizer?: Record<string, { type?: string; pattern?: string }>;
  filter?: Record<string, { type?: string; length?: number }>;
  analyzer?: Record<string, { type?: string; char_filter?: string[]; tokenizer?: string; filter?: string[] }>;
}

function fail(reason: string): never {
  throw new EsError(400, 'illegal_argument_exception', reason);
}

function mappingFilter(rules: string[], name: string): (s: string) => string {
  const map = new Map<string, string>();
  let longest = 0;
  for (const rule of rules) {
    const m = /^(.+?)\s*=>\s*(.*)$/su.exec(rule);
    if (!m) fail(`Invalid Mapping Rule : [${rule}] in char_filter [${name}]`);
    map.set(m[1]!, m[2]!);
    longest = Math.max(longest, m[1]!.length);
  }
  return (s) => {
    let out = '';
    for (let i = 0; i < s.length; ) {
      let hit = false;
      for (let len = Math.min(longest, s.length - i); len > 0; len--) {
        const to = map.get(s.slice(i, i + len));
        if (to !== undefined) {
          out += to;
          i += len;
          hit = true;
          break;
        }
      }
      if (!hit) out += s[i++];
    }
    return out;
  };
}

function lowerOne(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : ch;
}

export const STANDARD: Analyzer = (text) => [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m, position) => ({ term: m[0].toLowerCase(), position }));
export const KEYWORD: Analyzer = (text) => [{ term: text, position: 0 }];

/** The analyzers an index's analysis settings define, by name, plus the built-in `standard` and `keyword`. */
export function buildAnalyzers(settings: unknown): Map<string, Analyzer> {
  const s = (settings ?? {}) as Settings;
  const out = new Map<string, Analyzer>([
    ['standard', STANDARD],
    ['keyword', KEYWORD],
  ]);
  for (const [name, def] of Object.entries(s.analyzer ?? {})) {
    if (def.type !== 'custom') fail(`Unknown analyzer type [${String(def.type)}] for [${name}]`);
    const chars = (def.char_filter ?? []).map((c) => {
      const cf = s.char_filter?.[c];
      if (!cf) fail(`failed to find char_filter under name [${c}]`);
      if (cf.type !== 'mapping' || !Array.isArray(cf.mappings)) fail(`char_filter [${c}] of type [${String(cf.type)}] is not supported by the test server`);
      return mappingFilter(cf.mappings, c);
    });
    const tk = def.tokenizer === undefined ? undefined : s.tokenizer?.[def.tokenizer];
    let split: (text: string) => string[];
    if (def.tokenizer === 'standard') {
      split = (text) => [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);
    } else if (tk?.type === 'pattern' && typeof tk.pattern === 'string') {
      let re: RegExp;
      try {
        re = new RegExp(tk.pattern, 'gu');
      } catch (e) {
        fail(`Invalid regex pattern [${tk.pattern}]: ${(e as Error).message}`);
      }
      split = (text) => text.split(re).filter((t) => t !== '' && t !== undefined);
    } else {
      fail(`failed to find tokenizer under name [${String(def.tokenizer)}]`);
    }
    const filters = (def.filter ?? []).map((f): ((t: string) => string) => {
      if (f === 'lowercase') return (t) => [...t].map(lowerOne).join('');
      const tf = s.filter?.[f];
      if (tf?.type === 'truncate') {
        const length = tf.length ?? 10;
        return (t) => [...t].slice(0, length).join('');
      }
      if (tf?.type === 'lowercase') return (t) => [...t].map(lowerOne).join('');
      return fail(`failed to find filter under name [${f}]`);
    });
    out.set(name, (text) => {
      let t = text;
      for (const c of chars) t = c(t);
      return split(t).map((term, position) => ({ term: filters.reduce((x, f) => f(x), term), position }));
    });
  }
  return out;
}
