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
  /** Set when Prometheus answered but is not getting this cluster's series (docs/METRICS.md, "When an edge stops"). */
  edge?: EdgeState;
}

/** The central Prometheus's view of a cluster's edge, from its `up` series there. */
export interface EdgeState {
  /**
   * Scrape jobs whose `up` is 0 at the center: flotilla-federate when the center cannot reach the
   * edge Prometheus; the edge's own jobs (kube-state-metrics, kubelet, …) when the edge cannot reach them.
   */
  down: string[];
  /** The newest `up` sample of the cluster at the center, ISO; null when there is none (never federated, or silent past Prometheus's 5 minute lookback). */
  newestSample: string | null;
  /** True when that newest sample is older than metrics.prometheus.staleSeconds: the edge stopped sending (remote-write) or the center stopped scraping. */
  stale: boolean;
  /** The newest point of the answer's Prometheus series, ISO; null when the range has none. */
  newestData: string | null;
}
