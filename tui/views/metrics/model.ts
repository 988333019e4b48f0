// The metrics view: a cluster's embedded series as line charts over 1h, 6h, 24h or 7d, or several
// clusters' overlaid (the rows marked in the fleet, or `:metrics a b`), with a time cursor whose
// column's values each chart's title shows and from which L opens the clusters' logs at that time.
// Each range is a `metrics.range` call per cluster on open and on a change of range (asked again
// every minute but for the last hour, which the `metrics:<cluster>` topic keeps current with each
// report's values). M opens it from the fleet and from a cluster, `:metrics CLUSTER…` anywhere. Pure.
import { formatLag } from '../../../core/duration.js';
import { firstIssue } from '../../../core/schema-issue.js';
import { MetricsRangeSchema } from '../../frames.js';
import { renderChart, sampleSeries, timeAxis, type ChartLine, type ChartMode, type ChartPoint } from '../../render/line-chart.js';
import type { CallOutcome } from '../../state/calls.js';
import type { ConnectionState } from '../../state/connection.js';
import { bodyLines, type Viewport } from '../../state/layout.js';
import {
  appendLive,
  axisLabel,
  axisTime,
  CHART_SERIES,
  CHARTS,
  chartWindow,
  prometheusNote,
  columnSpan,
  cursorTime,
  formatValue,
  holdRange,
  LIVE_RANGE,
  logsQueryAt,
  RANGE_MS,
  RANGES,
  replaceRange,
  replaceWithSnapshot,
  yRange,
  type ChartDef,
  type ChartWindow,
  type HeldRange,
  type RangeName,
} from '../../state/metrics.js';
import type { LivePoint, MetricsRange } from '../../../core/metrics/api.js';
import type { KeyHandler, Scope, ViewCall, ViewContext, ViewModel, ViewUpdate } from '../../state/view-model.js';

/** Ranges other than the live hour are asked again this often while shown. */
export const REFRESH_MS = 60_000;
/** A failed call is asked again after this long, not on every change. */
export const RETRY_MS = 10_000;
/** Clusters one chart overlays: as many as there are colours and ASCII glyphs to tell them apart. */
export const MAX_OVERLAID = 6;
/** L shows the logs from at least this long before the cursor's time to as long after it. */
export const LOGS_AROUND_MS = 2 * 60_000;

/** One cluster's data for the range shown. */
export interface ClusterMetrics {
  cluster: string;
  /** The range's answer (or the live hour's snapshot); null until the first. */
  held: HeldRange | null;
  /** The ref of the call on its way. */
  pending: string | null;
  fetchedAt: number | null;
  failedAt: number | null;
  /** Why the last call failed; cleared by the next answer. */
  error: string | null;
}

export interface MetricsSlice {
  /** The clusters shown, overlaid in this order; empty while the view is closed. */
  clusters: readonly string[];
  data: readonly ClusterMetrics[];
  /** Kept across openings: the range last chosen. */
  range: RangeName;
  /** The plot column of the time cursor; null shows the latest values. */
  cursor: number | null;
  /** Numbers the calls' refs, so an answer for another range or an earlier opening is recognised as stale. */
  seq: number;
}

export type MetricsKeyAction = 'metrics' | 'cursorLeft' | 'cursorRight' | 'shorterRange' | 'longerRange' | 'range1h' | 'range6h' | 'range24h' | 'range7d' | 'logsAtCursor';

export type MetricsDataAction =
  | { type: 'metrics/snapshot'; cluster: string; rev: number; data: MetricsRange | null }
  | { type: 'metrics/points'; cluster: string; rev: number; points: LivePoint[] };

/** Cells of a y label; the axis rule takes one more. */
export const Y_LABEL_WIDTH = 5;
/** Blanks between two columns of charts. */
export const GRID_GAP = 2;
/** The title line, and the time axis's rule and labels under the charts. */
const TITLE_LINES = 1;
const AXIS_LINES = 2;
const MIN_PLOT_ROWS = 3;
const MAX_PLOT_ROWS = 12;
/** The narrowest a column of charts gets before there is one column fewer. */
const MIN_COLUMN_WIDTH = 40;
const MAX_GRID_COLUMNS = 3;

