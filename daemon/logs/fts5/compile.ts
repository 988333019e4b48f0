// The FTS5 sink's query compiler: a ResolvedQuery becomes an FTS5 MATCH expression and a SQL
// condition with bound parameters. Pure, so every quoting rule is tested directly. No user text ever
// reaches SQL except as a bound parameter, and every text token reaches FTS5 only as an FTS5 string
// literal (double quotes, `"` doubled), so `AND`, `NEAR(`, `*`, `"` and SQL quotes are just text.
// Time bounds are not here: the executor turns them into partition and rowid ranges (rowkey.ts).
import { FlotillaError } from '../../../core/errors.js';
import { assertQueryWithinLimits } from '../query-limits.js';
import { LOG_LEVELS, LOG_STREAMS } from '../../../core/logs/record.js';
import { type Pattern, type QueryField, type ResolvedQuery, type TextTerm } from '../../../core/query/ast.js';

export type SqlParam = string | number;

export interface CompiledQuery {
  /** FTS5 expression every hit must match (positive text terms, negatives as NOT); null without a positive term. */
  match: string | null;
  /** Without a positive term: FTS5 expression of the negated terms, whose matches are excluded. */
  exclude: string | null;
  /** SQL condition over the partition's records table aliased `r`; `1` when there is no filter. */
  where: string;
  params: SqlParam[];
}

/** The table of distinct record sources (cluster, namespace, pod, container, node); records carry its sid. */
export const SOURCES_TABLE = 'log_sources';

const SOURCE_COLUMNS: Partial<Record<QueryField, string>> = { cluster: 'cluster', namespace: 'namespace', pod: 'pod', container: 'container', node: 'node' };

/**
 * An FTS5 string literal: the tokens as one phrase (one token: a word). NUL would end the string
 * inside FTS5's C parser; unicode61 separates tokens at it anyway, so it becomes a space.
 */
export function ftsString(tokens: readonly string[]): string {
  return `"${tokens.join(' ').replaceAll('"', '""').replaceAll('\u0000', ' ')}"`;
}

function ftsTerm(t: TextTerm): string {
  // A prefix is a string literal followed by `*`, outside the quotes.
  return t.kind === 'prefix' ? `${ftsString(t.tokens)}*` : ftsString(t.tokens);
}

/** A query `*` glob as a SQLite GLOB pattern: `*` stays, `?` and `[` become one-character classes. */
export function sqliteGlob(value: string): string {
  return value.replace(/[?[]/g, (c) => `[${c}]`);
}

/** Whether a value matches a query pattern, for the fixed vocabularies (level, stream) decided here. */
export function patternMatches(p: Pattern, value: string): boolean {
  if (p.kind === 'exact') return p.value === value;
  const re = new RegExp(`^${p.value.split('*').map((s) => s.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('[\\s\\S]*')}$`);
  return re.test(value);
}

/** A JSON path naming one key of the flattened `fields` object (dots in keys are part of the key). */
export function jsonPath(key: string): string {
  return `$."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function patternsSql(expr: string, values: readonly Pattern[], params: SqlParam[], exprParams: readonly SqlParam[]): string {
  const ors = values.map((v) => {
    params.push(...exprParams, v.kind === 'glob' ? sqliteGlob(v.value) : v.value);
    return v.kind === 'glob' ? `${expr} GLOB ?` : `${expr} = ?`;
  });
  return ors.length ? `(${ors.join(' OR ')})` : '0';
}

function enumSql(column: string, vocabulary: readonly string[], values: readonly Pattern[], negated: boolean): string {
  const codes = vocabulary.flatMap((name, code) => (values.some((p) => patternMatches(p, name)) ? [code] : []));
  const set = `${column} IN (${codes.join(',')})`;
  if (codes.length === 0) return negated ? '1' : '0';
  return negated ? `NOT ${set}` : set;
}

export function compileQuery(q: ResolvedQuery): CompiledQuery {
  assertQueryWithinLimits(q);
  const conds: string[] = [];
  const params: SqlParam[] = [];

  // Source filters go to the small sources table once; records are then found by sid through the
  // (sid, rowid) index instead of comparing strings row by row.
  const sourceConds: string[] = [];
  const sourceParams: SqlParam[] = [];
  for (const f of q.filters) {
    if (f.field === 'level' || f.field === 'stream') {
      conds.push(enumSql(`r.${f.field}`, f.field === 'level' ? LOG_LEVELS : LOG_STREAMS, f.values, f.negated));
      continue;
    }
    const column = SOURCE_COLUMNS[f.field];
    if (!column) throw new FlotillaError('internal', `query field ${String(f.field)} has no column`, 'Report this as a bug.');
    const sql = patternsSql(column, f.values, sourceParams, []);
    sourceConds.push(f.negated ? `NOT ${sql}` : sql);
  }
  if (sourceConds.length) {
    conds.unshift(`r.sid IN (SELECT sid FROM ${SOURCES_TABLE} WHERE ${sourceConds.join(' AND ')})`);
    params.unshift(...sourceParams);
  }

  for (const f of q.fields) {
    // The value as text: a string as itself, anything else as its JSON (42, true, null); a missing key is no value.
    const path = jsonPath(f.key);
    const expr = `(CASE json_type(r.fields, ?) WHEN 'text' THEN r.fields ->> ? ELSE r.fields -> ? END)`;
    params.push(path);
    const values = patternsSql(expr, f.values, params, [path, path, path]);
    const sql = `(r.fields IS NOT NULL AND json_type(r.fields, ?) IS NOT NULL AND ${values})`;
    conds.push(f.negated ? `NOT ${sql}` : sql);
  }

  const positive = q.text.filter((t) => !t.negated).map(ftsTerm);
  const negative = q.text.filter((t) => t.negated).map(ftsTerm);
  let match: string | null = null;
  let exclude: string | null = null;
  if (positive.length) {
    match = positive.join(' AND ');
    if (negative.length) match = `(${match}) NOT (${negative.join(' OR ')})`;
  } else if (negative.length) {
    // FTS5's NOT needs a left operand: with no positive term the executor excludes these matches instead.
    exclude = negative.join(' OR ');
  }
  return { match, exclude, where: conds.length ? conds.join(' AND ') : '1', params };
}
