// A query that does not parse: a usage error that says where (a 0-based UTF-16 offset into the
// query text) and what was expected there, so the CLI can draw a caret and the TUI an inline error.
import { FlotillaError } from '../errors.js';

export const QUERY_SYNTAX_DOC = 'docs/LOGS.md#query-language';

export class QueryError extends FlotillaError {
  readonly position: number;
  readonly expected: string;

  /** `found` is what stood there instead, already quoted or described; `hint` comes before the pointer to the syntax. */
  constructor(position: number, expected: string, found?: string, hint?: string) {
    super('usage', `at ${position}: expected ${expected}${found === undefined ? '' : `, not ${found}`}`, `${hint === undefined ? 'Fix the query' : hint}; the syntax is in ${QUERY_SYNTAX_DOC}.`, {
      details: { position, expected, ...(found === undefined ? {} : { found }) },
    });
    this.name = 'QueryError';
    this.position = position;
    this.expected = expected;
  }
}

export function isQueryError(e: unknown): e is QueryError {
  return e instanceof QueryError;
}
