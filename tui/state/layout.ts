// Screen geometry shared by the reducer (to keep cursor and scroll in range) and the views (to draw
// exactly that many lines). Pure numbers only.
import type { ConnectionState } from './connection.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
/** At this width the fleet view gains a summary pane beside the table. */
export const WIDE_COLUMNS = 140;
export const SUMMARY_PANE_WIDTH = 44;

export const HEADER_LINES = 2;
/** Message line, prompt line, footer. */
export const BOTTOM_LINES = 3;
export const HISTORY_LINES = 3;

export interface Viewport {
  columns: number;
  rows: number;
}

/** The root box is one line shorter than the terminal so the last line never scrolls the screen. */
export function rootHeight(vp: Viewport): number {
  return Math.max(1, vp.rows - 1);
}

export function isTooSmall(vp: Viewport): boolean {
  return vp.columns < MIN_COLUMNS || vp.rows < MIN_ROWS;
}

export function isWide(vp: Viewport): boolean {
  return vp.columns >= WIDE_COLUMNS;
}

export function bannerLines(conn: ConnectionState): number {
  return conn.status === 'open' ? 0 : 1;
}

export function bodyLines(vp: Viewport, conn: ConnectionState): number {
  return rootHeight(vp) - HEADER_LINES - bannerLines(conn) - BOTTOM_LINES;
}

/** Data rows of the fleet table (its column header takes one line). */
export function fleetTableRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 1);
}

export function fleetTableWidth(vp: Viewport): number {
  return isWide(vp) ? vp.columns - SUMMARY_PANE_WIDTH - 1 : vp.columns;
}

/** Item rows of the focused detail section: the body minus the title, three section titles, a column header and the history block. */
export function detailSectionRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 1 - 3 - 1 - (1 + HISTORY_LINES));
}

/** Fleet fan-outs summarised above the jobs table, at most this many lines. */
export const FLEET_GROUP_LINES = 3;

export function fleetGroupLines(groups: number): number {
  return Math.min(groups, FLEET_GROUP_LINES);
}

/** Job rows of the jobs view: the body minus its title, the fleet-job lines and the column header. */
export function jobsTableRows(vp: Viewport, conn: ConnectionState, groups: number): number {
  return Math.max(1, bodyLines(vp, conn) - 1 - fleetGroupLines(groups) - 1);
}

/** Column width of the help overlay: wide enough for a key and its description. */
export const HELP_COLUMN_WIDTH = 40;

/** How the help overlay fits a body of the given size: columns side by side, lines per column. */
export function helpLayout(width: number, bodyHeight: number): { columns: number; columnWidth: number; rowsPerColumn: number } {
  const columns = Math.max(1, Math.floor(width / HELP_COLUMN_WIDTH));
  // one line for the title, one for the scroll hint
  return { columns, columnWidth: Math.floor(width / columns) - 1, rowsPerColumn: Math.max(1, bodyHeight - 2) };
}


/** Clamps a cursor into a list of `count` items and moves a `page`-row window so the cursor stays in view. */
export function keepInView(cursor: number, scroll: number, count: number, page: number): { cursor: number; scroll: number } {
  const c = Math.max(0, Math.min(cursor, count - 1));
  let s = scroll;
  if (c < s) s = c;
  if (c >= s + page) s = c - page + 1;
  return { cursor: c, scroll: Math.max(0, Math.min(s, Math.max(0, count - page))) };
}
