// Column widths that adapt to the terminal. layoutColumns: fixed columns keep their width, flexible
// ones share what is left by weight, never below their minimum. priorityLayout: columns sized to their
// content are kept by priority while they fit, k9s-style, and one elastic column takes the rest.
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

/**
 * A column of a table that, like k9s's, drops columns to fit: `priority` decides which columns stay
 * (1 stays longest), the order of the definitions decides where they are drawn.
 */
export interface PriorityColumnDef<Id extends string = string> {
  id: Id;
  title: string;
  align?: 'left' | 'right';
  priority: number;
  /**
   * The one column that takes the width left over (cut with an ellipsis when that is less than its
   * content). It is shown only with at least `min` columns, or its content's width if that is less.
   */
  elastic?: { min: number };
}

/**
 * Each column's natural width: its widest cell or title, as measured by the table's own module; 0
 * for a column with nothing to show, which is left out wherever it would go.
 */
export type NaturalWidths<Id extends string> = Readonly<Record<Id, number>>;

function neededWidth<Id extends string>(def: PriorityColumnDef<Id>, natural: NaturalWidths<Id>): number {
  return def.elastic ? Math.min(def.elastic.min, natural[def.id]) : natural[def.id];
}

/**
 * Keeps columns in priority order while they fit at their natural width, stopping at the first that
 * does not, so a lower-priority column always goes before a higher one is squeezed. The first column
 * by priority is always kept, cut to the width if need be; the elastic column gets what is left.
 */
export function priorityLayout<Id extends string>(defs: readonly PriorityColumnDef<Id>[], natural: NaturalWidths<Id>, totalWidth: number): Column<Id>[] {
  const budget = Math.max(1, totalWidth - MARKER_WIDTH);
  const widths = new Map<Id, number>();
  let used = 0;
  // Array.prototype.sort is stable: equal priorities keep their display order.
  for (const def of [...defs].sort((a, b) => a.priority - b.priority)) {
    if (natural[def.id] <= 0) continue;
    const need = neededWidth(def, natural);
    if (widths.size === 0) {
      widths.set(def.id, Math.min(need, budget));
      used = Math.min(need, budget);
      continue;
    }
    if (used + 1 + need > budget) break;
    widths.set(def.id, need);
    used += 1 + need;
  }
  const elastic = defs.find((d) => d.elastic && widths.has(d.id));
  if (elastic) widths.set(elastic.id, (widths.get(elastic.id) ?? 0) + budget - used);
  return defs.filter((d) => widths.has(d.id)).map((d) => ({ id: d.id, title: d.title, align: d.align ?? 'left', width: widths.get(d.id) ?? 1 }));
}

/**
 * The width at which every column shows at its natural width and none is padded beyond it: more than
 * this is of no use to the table, so a layout can give the rest to panes beside it.
 */
export function naturalTableWidth<Id extends string>(defs: readonly PriorityColumnDef<Id>[], natural: NaturalWidths<Id>): number {
  const shown = defs.filter((d) => natural[d.id] > 0);
  return MARKER_WIDTH + shown.reduce((sum, d) => sum + natural[d.id], 0) + Math.max(0, shown.length - 1);
}