export interface MetricsLayout {
  gridColumns: number;
  /** Width of one column of charts, labels included. */
  columnWidth: number;
  plotWidth: number;
  plotHeight: number;
  gridRows: number;
  /** How many of CHARTS are shown. */
  charts: number;
}

/**
 * The charts as a grid that fills the body: as many columns as fit 40 cells each (at most 3), as
 * many rows as keep each plot at least 3 lines high (each chart has a title line above its plot),
 * and the time axis once under each column. 80×24 shows six charts of 33×4 cells.
 */
export function metricsLayout(vp: Viewport, conn: ConnectionState): MetricsLayout {
  const gridColumns = Math.max(1, Math.min(MAX_GRID_COLUMNS, Math.floor(vp.columns / MIN_COLUMN_WIDTH)));
  const columnWidth = Math.floor((vp.columns - GRID_GAP * (gridColumns - 1)) / gridColumns);
  const plotWidth = Math.max(1, columnWidth - Y_LABEL_WIDTH - 1);
  const available = Math.max(0, bodyLines(vp, conn) - TITLE_LINES - AXIS_LINES);
  const fit = Math.max(1, Math.floor(available / (1 + MIN_PLOT_ROWS)));
  const gridRows = Math.min(Math.ceil(CHARTS.length / gridColumns), fit);
  const plotHeight = Math.max(1, Math.min(MAX_PLOT_ROWS, Math.floor(available / gridRows) - 1));
  return { gridColumns, columnWidth, plotWidth, plotHeight, gridRows, charts: Math.min(CHARTS.length, gridRows * gridColumns) };
}

const entry = (cluster: string): ClusterMetrics => ({ cluster, held: null, pending: null, fetchedAt: null, failedAt: null, error: null });

function closed(s: Pick<MetricsSlice, 'range' | 'seq'>): MetricsSlice {
  return { clusters: [], data: [], range: s.range, cursor: null, seq: s.seq };
}

/** Another range: what is held is for the old one, so it goes, and answers still on their way for it are stale. */
function withRange(s: MetricsSlice, range: RangeName): ViewUpdate<MetricsSlice> {
  if (s.clusters.length === 0 || range === s.range) return {};
  return { slice: { ...s, range, cursor: null, data: s.clusters.map(entry), seq: s.seq + 1 } };
}

function rangeKey(range: RangeName): KeyHandler<MetricsSlice> {
  return { run: (s) => withRange(s, range) };
}

function stepRange(delta: 1 | -1): KeyHandler<MetricsSlice> {
  return {
    run: (s) => {
      const next = RANGES[RANGES.indexOf(s.range) + delta];
      if (next === undefined) return { message: { text: delta > 0 ? `${s.range} is the longest range` : `${s.range} is the shortest range`, level: 'info' } };
      return withRange(s, next);
    },
  };
}

/** The first thing to say about the central Prometheus of the clusters shown, naming the cluster when several are. */
export function metricsNote(s: MetricsSlice, now: number): string | null {
  for (const d of s.data) {
    const note = prometheusNote(d.held, now);
    if (note !== null) return s.data.length > 1 ? `${note} (${d.cluster})` : note;
  }
  return null;
}

export function metricsWindow(s: MetricsSlice): ChartWindow | null {
  return chartWindow(
    s.data.map((d) => d.held),
    s.range,
  );
}

/** The clusters a view opened from `from` shows: a cluster's own, else the fleet's marked rows (those still registered), else its selected one. */
function scopeClusters(from: Scope, ctx: ViewContext): string[] {
  if (from.cluster !== undefined) return [from.cluster];
  const fleet = from.fleet;
  if (!fleet) return [];
  const marked = fleet.marked.filter((n) => ctx.fleet.rev === null || ctx.fleet.rows.has(n));
  if (marked.length > 0) return marked;
  return fleet.selected === null ? [] : [fleet.selected];
}

const USAGE = 'usage: :metrics CLUSTER… (or M on a cluster; space marks fleet rows to overlay)';

