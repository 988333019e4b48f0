// The fleet view: every cluster in one table, worst health first. Its slice is the cursor, the `/`
// filter, the sort and the rows marked with space (which the metrics view overlays), kept for the
// whole session (the fleet is the root of the view stack). Pure.
import type { ClusterRow } from '../../../core/fleet.js';
import { fleetNaturalWidth, measureFleet, sameWidths, widenFleet, type FleetWidths } from '../../render/fleet-row.js';
import { filterProblems, matchesFilter, parseFilter } from '../../state/filter.js';
import type { FleetState } from '../../state/fleet.js';
import { bodyLines, keepInView, MIN_COLUMNS, type Viewport } from '../../state/layout.js';
import type { ConnectionState } from '../../state/connection.js';
import { selectVisibleRows } from '../../state/select.js';
import { nextSort, type SortMode } from '../../state/sort.js';
import type { ViewContext, ViewModel } from '../../state/view-model.js';

export interface FleetSlice {
  cursor: number;
  scroll: number;
  /** The cluster under the cursor, so the selection follows it when rows reorder. */
  selected: string | null;
  filter: string;
  sort: SortMode;
  /** Clusters marked with space, in the order marked: M overlays their charts. */
  marked: readonly string[];
}

export type FleetKeyAction = 'drill' | 'clearFilter' | 'sort' | 'mark';

/** At this width the fleet view gains a summary pane beside the table. */
export const WIDE_COLUMNS = 140;
/** The narrowest the summary pane gets; it also gets whatever the table cannot use. */
export const SUMMARY_PANE_MIN_WIDTH = 44;
/** Columns between the table and the pane. */
export const PANE_GAP = 1;

export function isWide(vp: Viewport): boolean {
  return vp.columns >= WIDE_COLUMNS;
}

/** Data rows of the fleet table (its column header takes one line). */
export function fleetTableRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 1);
}

/**
 * Widths of the table and, on a wide terminal, the pane beside it. The table gets its natural width
 * (see fleetNaturalWidth) and no more, so width it would spend on padding goes to the pane; never less
 * than it has on the smallest terminal, nor so much that the pane is squeezed below its minimum.
 */
export function fleetLayout(vp: Viewport, tableNaturalWidth: number): { table: number; pane: number | null } {
  if (!isWide(vp)) return { table: vp.columns, pane: null };
  const table = Math.max(MIN_COLUMNS, Math.min(tableNaturalWidth, vp.columns - SUMMARY_PANE_MIN_WIDTH - PANE_GAP));
  return { table, pane: vp.columns - table - PANE_GAP };
}

export function visibleRows(fleet: FleetState, slice: FleetSlice): ClusterRow[] {
  return selectVisibleRows(fleet, slice.filter, slice.sort);
}

let lastWidths: { rows: FleetState['rows']; filter: string; widths: FleetWidths } | null = null;

/**
 * Natural column widths of the rows the table may show. Measuring is O(rows), so a patch only widens
 * them for the rows it changed; that also keeps the table, and the pane beside it, from moving with
 * every report as the longest reason comes and goes. A new set of rows (a snapshot, another filter)
 * is measured afresh, and may narrow them.
 */
export function fleetWidths(fleet: FleetState, slice: FleetSlice): FleetWidths {
  const last = lastWidths;
  if (last && last.rows === fleet.rows && last.filter === slice.filter) return last.widths;
  let widths: FleetWidths;
  if (last && fleet.delta && last.rows === fleet.delta.from && last.filter === slice.filter) {
    const parsed = parseFilter(slice.filter);
    const changed = fleet.delta.names.map((name) => fleet.rows.get(name)).filter((r): r is ClusterRow => r !== undefined && matchesFilter(parsed, r));
    widths = widenFleet(last.widths, changed);
  } else {
    const measured = measureFleet(visibleRows(fleet, slice));
    // Same widths, same object: the table's rows are memoized on their columns.
    widths = last && sameWidths(last.widths, measured) ? last.widths : measured;
  }
  lastWidths = { rows: fleet.rows, filter: slice.filter, widths };
  return widths;
}

