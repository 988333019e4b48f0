// The incremental paths (a patch updates the previous sorted list and counts) must always give what
// a full recompute gives.
import { describe, expect, it } from 'vitest';
import { HEALTH_STATES, type ClusterRow, type FleetChange } from '../../../../core/fleet.js';
import { initialFleet, reduceFleet, type FleetState } from '../../../../tui/state/fleet.js';
import { selectSummary, selectVisibleRows } from '../../../../tui/state/select.js';
import type { SortMode } from '../../../../tui/state/sort.js';
import { ROWS } from '../helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function fresh(fleet: FleetState): FleetState {
  // The same rows with no delta: forces the full recompute.
  return { ...fleet, rows: new Map(fleet.rows), delta: null };
}

describe('incremental fleet selectors', () => {
  for (const [sort, filter] of [['health', ''], ['name', 'prod'], ['age', 'health:degraded'], ['health', 'env=staging']] as [SortMode, string][]) {
    it(`match a full recompute after every patch (sort ${sort}, filter "${filter}")`, () => {
      const random = rng(sort.length * 31 + filter.length);
      const template = ROWS[0] as ClusterRow;
      const envs = ['prod', 'staging', 'dev'];
      let fleet = reduceFleet(initialFleet(), { type: 'fleet/snapshot', rev: 1, rows: ROWS });
      selectVisibleRows(fleet, filter, sort);
      selectSummary(fleet);
      for (let step = 0; step < 300; step += 1) {
        const changes: FleetChange[] = [];
        for (let k = 0; k < 1 + Math.floor(random() * 3); k += 1) {
          const i = Math.floor(random() * 40);
          if (random() < 0.15) changes.push({ op: 'remove', name: `c-${i}` });
          else {
            const row: ClusterRow = {
              ...template,
              name: `c-${i}`,
              labels: { env: envs[i % 3] as string },
              health: HEALTH_STATES[Math.floor(random() * HEALTH_STATES.length)]!,
              reportedAt: random() < 0.1 ? null : new Date(1_700_000_000_000 + Math.floor(random() * 1e6)).toISOString(),
            };
            changes.push({ op: 'upsert', row });
          }
        }
        fleet = reduceFleet(fleet, { type: 'fleet/patch', rev: (fleet.rev ?? 0) + 1, fromRev: fleet.rev ?? 0, changes });
        const incremental = selectVisibleRows(fleet, filter, sort).map((r) => r.name);
        const summary = selectSummary(fleet);
        const full = fresh(fleet);
        expect(incremental).toEqual(selectVisibleRows(full, filter, sort).map((r) => r.name));
        expect(summary).toEqual(selectSummary(full));
        // leave the memo on the incremental chain for the next step
        selectVisibleRows(fleet, filter, sort);
        selectSummary(fleet);
      }
    });
  }
});
