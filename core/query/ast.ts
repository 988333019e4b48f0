// The parsed form of the log query language (DESIGN.md §3.6, docs/LOGS.md): what the parser
// (parse.ts) produces and what every compiler (the FTS5 sink's SQL, the live matcher, later
// Elasticsearch's query DSL) consumes. Terms are ANDed; the values of one filter are ORed.

/** The record fields a filter names. `ns:` is an alias of `namespace:`. */
export const QUERY_FIELDS = ['cluster', 'namespace', 'pod', 'container', 'node', 'level', 'stream'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

/** `exact` compares the whole value; `glob` has at least one `*` (any run of characters, none other special). */
export type Pattern = { kind: 'exact'; value: string } | { kind: 'glob'; value: string };

export interface FieldFilter {
  field: QueryField;
  /** ORed: `level:error,warn`. */
  values: Pattern[];
  /** `-ns:kube-system`. */
  negated: boolean;
}

/** `fields.user_id:42`: compares the flattened JSON field's value as text. */
export interface JsonFieldFilter {
  key: string;
  values: Pattern[];
  negated: boolean;
}

/**
 * Free text against the message. A word matches a token (case-insensitive, Unicode letters and
 * digits; `time*` a token prefix); a phrase matches consecutive tokens. Tokenising is the
 * FTS5 unicode61 rule, which the live matcher reproduces (match.ts).
 */
export interface TextTerm {
  kind: 'word' | 'prefix' | 'phrase';
  /** Lower-cased tokens: one for word and prefix, one or more for a phrase. */
  tokens: string[];
  negated: boolean;
}

export type TimeBound = { kind: 'relative'; ms: number } | { kind: 'absolute'; ms: number };

export interface Query {
  filters: FieldFilter[];
  fields: JsonFieldFilter[];
  text: TextTerm[];
  since?: TimeBound;
  until?: TimeBound;
}

/** A query with its time bounds resolved against one clock reading, as sinks execute it. */
export interface ResolvedQuery extends Omit<Query, 'since' | 'until'> {
  /** Epoch milliseconds, inclusive; absent means unbounded. */
  sinceMs?: number;
  untilMs?: number;
}

export const QUERY_LIMITS = {
  /** Characters in a query. */
  chars: 2048,
  /** Terms (filters, field filters and text terms together). */
  terms: 64,
  /** Values of one filter (`level:a,b,c`). */
  values: 32,
  /** `*` in one pattern; more could make a LIKE/GLOB scan quadratic. */
  wildcards: 4,
} as const;

export function resolveQuery(q: Query, nowMs: number): ResolvedQuery {
  const at = (b: TimeBound) => (b.kind === 'relative' ? nowMs - b.ms : b.ms);
  const { since, until, ...rest } = q;
  return { ...rest, ...(since ? { sinceMs: at(since) } : {}), ...(until ? { untilMs: at(until) } : {}) };
}