/** The table's and the pane's widths for what the fleet view shows now. */
export function fleetViewLayout(vp: Viewport, fleet: FleetState, slice: FleetSlice): { widths: FleetWidths; table: number; pane: number | null } {
  const widths = fleetWidths(fleet, slice);
  return { widths, ...fleetLayout(vp, fleetNaturalWidth(widths)) };
}

function normalize(slice: FleetSlice, ctx: ViewContext, follow: boolean): FleetSlice {
  const rows = visibleRows(ctx.fleet, slice);
  let wanted = slice.cursor;
  if (follow && slice.selected !== null) {
    const idx = rows.findIndex((r) => r.name === slice.selected);
    if (idx >= 0) wanted = idx;
  }
  const { cursor, scroll } = keepInView(wanted, slice.scroll, rows.length, fleetTableRows(ctx.viewport, ctx.conn));
  const selected = rows[cursor]?.name ?? null;
  if (cursor === slice.cursor && scroll === slice.scroll && selected === slice.selected) return slice;
  return { ...slice, cursor, scroll, selected };
}

export const fleetView: ViewModel<'fleet', FleetSlice, FleetKeyAction> = {
  kind: 'fleet',
  title: 'Fleet',
  over: [],
  initial: () => ({ cursor: 0, scroll: 0, selected: null, filter: '', sort: 'health', marked: [] }),
  open: (slice) => ({ ok: true, slice }),
  bindings: [
    { keys: ['enter'], action: 'drill', description: 'open the selected cluster', hint: true },
    { keys: ['esc'], action: 'clearFilter', description: 'clear the filter', hint: false },
    { keys: ['/'], action: 'filter', description: 'filter clusters', hint: true },
    { keys: ['s'], action: 'sort', description: 'cycle sort (health, name, age)', hint: true },
    { keys: ['space'], action: 'mark', description: 'mark or unmark the selected cluster (M overlays the marked)', hint: true },
  ],
  keys: {
    drill: { run: (s) => (s.selected === null ? {} : { open: { view: 'cluster', arg: s.selected } }) },
    clearFilter: { run: (s) => ({ slice: { ...s, filter: '' }, follow: true }) },
    sort: {
      run: (s) => {
        const sort = nextSort(s.sort);
        return { slice: { ...s, sort }, message: { text: `sorted by ${sort}`, level: 'info' }, follow: true };
      },
    },
    mark: {
      run: (s, ctx) => {
        const name = s.selected;
        if (name === null) return {};
        const was = s.marked.includes(name);
        // A cluster removed since it was marked is no longer counted (nor overlaid).
        const marked = was ? s.marked.filter((n) => n !== name) : [...s.marked, name];
        const live = marked.filter((n) => ctx.fleet.rows.has(n)).length;
        const text = `${name} ${was ? 'unmarked' : 'marked'}${live > 0 ? ` · ${live} marked: M overlays their metrics` : ''}`;
        return { slice: { ...s, marked }, message: { text, level: 'info' } };
      },
    },
  },
  commands: [{ verbs: ['fleet'], usage: ':fleet', description: 'back to the fleet view', parse: () => ({ ok: true }) }],
  list: {
    page: (_s, ctx) => fleetTableRows(ctx.viewport, ctx.conn),
    move: (s, delta) => ({ ...s, cursor: s.cursor + delta }),
  },
  filter: {
    text: (s) => s.filter,
    set: (s, filter) => ({ ...s, filter }),
    problems: (text) => filterProblems(parseFilter(text)),
    counts: (s, ctx) => ({ shown: visibleRows(ctx.fleet, s).length, total: ctx.fleet.rows.size }),
  },
  normalize,
  scope: (s) => ({ fleet: { selected: s.selected, marked: s.marked } }),
};
