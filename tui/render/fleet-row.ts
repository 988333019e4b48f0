// k9s-style row rendering: a ClusterRow becomes fixed-width cells, with no knowledge of where the
// row came from or how it is drawn.
import type { ClusterRow } from '../../core/fleet.js';
import { ageSince, formatAge } from '../../core/duration.js';
import { formatCount } from '../../core/units.js';
import { layoutColumns, type Column, type ColumnDef } from './columns.js';
import { fit } from './text.js';

export const FLEET_COLUMN_IDS = ['NAME', 'HEALTH', 'REASONS', 'K8S', 'NODES', 'PODS', 'RESTARTS', 'ERR/m', 'AGE'] as const;
export type FleetColumnId = (typeof FLEET_COLUMN_IDS)[number];

const FLEET_COLUMNS: readonly ColumnDef<FleetColumnId>[] = [
  { id: 'NAME', title: 'NAME', flex: 2, min: 12, max: 40 },
  { id: 'HEALTH', title: 'HEALTH', width: 11 },
  { id: 'REASONS', title: 'REASONS', flex: 3, min: 8 },
  { id: 'K8S', title: 'K8S', width: 8 },
  { id: 'NODES', title: 'NODES', width: 7, align: 'right' },
  { id: 'PODS', title: 'PODS', width: 9, align: 'right' },
  { id: 'RESTARTS', title: 'RESTARTS', width: 8, align: 'right' },
  { id: 'ERR/m', title: 'ERR/m', width: 5, align: 'right' },
  { id: 'AGE', title: 'AGE', width: 5, align: 'right' },
];

/** Below this width the Kubernetes version gives way, so names and reasons keep their room at 80 columns. */
export const FLEET_NARROW_BELOW = 90;

export function fleetColumns(width: number): Column<FleetColumnId>[] {
  return layoutColumns(width < FLEET_NARROW_BELOW ? FLEET_COLUMNS.filter((c) => c.id !== 'K8S') : FLEET_COLUMNS, width);
}

/** Milliseconds since the row's report, or null if the cluster never reported. */
export function dataAgeMs(row: ClusterRow, now: number): number | null {
  return ageSince(row.reportedAt, now);
}

/** Stale rows are drawn dimmed: nothing on them should be read as current. */
export function isStale(row: ClusterRow, now: number): boolean {
  if (row.health === 'unreachable' || row.health === 'unknown') return true;
  const age = dataAgeMs(row, now);
  return age === null || age > 3 * row.intervalSeconds * 1000;
}

/** First reason, then "+N" for the rest; the count survives truncation. */
export function formatReasons(reasons: readonly string[], width: number): string {
  const [first] = reasons;
  if (first === undefined) return '';
  const more = reasons.length > 1 ? ` +${reasons.length - 1}` : '';
  if (first.length + more.length <= width) return first + more;
  return fit(first, Math.max(1, width - more.length)) + more;
}

export function fleetCells(row: ClusterRow, now: number, columns: readonly Column<FleetColumnId>[]): string[] {
  const age = dataAgeMs(row, now);
  return columns.map((c) => {
    switch (c.id) {
      case 'NAME':
        return row.name;
      case 'HEALTH':
        return row.health;
      case 'REASONS':
        return formatReasons(row.reasons, c.width);
      case 'K8S':
        return row.kubernetesVersion ?? '-';
      case 'NODES':
        return `${row.nodes.ready}/${row.nodes.total}`;
      case 'PODS':
        return `${row.pods.running}/${row.pods.total}`;
      case 'RESTARTS':
        return String(row.restarts);
      case 'ERR/m':
        // null: the agent ships no logs (or is too old to say); 0 is a real, quiet minute.
        return row.errorLinesPerMinute === null ? '-' : formatCount(row.errorLinesPerMinute);
      case 'AGE':
        return age === null ? '-' : formatAge(age);
    }
  });
}