function open(s: MetricsSlice, arg: string | undefined, ctx: ViewContext, from: Scope): { ok: true; slice: MetricsSlice } | { ok: false; error: string } {
  const named = arg === undefined ? scopeClusters(from, ctx) : arg.split(',').filter((n) => n.length > 0);
  const clusters = [...new Set(named)];
  if (clusters.length === 0) return { ok: false, error: `no cluster to chart — ${USAGE}` };
  if (clusters.length > MAX_OVERLAID) return { ok: false, error: `at most ${MAX_OVERLAID} clusters can be overlaid, not ${clusters.length}${arg === undefined ? ' — unmark some with space' : ''}` };
  const unknown = ctx.fleet.rev === null ? undefined : clusters.find((n) => !ctx.fleet.rows.has(n));
  if (unknown !== undefined) return { ok: false, error: `no cluster named "${unknown}"` };
  return { ok: true, slice: { ...closed(s), clusters, data: clusters.map(entry), seq: s.seq + 1 } };
}

function moveCursor(delta: 1 | -1): KeyHandler<MetricsSlice> {
  return {
    run: (s, ctx) => {
      if (s.clusters.length === 0) return {};
      const last = metricsLayout(ctx.viewport, ctx.conn).plotWidth - 1;
      // The first h or l puts the cursor on the newest column.
      const from = s.cursor ?? (delta < 0 ? last + 1 : last);
      const cursor = Math.max(0, Math.min(last, from + delta));
      return cursor === s.cursor ? {} : { slice: { ...s, cursor } };
    },
  };
}

/**
 * L: the clusters' logs around the cursor's column (LOGS_AROUND_MS either side of its middle, or the
 * whole column where that is wider, as it is over a day), or live from a little before the newest
 * point without a cursor.
 */
function logsAt(s: MetricsSlice, ctx: ViewContext): ViewUpdate<MetricsSlice> {
  const w = metricsWindow(s);
  if (!w) return { message: { text: 'no metrics yet to place the logs in time', level: 'info' } };
  const { plotWidth } = metricsLayout(ctx.viewport, ctx.conn);
  const half = Math.max(LOGS_AROUND_MS, Math.ceil((w.end - w.start) / plotWidth / 2));
  const at = s.cursor === null ? w.end : columnSpan(w, plotWidth, s.cursor).mid;
  const query = logsQueryAt(s.clusters, at, s.cursor === null ? LOGS_AROUND_MS : half, s.cursor !== null);
  const where = s.cursor === null ? `from ${cursorTime(s.range, at - LOGS_AROUND_MS)} UTC on` : `around ${cursorTime(s.range, at)} UTC (±${formatLag(half / 1000)})`;
  return { open: { view: 'logs', arg: query }, message: { text: `logs of ${s.clusters.join(', ')} ${where}`, level: 'info' } };
}

function wants(s: MetricsSlice, ctx: ViewContext): { slice: MetricsSlice; calls: ViewCall[] } {
  if (s.clusters.length === 0 || ctx.conn.status !== 'open') return { slice: s, calls: [] };
  const calls: ViewCall[] = [];
  let seq = s.seq;
  const data = s.data.map((d) => {
    if (d.pending !== null) return d;
    if (d.failedAt !== null && ctx.now - d.failedAt < RETRY_MS) return d;
    // The live topic keeps the last hour of the daemon's own series current, not Prometheus's answer
    // nor what it says of the edge: those are asked again like the longer ranges.
    const stale = d.held === null || ((s.range !== LIVE_RANGE || d.held.prometheus) && d.fetchedAt !== null && ctx.now - d.fetchedAt >= REFRESH_MS);
    if (!stale) return d;
    seq += 1;
    const ref = `range:${seq}`;
    calls.push({ method: 'metrics.range', params: { cluster: d.cluster, series: [...CHART_SERIES], since: s.range }, ref });
    return { ...d, pending: ref };
  });
  return calls.length === 0 ? { slice: s, calls } : { slice: { ...s, data, seq }, calls };
}

/** Why a call failed. A lost link is said by the banner already, and its next step is a job's: the reason alone, asked again once the link is back. */
function failure(outcome: CallOutcome): { text: string; say: boolean } | null {
  if (outcome.ok) return null;
  const { code, message, next } = outcome.error;
  if (code === 'unavailable') return { text: message, say: false };
  return { text: `${message}${next ? ` — ${next}` : ''}`, say: true };
}

