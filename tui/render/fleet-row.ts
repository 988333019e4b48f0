// k9s-style fleet table: which columns it has and which stay on a narrow terminal, and a ClusterRow
// as cells of the chosen widths, with no knowledge of where the row came from or how it is drawn.
import { HEALTH_STATES, type ClusterRow } from '../../core/fleet.js';
import { ageSince, formatAge } from '../../core/duration.js';
import { formatCount } from '../../core/units.js';
import { naturalTableWidth, priorityLayout, type Column, type NaturalWidths, type PriorityColumnDef } from './columns.js';
import { fit } from './text.js';

export const FLEET_COLUMN_IDS = ['NAME', 'HEALTH', 'REASONS', 'K8S', 'NODES', 'PODS', 'RESTARTS', 'ERR/m', 'SPARK', 'AGE', 'LABELS'] as const;
export type FleetColumnId = (typeof FLEET_COLUMN_IDS)[number];
export type FleetWidths = NaturalWidths<FleetColumnId>;

interface FleetColumnDef extends PriorityColumnDef<FleetColumnId> {
  /** A fixed width, for a column whose values are a closed set or move with the clock: it never shifts the table. */
  width?: number;
  /** Cap on a column sized to its content, so one absurd value cannot starve the rest. */
  max?: number;
  /** Left out when no row has anything to show in it, rather than drawn as a title over blanks. */
  hideEmpty?: boolean;
}

/** Cells of the sparkline column (tui/views/fleet/spark.ts: twelve cells of five minutes). */
export const SPARK_COLUMN_WIDTH = 12;

/**
 * The fleet table: drawn in this order; `priority` (1 stays longest) decides which columns a narrow
 * table keeps. What an on-call reads first (which cluster, how bad, how fresh, why) stays; counts go
 * next, then the sparkline of the last hour (its title names the series: `CPU 1h`), then what rarely
 * changes (version, labels), which the cluster view and the metrics pane show too.
 */
export const FLEET_COLUMNS: readonly FleetColumnDef[] = [
  { id: 'NAME', title: 'NAME', priority: 1, max: 32 },
  { id: 'HEALTH', title: 'HEALTH', priority: 2, width: Math.max(...HEALTH_STATES.map((h) => h.length)) },
  { id: 'REASONS', title: 'REASONS', priority: 4, elastic: { min: 20 }, max: 60 },
  { id: 'K8S', title: 'K8S', priority: 10, max: 12 },
  { id: 'NODES', title: 'NODES', align: 'right', priority: 9 },
  { id: 'PODS', title: 'PODS', align: 'right', priority: 6 },
  { id: 'RESTARTS', title: 'RESTARTS', align: 'right', priority: 7 },
  { id: 'ERR/m', title: 'ERR/m', align: 'right', priority: 5 },
  // The title is the series shown (the view puts its own); the cell is the row's last hour.
  { id: 'SPARK', title: 'CPU 1h', priority: 8, width: SPARK_COLUMN_WIDTH },
  // formatAge's longest below 1000 days ("47h", "999d")
  { id: 'AGE', title: 'AGE', align: 'right', priority: 3, width: 4 },
  { id: 'LABELS', title: 'LABELS', priority: 11, max: 40, hideEmpty: true },
];

/** "env=prod region=eu", in the labels' own order. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** formatLabels(labels).length without building the string, which would make measuring 10,000 rows cost ms. */
function labelsWidth(labels: Readonly<Record<string, string>>): number {
  let width = -1;
  for (const [k, v] of Object.entries(labels)) width += k.length + v.length + 2;
  return Math.max(0, width);
}

/** A cell whose text depends on the row alone (not on the clock or the column's width). */
function plainCell(row: ClusterRow, id: Exclude<FleetColumnId, 'REASONS' | 'AGE' | 'SPARK'>): string {
  switch (id) {
    case 'NAME':
      return row.name;
    case 'HEALTH':
      return row.health;
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
    case 'LABELS':
      return formatLabels(row.labels);
  }
}

/** Width of a cell at its full content; AGE and SPARK have a fixed width and are never measured. */
function contentWidth(row: ClusterRow, id: FleetColumnId): number {
  if (id === 'REASONS') return formatReasons(row.reasons, Infinity).length;
  if (id === 'AGE' || id === 'SPARK') return 0;
  if (id === 'LABELS') return labelsWidth(row.labels);
  return plainCell(row, id).length;
}

/**
 * Natural width of every column over all the rows the table may show (not just the visible slice,
 * so the columns do not move while scrolling). O(rows), about 2.5 ms for 10,000: see fleetWidths in
 * the view's model for when it runs.
 */
export function measureFleet(rows: readonly ClusterRow[]): FleetWidths {
  const sized = FLEET_COLUMNS.filter((c) => c.width === undefined);
  // Plain arrays in the hot loop: a record keyed by column id took half as long again over 10,000 rows.
  const max = sized.map(() => 0);
  for (const row of rows) {
    for (let i = 0; i < sized.length; i += 1) {
      const n = contentWidth(row, (sized[i] as FleetColumnDef).id);
      if (n > (max[i] as number)) max[i] = n;
    }
  }
  const widths = Object.fromEntries(FLEET_COLUMNS.map((c) => [c.id, c.width ?? 0])) as Record<FleetColumnId, number>;
  sized.forEach((c, i) => {
    const content = max[i] as number;
    widths[c.id] = c.hideEmpty && content === 0 ? 0 : Math.min(Math.max(content, c.title.length), c.max ?? Infinity);
  });
  return widths;
}

/**
 * The widths grown to fit `rows` as well; never narrower than before. Unchanged widths come back as
 * the same object, so the table keeps its columns and its memoized rows are not drawn again.
 */
export function widenFleet(widths: FleetWidths, rows: readonly ClusterRow[]): FleetWidths {
  const more = measureFleet(rows);
  if (FLEET_COLUMN_IDS.every((id) => more[id] <= widths[id])) return widths;
  return Object.fromEntries(FLEET_COLUMN_IDS.map((id) => [id, Math.max(widths[id], more[id])])) as Record<FleetColumnId, number>;
}

export function sameWidths(a: FleetWidths, b: FleetWidths): boolean {
  return FLEET_COLUMN_IDS.every((id) => a[id] === b[id]);
}

/** The columns that fit in `width`, kept by priority, in display order; REASONS takes what is left. */
export function fleetColumns(widths: FleetWidths, width: number): Column<FleetColumnId>[] {
  return priorityLayout(FLEET_COLUMNS, widths, width);
}

/** The widest the table can use for these rows: every column at its content's width, no padding. */
export function fleetNaturalWidth(widths: FleetWidths): number {
  return naturalTableWidth(FLEET_COLUMNS, widths);
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

/** The row's cells; `spark` is its sparkline cell, drawn by the view from the series it holds (blank without). */
export function fleetCells(row: ClusterRow, now: number, columns: readonly Column<FleetColumnId>[], spark = ''): string[] {
  return columns.map((c) => {
    if (c.id === 'REASONS') return formatReasons(row.reasons, c.width);
    if (c.id === 'AGE') return formatAge(dataAgeMs(row, now));
    if (c.id === 'SPARK') return spark;
    return plainCell(row, c.id);
  });
}
