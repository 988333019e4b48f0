// GET /api/v1/metrics/range and GET /api/v1/metrics/series (docs/API.md, docs/METRICS.md): one answer
// shape whichever source serves it, so the console's panes and `flotilla metrics query` read both.

export interface MetricsSeriesInfo {
  name: string;
  unit: string;
  help: string;
}

/** [time in epoch ms, the step's average, the step's maximum]; null where the step has no point. */
export type MetricsPoint = [number, number | null, number | null];

/** One report's values as the `metrics` topic sends them: null for a series the report had no sane value of. */
export interface LivePoint {
  cluster: string;
  /** Epoch ms, the daemon's receive time. */
  t: number;
  values: Record<string, number | null>;
}

export interface MetricsRange {
  cluster: string;
  /** The range asked for, inclusive, ISO. */
  start: string;
  end: string;
  stepSeconds: number;
  source: 'embedded' | 'prometheus';
  /** The stored resolution the points were folded from: raw, 1m, 10m or 1h (embedded). */
  resolution: string;
  /** Each series' own source when it differs from the answer's: with `prometheus`, a series no recording rule records is the daemon's own. */
  series: { name: string; unit: string; source?: 'embedded' | 'prometheus'; points: MetricsPoint[] }[];
  /** Set when Prometheus was asked and did not answer: why, and that the series are the daemon's own. */
  warning?: string;
}
