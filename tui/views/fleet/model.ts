// The fleet view: every cluster in one table, worst health first, and beside it (or in tabs on a
// narrow terminal: state/fleet-layout.ts) a logs pane of live error lines and a metrics pane of the
// selected cluster (state/fleet-panes.ts), and in the table a sparkline column of one series over the
// last hour (state/fleet-spark.ts). Its slice is the cursor, the `/` filter, the sort, the rows marked
// with space (which the metrics view overlays), the panes and the sparklines, kept for the whole
// session (the fleet is the root of the view stack). The panes and the column follow their topics and
// make their calls only while they are on screen. Pure.
import type { ClusterRow } from '../../../core/fleet.js';
import { fleetColumns, fleetNaturalWidth, measureFleet, sameWidths, widenFleet, type FleetColumnId, type FleetWidths } from '../../render/fleet-row.js';
import type { Column } from '../../render/columns.js';
import { filterProblems, matchesFilter, parseFilter } from '../../state/filter.js';
import type { FleetState } from '../../state/fleet.js';
import { keepInView, type Viewport } from '../../state/layout.js';
import { selectVisibleRows } from '../../state/select.js';
import { nextSort, type SortMode } from '../../state/sort.js';
import type { TopicWant, ViewCall, ViewContext, ViewModel } from '../../state/view-model.js';
import { fleetAreas, fleetMode, fleetTableRows, nextPane, type FleetAreas } from '../../state/fleet-layout.js';
import { followSelection, initialPanes, isPaneRef, paneAnswer, paneTopics, paneWants, reducePanes, setLogsScope, type FleetPanes, type PanesDataAction, type PanesOnScreen } from '../../state/fleet-panes.js';
import { addLive, cycleSeries, initialSpark, isSparkRef, pruneRings, restartFills, sparkAnswer, sparkSeries, sparkWants, type SparkDataAction, type SparkState } from '../../state/fleet-spark.js';

export { fleetTableRows } from '../../state/fleet-layout.js';

export interface FleetSlice {
  cursor: number;
  scroll: number;
  /** The cluster under the cursor, so the selection follows it when rows reorder. */
  selected: string | null;
  filter: string;
  sort: SortMode;
  /** Clusters marked with space, in the order marked: M overlays their charts. */
  marked: readonly string[];
  /** The tab or pane chosen, the cluster the panes show and their data. */
  panes: FleetPanes;
  /** The sparkline column's series and each cluster's last hour of it. */
  spark: SparkState;
}

export type FleetKeyAction = 'drill' | 'clearFilter' | 'sort' | 'mark' | 'nextPane' | 'sparkSeries' | 'logsScope';

export type FleetDataAction = PanesDataAction | SparkDataAction;

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

export interface FleetViewLayout {
  widths: FleetWidths;
  areas: FleetAreas;
  /** The table's columns at its width; null when the table is not on screen (another tab). */
  columns: Column<FleetColumnId>[] | null;
}

let lastLayout: { widths: FleetWidths; columns: number; table: number | null; layout: FleetViewLayout } | null = null;

/** The areas the fleet view shows now, their widths and the table's columns. */
export function fleetViewLayout(vp: Viewport, fleet: FleetState, slice: FleetSlice): FleetViewLayout {
  const widths = fleetWidths(fleet, slice);
  const areas = fleetAreas(vp, fleetNaturalWidth(widths), slice.panes);
  const last = lastLayout;
  // The same areas and columns, the same objects: the table's rows are memoized on their columns.
  if (last && last.widths === widths && last.columns === vp.columns && last.table === areas.table && sameAreas(last.layout.areas, areas)) return last.layout;
  const layout = { widths, areas, columns: areas.table === null ? null : fleetColumns(widths, areas.table) };
  lastLayout = { widths, columns: vp.columns, table: areas.table, layout };
  return layout;
}

function sameAreas(a: FleetAreas, b: FleetAreas): boolean {
  return a.mode === b.mode && a.table === b.table && a.logs === b.logs && a.metrics === b.metrics && a.active === b.active;
}

/** What is on screen: the panes (only while the fleet is the view on top) and the sparkline column (the table is shown and has room for it). */
export interface FleetOnScreen extends PanesOnScreen {
  spark: boolean;
}

export function fleetOnScreen(slice: FleetSlice, ctx: ViewContext, top: boolean): FleetOnScreen {
  if (!top) return { logs: false, metrics: false, spark: false };
  const { areas, columns } = fleetViewLayout(ctx.viewport, ctx.fleet, slice);
  return { logs: areas.logs !== null, metrics: areas.metrics !== null, spark: columns?.some((c) => c.id === 'SPARK') ?? false };
}

/** The names of the rows the table shows now. */
export function rowsOnScreen(slice: FleetSlice, ctx: ViewContext): string[] {
  return visibleRows(ctx.fleet, slice)
    .slice(slice.scroll, slice.scroll + fleetTableRows(ctx.viewport, ctx.conn))
    .map((r) => r.name);
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
  const moved = cursor === slice.cursor && scroll === slice.scroll && selected === slice.selected ? slice : { ...slice, cursor, scroll, selected };
  // Whether a pane would be on screen with the fleet on top: the panes follow at once while none is.
  const on = fleetOnScreen(moved, ctx, true);
  const panes = followSelection(moved.panes, selected, ctx.now, on.logs || on.metrics);
  const spark = pruneRings(moved.spark, ctx.fleet.rows);
  if (panes === moved.panes && spark === moved.spark) return moved;
  return { ...moved, panes, spark };
}

