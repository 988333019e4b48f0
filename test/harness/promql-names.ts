// The series a PromQL expression selects, and their matchers: enough of PromQL's lexical shape to
// check that generated rules and dashboards read only what they should. Not a parser (promtool parses
// them in the integration tests); it assumes no scientific notation and no nested braces.

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);
const IDENT = /(?<![A-Za-z0-9_:.$"])[A-Za-z_:][A-Za-z0-9_:]*/g;

/** Each series selector: its metric name and the text between its braces ('' when it has none). */
export function selectors(expr: string): { metric: string; matchers: string }[] {
  // Strings first (they may hold anything), then matchers, label lists of by/on/…, range durations.
  const strings: string[] = [];
  let s = expr.replace(/"(?:[^"\\]|\\.)*"/g, (m) => `"${strings.push(m) - 1}"`);
  const braces: string[] = [];
  s = s.replace(/\{([^}]*)\}/g, (_, b: string) => `{${braces.push(b) - 1}}`);
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, '');
  const out: { metric: string; matchers: string }[] = [];
  for (const m of s.matchAll(IDENT)) {
    const rest = s.slice((m.index ?? 0) + m[0].length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(m[0].toLowerCase())) continue;
    const at = /^\{(\d+)\}/.exec(rest);
    const matchers = (at ? (braces[Number(at[1])] ?? '') : '').replace(/"(\d+)"/g, (_, i: string) => strings[Number(i)] ?? '');
    out.push({ metric: m[0], matchers });
  }
  return out;
}

export function metricNames(expr: string): string[] {
  return [...new Set(selectors(expr).map((x) => x.metric))].sort();
}