function answer(s: MetricsSlice, ref: string, outcome: CallOutcome, ctx: ViewContext): ViewUpdate<MetricsSlice> {
  const i = s.data.findIndex((d) => d.pending === ref);
  const d = s.data[i];
  if (!d) return {};
  const put = (next: ClusterMetrics): MetricsSlice => ({ ...s, data: s.data.map((x, k) => (k === i ? next : x)) });
  let error = failure(outcome);
  if (error === null && outcome.ok) {
    const parsed = MetricsRangeSchema.safeParse(outcome.result);
    if (parsed.success && parsed.data.cluster === d.cluster) {
      return { slice: put({ ...d, held: replaceRange(d.held, holdRange(parsed.data)), pending: null, fetchedAt: ctx.now, failedAt: null, error: null }) };
    }
    error = { text: parsed.success ? `the answer is for "${parsed.data.cluster}"` : `the daemon's answer was not understood (${firstIssue(parsed.error, 'answer')})`, say: true };
  }
  if (error === null) return {};
  const slice = put({ ...d, pending: null, failedAt: ctx.now, error: error.text });
  // Said once, not again on every retry of the same failure.
  return !error.say || d.error === error.text ? { slice } : { slice, message: { text: `metrics of ${d.cluster} (${s.range}): ${error.text}`, level: 'error' } };
}

function reduce(s: MetricsSlice, a: MetricsDataAction, ctx: ViewContext): MetricsSlice {
  if (s.range !== LIVE_RANGE) return s;
  const i = s.data.findIndex((d) => d.cluster === a.cluster);
  const d = s.data[i];
  if (!d) return s;
  let next: ClusterMetrics;
  if (a.type === 'metrics/snapshot') {
    if (a.data === null || a.data.cluster !== d.cluster) return s;
    next = { ...d, held: replaceWithSnapshot(d.held, holdRange(a.data)), fetchedAt: ctx.now, failedAt: null, error: null };
  } else {
    if (d.held === null) return s;
    const held = appendLive(
      d.held,
      a.points.filter((p) => p.cluster === d.cluster),
      RANGE_MS[LIVE_RANGE],
    );
    if (held === d.held) return s;
    next = { ...d, held };
  }
  return { ...s, data: s.data.map((x, k) => (k === i ? next : x)) };
}

function normalize(s: MetricsSlice, ctx: ViewContext): MetricsSlice {
  if (s.cursor === null) return s;
  const last = metricsLayout(ctx.viewport, ctx.conn).plotWidth - 1;
  return s.cursor > last ? { ...s, cursor: last } : s;
}

/** One chart as drawn: its title, each cluster's value at the cursor (or the latest), and its plot with the y labels. */
export interface ChartPanel {
  def: ChartDef;
  values: { text: string; series: number }[];
  lines: ChartLine[];
}

export interface MetricsScreen {
  window: ChartWindow;
  panels: ChartPanel[];
  /** The time axis under each column of charts. */
  axis: ChartLine[];
  /** The cursor's time, or null for the latest values. */
  cursorAt: string | null;
}

/** The value a chart's title shows: the mean in the cursor's column as the plot puts points in columns (– if it has none), else the newest value held. */
function valueFor(points: readonly ChartPoint[], w: ChartWindow, plotWidth: number, cursor: number | null): number | null {
  if (cursor !== null) return sampleSeries(points, plotWidth, w.start, w.end, 0)[cursor] ?? null;
  for (let k = points.length - 1; k >= 0; k--) {
    const p = points[k];
    if (p && p[0] >= w.start && p[1] !== null) return p[1];
  }
  return null;
}

