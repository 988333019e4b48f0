// A deliberately plain reading of the query semantics (core/query/ast.ts) for the sink contract's
// agreement property: every sink's results must equal the records this keeps. Tokens here are runs of
// Unicode letters and digits, lower-cased, diacritics removed: the unicode61 rule for the text the
// property generates. When the live matcher (core/query/match.ts) lands, the property also runs on it.
import type { LogRecord } from '../../core/logs/record.js';
import type { Pattern, ResolvedQuery, TextTerm } from '../../core/query/ast.js';

export function tokens(message: string): string[] {
  return message
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function patternMatches(p: Pattern, value: string): boolean {
  if (p.kind === 'exact') return p.value === value;
  const parts = p.value.split('*');
  if (!value.startsWith(parts[0]!) || !value.endsWith(parts[parts.length - 1]!) || value.length < parts[0]!.length + parts[parts.length - 1]!.length) return false;
  let at = parts[0]!.length;
  for (const part of parts.slice(1, -1)) {
    const i = value.indexOf(part, at);
    if (i < 0 || i + part.length > value.length - parts[parts.length - 1]!.length) return false;
    at = i + part.length;
  }
  return true;
}

function textMatches(t: TextTerm, toks: string[]): boolean {
  if (t.tokens.length === 0) return false;
  if (t.kind === 'prefix') return toks.some((x) => x.startsWith(t.tokens[0]!));
  return toks.some((_, i) => t.tokens.every((w, k) => toks[i + k] === w));
}

export function referenceMatches(q: ResolvedQuery, r: LogRecord): boolean {
  const ms = Date.parse(r.ts);
  if (q.sinceMs !== undefined && ms < q.sinceMs) return false;
  if (q.untilMs !== undefined && ms > q.untilMs) return false;
  for (const f of q.filters) {
    if (f.values.some((p) => patternMatches(p, r[f.field])) === f.negated) return false;
  }
  for (const f of q.fields) {
    const v = r.fields[f.key];
    const text = v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
    if ((text !== undefined && f.values.some((p) => patternMatches(p, text))) === f.negated) return false;
  }
  const toks = tokens(r.message);
  return q.text.every((t) => textMatches(t, toks) !== t.negated);
}
