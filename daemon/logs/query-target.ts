// What a log query reaches, for authorize: the known clusters its cluster: terms admit (DESIGN
// §3.9: a viewer bound to some clusters is checked against these once bindings exist). Pure.
import type { Query } from '../../core/query/ast.js';
import { compileGlob } from '../../core/query/glob.js';

/** The clusters of `known` the query's cluster filters admit (every known cluster when it has none), sorted. */
export function queryClusters(q: Pick<Query, 'filters'>, known: Iterable<string>): string[] {
  const checks = q.filters
    .filter((f) => f.field === 'cluster')
    .map((f) => {
      const any = f.values.map((v) => (v.kind === 'exact' ? (name: string) => name === v.value : compileGlob(v.value)));
      return (name: string) => any.some((m) => m(name)) !== f.negated;
    });
  return [...known].filter((name) => checks.every((c) => c(name))).sort();
}

/**
 * The query narrowed to the clusters a scoped caller sees (docs/ACCESS.md): one more cluster filter,
 * ANDed with the query's own. null (a grant over the whole fleet) leaves it as it is; no cluster at
 * all narrows it to the empty name, which no cluster has, so the sink answers nothing.
 */
export function withinClusters<Q extends Pick<Query, 'filters'>>(q: Q, visible: readonly string[] | null): Q {
  if (visible === null) return q;
  const values = (visible.length > 0 ? visible : ['']).map((value) => ({ kind: 'exact' as const, value }));
  return { ...q, filters: [...q.filters, { field: 'cluster', values, negated: false }] };
}