/** What the view draws, in the given chart mode; null until some cluster's data is held. */
export function metricsScreen(s: MetricsSlice, layout: MetricsLayout, mode: ChartMode): MetricsScreen | null {
  const w = metricsWindow(s);
  if (!w) return null;
  const { plotWidth, plotHeight } = layout;
  const cursor = s.cursor === null ? null : Math.min(s.cursor, plotWidth - 1);
  const panels = CHARTS.slice(0, layout.charts).map((def): ChartPanel => {
    const raw = s.data.map((d) => d.held?.points[def.series] ?? []);
    const series = raw.map((points) => points.map((p): ChartPoint => [p[0], p[1]]));
    const y = yRange(def.unit, raw, w.start);
    const lines = renderChart({
      series,
      width: plotWidth,
      height: plotHeight,
      start: w.start,
      end: w.end,
      yMin: y.min,
      yMax: y.max,
      mode,
      maxGapMs: 3 * w.stepMs,
      cursor,
      labelWidth: Y_LABEL_WIDTH,
      yLabel: (v) => axisLabel(def.unit, v),
      empty: 'no points in this range',
    });
    return { def, lines, values: series.map((points, i) => ({ text: formatValue(def.unit, valueFor(points, w, plotWidth, cursor)), series: i })) };
  });
  const axis = timeAxis({ width: plotWidth, labelWidth: Y_LABEL_WIDTH, start: w.start, end: w.end, mode, cursor, format: (ms) => axisTime(s.range, ms) });
  return { window: w, panels, axis, cursorAt: cursor === null ? null : cursorTime(s.range, columnSpan(w, plotWidth, cursor).mid) };
}

/** What the view says before any chart: each cluster's call on its way, or why it failed. */
export function metricsStatus(s: MetricsSlice): string[] {
  return s.data.map((d) => (d.error !== null ? `${d.cluster}: ${d.error}` : `${d.cluster}: loading the last ${s.range}…`));
}

export const metricsView: ViewModel<'metrics', MetricsSlice, MetricsKeyAction, MetricsDataAction> = {
  kind: 'metrics',
  title: 'Metrics',
  over: ['fleet', 'cluster'],
  initial: () => closed({ range: LIVE_RANGE, seq: 0 }),
  open,
  close: (s) => closed(s),
  bindings: [
    { keys: ['M'], action: 'metrics', description: 'metrics charts (the cluster, or the marked clusters overlaid)', hint: true, contexts: ['fleet', 'cluster'] },
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['h', 'left'], action: 'cursorLeft', description: 'cursor earlier', hint: true },
    { keys: ['l', 'right'], action: 'cursorRight', description: 'cursor later', hint: true },
    { keys: ['L'], action: 'logsAtCursor', description: 'logs at the cursor', hint: true, needs: 'log.read' },
    { keys: ['['], action: 'shorterRange', description: 'shorter range', hint: true },
    { keys: [']'], action: 'longerRange', description: 'longer range', hint: true },
    { keys: ['1'], action: 'range1h', description: 'range 1h (live)', hint: false },
    { keys: ['6'], action: 'range6h', description: 'range 6h', hint: false },
    { keys: ['2'], action: 'range24h', description: 'range 24h', hint: false },
    { keys: ['7'], action: 'range7d', description: 'range 7d', hint: false },
  ],
  keys: {
    metrics: { run: () => ({ open: { view: 'metrics' } }) },
    cursorLeft: moveCursor(-1),
    cursorRight: moveCursor(1),
    logsAtCursor: { run: logsAt },
    shorterRange: stepRange(-1),
    longerRange: stepRange(1),
    range1h: rangeKey('1h'),
    range6h: rangeKey('6h'),
    range24h: rangeKey('24h'),
    range7d: rangeKey('7d'),
  },
  commands: [
    {
      verbs: ['metrics'],
      usage: ':metrics CLUSTER…',
      description: "a cluster's CPU, memory, pods, restarts and error lines as charts; several clusters overlaid",
      parse: (args) => {
        const names = args.flatMap((a) => a.split(',')).filter((n) => n.length > 0);
        return names.length === 0 ? { ok: true } : { ok: true, arg: names.join(',') };
      },
    },
  ],
  normalize,
  scope: (s) => (s.clusters[0] === undefined ? {} : { cluster: s.clusters[0] }),
  topics: (s) => (s.range === LIVE_RANGE ? s.clusters.map((c) => `metrics:${c}`) : []),
  actionTypes: ['metrics/snapshot', 'metrics/points'],
  reduce,
  wants,
  answer,
};
