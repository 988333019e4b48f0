// The series the daemon keeps of every cluster from its status reports (docs/METRICS.md, "Embedded
// series"): the catalogue, in the order they are stored, and how each is read off a report. A value
// that is not a finite number in its range is no point at all, so one absurd report cannot poison a
// series or its averages. Pure.
import type { StatusReport } from '../status.js';

export interface SeriesDef {
  name: string;
  unit: 'ratio' | 'count' | 'per_second' | 'per_minute';
  help: string;
  /** Values past this are refused as absurd (a report's counts are capped far below it). */
  max: number;
  of(r: StatusReport, extra: SeriesExtra): number | undefined;
}

/** What the daemon knows beside the report. */
export interface SeriesExtra {
  /** The cluster's jobs that failed in the last hour. */
  failedJobs: number;
}

const COUNT_MAX = 1e9;

/** Appending is safe (older rows read the new series as missing); reordering or removing is not. */
export const SERIES: readonly SeriesDef[] = [
  { name: 'cpu_used_ratio', unit: 'ratio', help: 'CPU used against the nodes\' capacity', max: 100, of: (r) => r.metrics.cpuUsageRatio },
  { name: 'memory_used_ratio', unit: 'ratio', help: 'memory used against the nodes\' capacity', max: 100, of: (r) => r.metrics.memoryUsageRatio },
  { name: 'pod_density_ratio', unit: 'ratio', help: 'pods against the nodes\' pod capacity', max: 100, of: (r) => r.metrics.podDensityRatio },
  { name: 'pods_running', unit: 'count', help: 'pods running', max: COUNT_MAX, of: (r) => r.pods.running },
  { name: 'pods_pending', unit: 'count', help: 'pods pending', max: COUNT_MAX, of: (r) => r.pods.pending },
  { name: 'pods_failed', unit: 'count', help: 'pods failed', max: COUNT_MAX, of: (r) => r.pods.failed },
  { name: 'restarts', unit: 'count', help: 'container restarts of the pods that exist now', max: COUNT_MAX, of: (r) => r.restarts },
  { name: 'warning_events', unit: 'count', help: 'recent warning events in the report', max: COUNT_MAX, of: (r) => r.events.length },
  { name: 'nodes_ready', unit: 'count', help: 'nodes ready', max: COUNT_MAX, of: (r) => r.nodes.filter((n) => n.ready).length },
  { name: 'nodes_total', unit: 'count', help: 'nodes', max: COUNT_MAX, of: (r) => r.nodes.length },
  { name: 'log_lines_per_second', unit: 'per_second', help: 'log lines shipped per second', max: 1e9, of: (r) => r.pipeline.linesShippedPerSecond },
  { name: 'error_lines_per_minute', unit: 'per_minute', help: 'error and fatal log lines shipped in the last minute', max: 1e12, of: (r) => r.pipeline.errorLinesPerMinute },
  { name: 'failed_jobs', unit: 'count', help: 'jobs of the cluster that failed in the last hour', max: COUNT_MAX, of: (_r, x) => x.failedJobs },
];

export const SERIES_NAMES: readonly string[] = SERIES.map((s) => s.name);
const INDEX = new Map(SERIES.map((s, i) => [s.name, i]));

export function seriesIndex(name: string): number | undefined {
  return INDEX.get(name);
}

/** One report's values in catalogue order; NaN where the report has none or an absurd one. */
export function seriesValues(r: StatusReport, extra: SeriesExtra): Float64Array {
  const out = new Float64Array(SERIES.length);
  SERIES.forEach((s, i) => {
    const v = s.of(r, extra);
    out[i] = typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= s.max ? v : Number.NaN;
  });
  return out;
}
