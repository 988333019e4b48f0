// Canonical text of a query: parseQuery(formatQuery(q)) deep-equals q for every q the parser can
// produce. Filters first, then JSON fields, text and time bounds; `ns:` for namespaces; values bare
// unless they need quotes.
import type { Pattern, Query, TextTerm } from './ast.js';
import { formatTimeBound } from './time.js';

const NEEDS_QUOTES = /[\s,"\\]/u;

function value(v: string): string {
  return v === '' || NEEDS_QUOTES.test(v) ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v;
}

const values = (ps: Pattern[]): string => ps.map((p) => value(p.value)).join(',');
const neg = (negated: boolean): string => (negated ? '-' : '');

function text(t: TextTerm): string {
  if (t.kind === 'prefix') return `${neg(t.negated)}${t.tokens[0] ?? ''}*`;
  if (t.kind === 'word') return `${neg(t.negated)}${t.tokens[0] ?? ''}`;
  return `${neg(t.negated)}"${t.tokens.join(' ')}"`;
}

export function formatQuery(q: Query): string {
  const parts: string[] = [
    ...q.filters.map((f) => `${neg(f.negated)}${f.field === 'namespace' ? 'ns' : f.field}:${values(f.values)}`),
    ...q.fields.map((f) => `${neg(f.negated)}fields.${f.key}:${values(f.values)}`),
    ...q.text.map(text),
  ];
  if (q.since) parts.push(`since:${formatTimeBound(q.since)}`);
  if (q.until) parts.push(`until:${formatTimeBound(q.until)}`);
  return parts.join(' ');
}
