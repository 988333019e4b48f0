// The metrics pane's sparklines: the shown cluster's CPU, memory, running pods and error lines over
// the last hour, drawn by the metrics view's renderer (tui/render/line-chart.ts) in the console's
// chart glyphs, each under a title with its newest value, and one time axis below them. As many as
// the pane's height leaves room for, each one to four lines high. Pure.
import { renderChart, timeAxis, type ChartLine, type ChartMode } from './line-chart.js';
import { axisLabel, axisTime, formatValue, RANGE_MS, yRange, type ChartDef, type HeldRange } from '../state/metrics.js';
import { PANE_CHARTS } from '../state/fleet-panes.js';

/** Cells of the y labels when the pane is wide enough for them; the axis rule takes one more. */
const LABEL_WIDTH = 5;
const AXIS_LINES = 2;
const MAX_PLOT_ROWS = 4;

export interface PaneChartsLayout {
  charts: number;
  plotHeight: number;
  labelWidth: number;
  plotWidth: number;
}

/** How `rows` lines of a pane `width` wide hold the charts: null when not even one chart and the axis fit. */
export function paneChartsLayout(width: number, rows: number): PaneChartsLayout | null {
  const room = rows - AXIS_LINES;
  const charts = Math.min(PANE_CHARTS.length, Math.floor(room / 2));
  if (charts < 1 || width < 12) return null;
  const plotHeight = Math.max(1, Math.min(MAX_PLOT_ROWS, Math.floor(room / charts) - 1));
  const labelWidth = width >= 40 ? LABEL_WIDTH : 0;
  return { charts, plotHeight, labelWidth, plotWidth: Math.max(1, width - labelWidth - (labelWidth > 0 ? 1 : 0)) };
}

export interface PaneChart {
  def: ChartDef;
  /** The newest value, as the chart's title says it. */
  value: string;
  lines: ChartLine[];
}

function newest(points: readonly (readonly [number, number | null, number | null])[], from: number): number | null {
  for (let k = points.length - 1; k >= 0; k--) {
    const p = points[k];
    if (p && p[0] >= from && p[1] !== null) return p[1];
  }
  return null;
}

export function paneCharts(held: HeldRange, layout: PaneChartsLayout, mode: ChartMode): { charts: PaneChart[]; axis: ChartLine[] } {
  const end = held.end;
  const start = end - RANGE_MS['1h'];
  const charts = PANE_CHARTS.slice(0, layout.charts).map((def): PaneChart => {
    const raw = held.points[def.series] ?? [];
    const y = yRange(def.unit, [raw], start);
    const lines = renderChart({
      series: [raw.map((p) => [p[0], p[1]] as const)],
      width: layout.plotWidth,
      height: layout.plotHeight,
      start,
      end,
      yMin: y.min,
      yMax: y.max,
      mode,
      maxGapMs: 3 * held.stepMs,
      labelWidth: layout.labelWidth,
      yLabel: (v) => axisLabel(def.unit, v),
      empty: 'no points',
    });
    return { def, value: formatValue(def.unit, newest(raw, start)), lines };
  });
  const axis = timeAxis({ width: layout.plotWidth, labelWidth: layout.labelWidth, start, end, mode, format: (ms) => axisTime('1h', ms) });
  return { charts, axis };
}
