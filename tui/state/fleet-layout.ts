// How the fleet view uses the terminal's width: the fleet table, a logs pane (live error lines) and a
// metrics pane (the selected cluster at a glance and its sparklines). Pure numbers.
//
// - 180 columns or more (`three`): the table, the logs pane and the metrics pane side by side.
// - 130 to 179 (`side`): the table and one pane beside it, Logs or Metrics, which `tab` switches.
// - under 130 (`tabs`): one area with a tab bar, Fleet | Logs | Metrics, which `tab` cycles. The Fleet
//   tab is the table as it always was, one line shorter for the bar.
//
// The thresholds are where each area still works: the table keeps at least the 80 columns it has on
// the smallest terminal (so its columns are the ones 80×24 shows, never squeezed), and a pane needs
// about 49 (its frame, a time, a pod and a useful part of a log message, or a sparkline with its
// labels): 80 + 1 + 49 = 130, 80 + 2 × (1 + 49) = 180. The table gets its natural width and no more
// (with three areas, no more than half the width either), so the extra width of a wide terminal goes
// to the panes, not to padding in the name column.
import { bodyLines, MIN_COLUMNS, type Viewport } from './layout.js';
import type { ConnectionState } from './connection.js';

export const FLEET_TABS = ['fleet', 'logs', 'metrics'] as const;
export type FleetTab = (typeof FLEET_TABS)[number];
/** The panes beside the table. */
export type SidePane = Exclude<FleetTab, 'fleet'>;
export const TAB_TITLES: Record<FleetTab, string> = { fleet: 'Fleet', logs: 'Logs', metrics: 'Metrics' };

export type FleetMode = 'tabs' | 'side' | 'three';

/** The narrowest a pane gets. */
export const PANE_MIN_WIDTH = 49;
/** Columns between two areas. */
export const PANE_GAP = 1;
/** From this width the table has one pane beside it. */
export const SIDE_COLUMNS = MIN_COLUMNS + PANE_GAP + PANE_MIN_WIDTH;
/** From this width the table and both panes sit side by side. */
export const THREE_COLUMNS = MIN_COLUMNS + 2 * (PANE_GAP + PANE_MIN_WIDTH);

export function fleetMode(vp: Viewport): FleetMode {
  if (vp.columns >= THREE_COLUMNS) return 'three';
  if (vp.columns >= SIDE_COLUMNS) return 'side';
  return 'tabs';
}

/** Lines over the areas: the tab bar, in the tabs mode. */
export function tabBarLines(vp: Viewport): number {
  return fleetMode(vp) === 'tabs' ? 1 : 0;
}

/** Lines of each area (the table with its column header, a pane with its frame). */
export function areaLines(vp: Viewport, conn: ConnectionState): number {
  return Math.max(2, bodyLines(vp, conn) - tabBarLines(vp));
}

/** Data rows of the fleet table (its column header takes one line). */
export function fleetTableRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, areaLines(vp, conn) - 1);
}

/** What the user chose to see where only some areas fit: the tab (tabs mode) and the pane beside the table (side mode). */
export interface PaneChoice {
  tab: FleetTab;
  side: SidePane;
}

export interface FleetAreas {
  mode: FleetMode;
  /** Width of each area shown; null for one that is not. */
  table: number | null;
  logs: number | null;
  metrics: number | null;
  /** The tabs `tab` switches between and the one shown: Fleet, Logs, Metrics in tabs mode, Logs, Metrics in side mode, none in three. */
  tabs: readonly FleetTab[];
  active: FleetTab | null;
}

/** The areas shown and their widths, for a table whose columns at their natural width take `tableNaturalWidth`. */
export function fleetAreas(vp: Viewport, tableNaturalWidth: number, choice: PaneChoice): FleetAreas {
  const mode = fleetMode(vp);
  const cols = vp.columns;
  if (mode === 'tabs') {
    const on = (t: FleetTab): number | null => (choice.tab === t ? cols : null);
    return { mode, table: on('fleet'), logs: on('logs'), metrics: on('metrics'), tabs: FLEET_TABS, active: choice.tab };
  }
  if (mode === 'side') {
    const table = Math.max(MIN_COLUMNS, Math.min(tableNaturalWidth, cols - PANE_GAP - PANE_MIN_WIDTH));
    const pane = cols - table - PANE_GAP;
    return { mode, table, logs: choice.side === 'logs' ? pane : null, metrics: choice.side === 'metrics' ? pane : null, tabs: ['logs', 'metrics'], active: choice.side };
  }
  // At most half the width (and never so much that a pane is under its minimum): the logs and the
  // metrics get the rest, however much the table could show.
  const table = Math.max(MIN_COLUMNS, Math.min(tableNaturalWidth, Math.floor(cols / 2), cols - 2 * (PANE_GAP + PANE_MIN_WIDTH)));
  const rest = cols - table - 2 * PANE_GAP;
  return { mode, table, logs: Math.ceil(rest / 2), metrics: Math.floor(rest / 2), tabs: [], active: null };
}

/** What `tab` does in a mode: the next tab, the other pane, or nothing when everything is shown. */
export function nextPane(mode: FleetMode, choice: PaneChoice): PaneChoice | null {
  if (mode === 'three') return null;
  if (mode === 'side') return { ...choice, side: choice.side === 'logs' ? 'metrics' : 'logs' };
  const tab = FLEET_TABS[(FLEET_TABS.indexOf(choice.tab) + 1) % FLEET_TABS.length] as FleetTab;
  // The pane last looked at in tabs stays the one beside the table on a wider terminal.
  return { tab, side: tab === 'fleet' ? choice.side : tab };
}