function topics(s: FleetSlice, ctx: ViewContext, top: boolean): TopicWant[] {
  const on = fleetOnScreen(s, ctx, top);
  return [...paneTopics(s.panes, on), ...(on.spark ? ['metrics'] : [])];
}

function reduce(s: FleetSlice, a: FleetDataAction, ctx: ViewContext): FleetSlice {
  if (a.type === 'metrics/fleetSnapshot') {
    const spark = restartFills(s.spark);
    return spark === s.spark ? s : { ...s, spark };
  }
  if (a.type === 'metrics/fleetPoints') {
    // Only rows that have been on screen (filled, or being filled) keep a ring: a row scrolled to
    // later is filled with its whole hour then, so holding every cluster's points meanwhile is waste.
    const spark = addLive(s.spark, a.points, (name) => s.spark.fills.has(name) && ctx.fleet.rows.has(name));
    return spark === s.spark ? s : { ...s, spark };
  }
  const panes = reducePanes(s.panes, a);
  return panes === s.panes ? s : { ...s, panes };
}

function wants(s: FleetSlice, ctx: ViewContext, top: boolean): { slice: FleetSlice; calls: ViewCall[] } {
  if (ctx.conn.status !== 'open') return { slice: s, calls: [] };
  const on = fleetOnScreen(s, ctx, top);
  const pane = paneWants(s.panes, on, ctx.now);
  const spark = on.spark ? sparkWants(s.spark, rowsOnScreen(s, ctx), ctx.now) : { spark: s.spark, calls: [] };
  const calls = [...pane.calls, ...spark.calls];
  return calls.length === 0 ? { slice: s, calls } : { slice: { ...s, panes: pane.panes, spark: spark.spark }, calls };
}

export const fleetView: ViewModel<'fleet', FleetSlice, FleetKeyAction, FleetDataAction> = {
  kind: 'fleet',
  title: 'Fleet',
  over: [],
  initial: () => ({ cursor: 0, scroll: 0, selected: null, filter: '', sort: 'health', marked: [], panes: initialPanes(), spark: initialSpark() }),
  open: (slice) => ({ ok: true, slice }),
  bindings: [
    { keys: ['enter'], action: 'drill', description: 'open the selected cluster', hint: true },
    { keys: ['esc'], action: 'clearFilter', description: 'clear the filter', hint: false },
    { keys: ['/'], action: 'filter', description: 'filter clusters', hint: true },
    { keys: ['s'], action: 'sort', description: 'cycle sort (health, name, age)', hint: true },
    { keys: ['space'], action: 'mark', description: 'mark or unmark the selected cluster (M overlays the marked)', hint: true },
    { keys: ['tab'], action: 'nextPane', description: 'next pane (Fleet, Logs, Metrics tabs; the pane beside the table)', hint: true },
    { keys: ['S'], action: 'sparkSeries', description: "cycle the sparkline column's series (CPU, memory, pods, error lines)", hint: true },
    { keys: ['f'], action: 'logsScope', description: "logs pane: the selected cluster's errors or the whole fleet's", hint: false },
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
    nextPane: {
      run: (s, ctx) => {
        const next = nextPane(fleetMode(ctx.viewport), s.panes);
        if (next === null) return { message: { text: 'the table, the logs and the metrics are all on screen; tab switches them on a terminal under 180 columns', level: 'info' } };
        return { slice: { ...s, panes: { ...s.panes, ...next } } };
      },
    },
    sparkSeries: {
      run: (s) => {
        const spark = cycleSeries(s.spark);
        return { slice: { ...s, spark }, message: { text: `sparkline column: ${sparkSeries(spark).name}, the last hour`, level: 'info' } };
      },
    },
    logsScope: {
      run: (s) => {
        const scope = s.panes.logsScope === 'cluster' ? 'fleet' : 'cluster';
        const text = scope === 'fleet' ? 'logs pane: error lines of the whole fleet' : 'logs pane: error lines of the selected cluster';
        return { slice: { ...s, panes: setLogsScope(s.panes, scope) }, message: { text, level: 'info' } };
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
  topics,
  actionTypes: ['logs/snapshot', 'logs/lines', 'logs/dropped', 'metrics/snapshot', 'metrics/points', 'metrics/fleetSnapshot', 'metrics/fleetPoints'],
  reduce,
  wants,
  answer: (s, ref, outcome, ctx) => {
    if (isPaneRef(ref)) {
      const done = paneAnswer(s.panes, ref, outcome, ctx.now);
      return done.panes === s.panes ? {} : { slice: { ...s, panes: done.panes } };
    }
    if (isSparkRef(ref)) {
      const done = sparkAnswer(s.spark, ref, outcome, ctx.now);
      return done.spark === s.spark ? {} : { slice: { ...s, spark: done.spark } };
    }
    return {};
  },
};
