// Fleet ordering. Health sorts the worst clusters to the top so an incident is visible at a glance.
import type { ClusterRow, Health } from '../../core/fleet.js';

export const SORT_MODES = ['health', 'name', 'age'] as const;
export type SortMode = (typeof SORT_MODES)[number];

export const HEALTH_SEVERITY: Record<Health, number> = {
  critical: 0,
  unreachable: 1,
  degraded: 2,
  unknown: 3,
  healthy: 4,
};

export function nextSort(mode: SortMode): SortMode {
  return SORT_MODES[(SORT_MODES.indexOf(mode) + 1) % SORT_MODES.length] as SortMode;
}

const byName = (a: ClusterRow, b: ClusterRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Oldest data first; a cluster that never reported is the oldest of all. */
function reportedMs(row: ClusterRow): number {
  if (row.reportedAt === null) return -Infinity;
  const t = Date.parse(row.reportedAt);
  return Number.isNaN(t) ? -Infinity : t;
}

export function compareRows(mode: SortMode): (a: ClusterRow, b: ClusterRow) => number {
  switch (mode) {
    case 'name':
      return byName;
    case 'health':
      return (a, b) => HEALTH_SEVERITY[a.health] - HEALTH_SEVERITY[b.health] || byName(a, b);
    case 'age':
      return (a, b) => {
        const ta = reportedMs(a);
        const tb = reportedMs(b);
        return ta === tb ? byName(a, b) : ta < tb ? -1 : 1;
      };
  }
}
