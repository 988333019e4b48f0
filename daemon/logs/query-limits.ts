// The bound every sink's query compiler enforces before it builds anything (DESIGN.md §3.6, bad
// input): a resolved query past QUERY_LIMITS is a usage error, the same wording on every sink.
import { FlotillaError } from '../../core/errors.js';
import { QUERY_LIMITS, type ResolvedQuery } from '../../core/query/ast.js';

export function assertQueryWithinLimits(q: ResolvedQuery): void {
  const terms = q.filters.length + q.fields.length + q.text.length;
  const patterns = [...q.filters, ...q.fields];
  const tooMany = patterns.some((f) => f.values.length > QUERY_LIMITS.values);
  const tooWild = patterns.some((f) => f.values.some((v) => v.value.split('*').length - 1 > QUERY_LIMITS.wildcards));
  if (terms > QUERY_LIMITS.terms || tooMany || tooWild) {
    throw new FlotillaError(
      'usage',
      `the query is too large (at most ${QUERY_LIMITS.terms} terms, ${QUERY_LIMITS.values} values per filter, ${QUERY_LIMITS.wildcards} * per pattern)`,
      'Narrow the query: fewer terms, fewer values, fewer wildcards.',
    );
  }
}
