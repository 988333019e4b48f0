// Derived fleet data, memoized on the inputs that change it (rows, filter, sort) and never on the
// clock, so a 1 s tick over 10,000 rows costs nothing but the visible slice.
import type { ClusterRow, Health } from '../../core/fleet.js';
import { HEALTH_STATES } from '../../core/fleet.js';
import { matchesFilter, parseFilter } from './filter.js';
import { compareRows, type SortMode } from './sort.js';

export type Rows = ReadonlyMap<string, ClusterRow>;

let lastVisible: { rows: Rows; filter: string; sort: SortMode; result: ClusterRow[] } | null = null;

export function selectVisibleRows(rows: Rows, filter: string, sort: SortMode): ClusterRow[] {
  if (lastVisible && lastVisible.rows === rows && lastVisible.filter === filter && lastVisible.sort === sort) {
    return lastVisible.result;
  }
  const parsed = parseFilter(filter);
  const result: ClusterRow[] = [];
  for (const row of rows.values()) if (matchesFilter(parsed, row)) result.push(row);
  result.sort(compareRows(sort));
  lastVisible = { rows, filter, sort, result };
  return result;
}

export interface FleetSummary {
  total: number;
  byHealth: Record<Health, number>;
  /** Epoch ms of the freshest report, or null when no cluster has reported. */
  freshestReportMs: number | null;
}

let lastSummary: { rows: Rows; result: FleetSummary } | null = null;

export function selectSummary(rows: Rows): FleetSummary {
  if (lastSummary && lastSummary.rows === rows) return lastSummary.result;
  const byHealth = Object.fromEntries(HEALTH_STATES.map((h) => [h, 0])) as Record<Health, number>;
  let freshest: number | null = null;
  for (const row of rows.values()) {
    byHealth[row.health] += 1;
    if (row.reportedAt !== null) {
      const t = Date.parse(row.reportedAt);
      if (!Number.isNaN(t) && (freshest === null || t > freshest)) freshest = t;
    }
  }
  const result = { total: rows.size, byHealth, freshestReportMs: freshest };
  lastSummary = { rows, result };
  return result;
}
