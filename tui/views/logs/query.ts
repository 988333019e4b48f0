// The logs view's use of the query language (core/query): the text typed at `:logs` or `/` checked
// before anything is sent, and the ranges of a message its text terms match, for `n`/`N` and the
// highlight. Pure.
import type { Query } from '../../../core/query/ast.js';
import { highlightRanges } from '../../../core/query/match.js';
import { parseQuery, QueryError } from '../../../core/query/parse.js';

export type QueryCheck = { ok: true; query: Query } | { ok: false; position: number; message: string };

/** The query, or where it stops making sense and what was expected there. */
export function checkQuery(text: string): QueryCheck {
  try {
    return { ok: true, query: parseQuery(text) };
  } catch (error) {
    if (error instanceof QueryError) return { ok: false, position: error.position, message: error.message };
    throw error;
  }
}

/** Character ranges [start, end) of the message that the query's text terms match; none for a query without text terms. */
export function matchRanges(query: Query, message: string): [number, number][] {
  if (!query.text.some((t) => !t.negated)) return [];
  return highlightRanges(query, message);
}
