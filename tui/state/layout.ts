// Screen geometry shared by the reducer (to keep cursor and scroll in range) and the views (to draw
// exactly that many lines): the frame every view sits in. Each view's own page size is in its model.
// Pure numbers only.
import type { ConnectionState } from './connection.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export const HEADER_LINES = 2;
/** Message line, prompt line, footer. */
export const BOTTOM_LINES = 3;

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

export function bannerLines(conn: ConnectionState): number {
  return conn.status === 'open' ? 0 : 1;
}

export function bodyLines(vp: Viewport, conn: ConnectionState): number {
  return rootHeight(vp) - HEADER_LINES - bannerLines(conn) - BOTTOM_LINES;
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
