// A scoped caller's log query: one more cluster filter ANDed with its own, nothing for a fleet-wide
// caller, and a filter that matches no cluster when the scope holds none.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../core/query/parse.js';
import { queryClusters, withinClusters } from '../../../../daemon/logs/query-target.js';

describe('withinClusters', () => {
  const known = ['pay-prod', 'pay-stg', 'chk-prod'];

  it('narrows the clusters a query reaches to those in scope, keeping its own filters', () => {
    const q = withinClusters(parseQuery('cluster:*-prod level:error'), ['pay-prod', 'pay-stg']);
    expect(queryClusters(q, known)).toEqual(['pay-prod']);
    expect(q.filters.filter((f) => f.field === 'level')).toHaveLength(1);
  });

  it('leaves a fleet-wide caller\'s query as it is and gives an empty scope no cluster', () => {
    const q = parseQuery('level:error');
    expect(withinClusters(q, null)).toBe(q);
    expect(queryClusters(withinClusters(q, []), known)).toEqual([]);
  });
});
