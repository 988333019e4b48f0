// Column widths that adapt to the terminal: fixed columns keep their width, flexible ones share what
// is left by weight, never below their minimum.
import { fit } from './text.js';

export interface ColumnDef<Id extends string = string> {
  id: Id;
  title: string;
  align?: 'left' | 'right';
  /** Fixed width. */
  width?: number;
  /** Share of the remaining width, for columns without a fixed width. */
  flex?: number;
  min?: number;
  max?: number;
}

export interface Column<Id extends string = string> {
  id: Id;
  title: string;
  align: 'left' | 'right';
  width: number;
}

/** Width of the selection marker ("> ") in front of every table row. */
export const MARKER_WIDTH = 2;

export function layoutColumns<Id extends string>(defs: readonly ColumnDef<Id>[], totalWidth: number): Column<Id>[] {
  const separators = Math.max(0, defs.length - 1);
  const fixed = defs.reduce((sum, d) => sum + (d.width ?? 0), 0);
  const flexDefs = defs.filter((d) => d.width === undefined);
  const widths = new Map<ColumnDef<Id>, number>();
  for (const d of flexDefs) widths.set(d, d.min ?? 1);
  const mins = flexDefs.reduce((sum, d) => sum + (d.min ?? 1), 0);
  let extra = Math.max(0, totalWidth - MARKER_WIDTH - separators - fixed - mins);
  const weights = flexDefs.reduce((sum, d) => sum + (d.flex ?? 1), 0);
  const share = extra;
  for (const d of flexDefs) {
    const current = widths.get(d) ?? 0;
    const wanted = Math.floor((share * (d.flex ?? 1)) / Math.max(1, weights));
    const grant = Math.min(wanted, (d.max ?? Infinity) - current);
    widths.set(d, current + grant);
    extra -= grant;
  }
  const sink = [...flexDefs].reverse().find((d) => d.max === undefined);
  if (sink && extra > 0) widths.set(sink, (widths.get(sink) ?? 0) + extra);
  return defs.map((d) => ({ id: d.id, title: d.title, align: d.align ?? 'left', width: d.width ?? widths.get(d) ?? 1 }));
}

export function joinCells(columns: readonly Column[], cells: readonly string[]): string {
  return columns.map((c, i) => fit(cells[i] ?? '', c.width, c.align)).join(' ');
}

export function headerLine(columns: readonly Column[]): string {
  return ' '.repeat(MARKER_WIDTH) + joinCells(columns, columns.map((c) => c.title));
}
