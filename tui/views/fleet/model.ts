// The fleet view: every cluster in one table, worst health first. Its slice is the cursor, the `/`
// filter and the sort, kept for the whole session (the fleet is the root of the view stack). Pure.
import type { ClusterRow } from '../../../core/fleet.js';
import { filterProblems, parseFilter } from '../../state/filter.js';
import type { FleetState } from '../../state/fleet.js';
import { bodyLines, keepInView, type Viewport } from '../../state/layout.js';
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
}

export type FleetKeyAction = 'drill' | 'clearFilter' | 'sort';

/** At this width the fleet view gains a summary pane beside the table. */
export const WIDE_COLUMNS = 140;
export const SUMMARY_PANE_WIDTH = 44;

export function isWide(vp: Viewport): boolean {
  return vp.columns >= WIDE_COLUMNS;
}

/** Data rows of the fleet table (its column header takes one line). */
export function fleetTableRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 1);
}

export function fleetTableWidth(vp: Viewport): number {
  return isWide(vp) ? vp.columns - SUMMARY_PANE_WIDTH - 1 : vp.columns;
}

export function visibleRows(fleet: FleetState, slice: FleetSlice): ClusterRow[] {
  return selectVisibleRows(fleet, slice.filter, slice.sort);
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
  initial: () => ({ cursor: 0, scroll: 0, selected: null, filter: '', sort: 'health' }),
  open: (slice) => ({ ok: true, slice }),
  bindings: [
    { keys: ['enter'], action: 'drill', description: 'open the selected cluster', hint: true },
    { keys: ['esc'], action: 'clearFilter', description: 'clear the filter', hint: false },
    { keys: ['/'], action: 'filter', description: 'filter clusters', hint: true },
    { keys: ['s'], action: 'sort', description: 'cycle sort (health, name, age)', hint: true },
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
};
