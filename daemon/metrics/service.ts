// The embedded series (docs/METRICS.md, "Embedded series"): every stored status report becomes a
// point of each series at the daemon's receive time (one clock for every cluster, whatever the
// agents' clocks say), written every few seconds, pruned per tier, answered by range. Live points go
// to whoever listens (the `metrics` topic).
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { LivePoint, MetricsRange } from '../../core/metrics/api.js';
import { SERIES, seriesIndex, seriesValues } from '../../core/metrics/series.js';
import type { StatusReport } from '../../core/status.js';
import type { RangeQuery } from './range-query.js';
import { SeriesStore } from './series-store.js';
import type { PrometheusQuery } from './prometheus-client.js';
import { promPoints, promQueryFor } from './prometheus-queries.js';
import { edgeQueries, edgeState } from './edge-state.js';
import { bucketStart, foldSteps, tierFor } from './tiers.js';

export const METRICS_FILE = 'metrics.db';
const FLUSH_MS = 5000;
const PRUNE_MS = 10 * 60_000;
const FAILED_JOBS_WINDOW_MS = 3_600_000;
/** metrics.prometheus.staleSeconds's default: four scrapes at the generated 30 s interval. */
const DEFAULT_STALE_MS = 120_000;

export interface MetricsServiceDeps {
  dataDir: string;
  /** Jobs of the cluster that failed since an ISO time. */
  failedJobs(cluster: string, since: string): number;
  log: Logger;
  clock?: () => number;
  /** metrics.source prometheus: ranges come from its recording rules where one records the series. */
  prometheus?: PrometheusQuery;
  /** A cluster whose newest `up` sample at the center is older than this is said to be stale (metrics.prometheus.staleSeconds). */
  prometheusStaleMs?: number;
}

export class MetricsService {
  private readonly store: SeriesStore;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly listeners = new Set<(points: LivePoint[]) => void>();
  private readonly clock: () => number;

  constructor(private readonly deps: MetricsServiceDeps) {
    this.store = new SeriesStore(join(deps.dataDir, METRICS_FILE), SERIES.length);
    this.clock = deps.clock ?? Date.now;
  }

  start(): void {
    const every = (ms: number, what: string, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.deps.log.error({ err: e }, `${what} failed; will retry`);
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(FLUSH_MS, 'writing the metrics series', () => this.store.flush());
    every(PRUNE_MS, 'pruning the metrics series', () => this.store.prune(this.clock()));
  }

  /** Each stored report's values, as points of every series. */
  recordReports(reports: readonly { cluster: string; report: StatusReport }[]): void {
    const t = this.clock();
    const since = new Date(t - FAILED_JOBS_WINDOW_MS).toISOString();
    const live: LivePoint[] = [];
    for (const { cluster, report } of reports) {
      const values = seriesValues(report, { failedJobs: this.deps.failedJobs(cluster, since) });
      this.store.record(cluster, t, values);
      live.push({ cluster, t, values: Object.fromEntries(SERIES.map((s, i) => [s.name, Number.isNaN(values[i]) ? null : (values[i] as number)])) });
    }
    for (const l of this.listeners) l(live);
  }

  /** Live points as reports arrive; returns the unsubscribe. */
  onPoints(listener: (points: LivePoint[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forget(cluster: string): void {
    this.store.forget(cluster);
  }

  range(q: RangeQuery): MetricsRange {
    const tier = tierFor(q.startMs, this.clock(), q.stepMs);
    const indexes = q.series.map((s) => seriesIndex(s) as number);
    const stored = this.store.read(q.cluster, tier, q.startMs, q.endMs, indexes);
    return {
      cluster: q.cluster,
      start: new Date(q.startMs).toISOString(),
      end: new Date(q.endMs).toISOString(),
      stepSeconds: q.stepMs / 1000,
      source: 'embedded',
      resolution: tier.name,
      series: q.series.map((name, j) => ({
        name,
        unit: (SERIES[indexes[j] as number] as (typeof SERIES)[number]).unit,
        source: 'embedded' as const,
        points: foldSteps(stored[j] ?? [], q.startMs, q.endMs, q.stepMs).map((p) => [p.t, p.avg, p.max]),
      })),
    };
  }

  /**
   * A range as the panes get it: from Prometheus's recording rules when metrics.source is prometheus
   * (the embedded series for what no rule records), from the embedded series otherwise and whenever
   * Prometheus does not answer, saying so in `warning`; with `edge` when Prometheus answers but is not
   * getting the cluster's series.
   */
  async answer(q: RangeQuery): Promise<MetricsRange> {
    const embedded = this.range(q);
    const prom = this.deps.prometheus;
    if (!prom) return embedded;
    const first = bucketStart(q.startMs, q.stepMs);
    const nowMs = this.clock();
    const edgeQ = edgeQueries(q.cluster);
    try {
      const [series, up, sampledAt] = await Promise.all([
        Promise.all(
          embedded.series.map(async (s) => {
            const expr = promQueryFor(s.name, q.cluster);
            if (!expr) return s;
            const result = await prom.queryRange(expr, first / 1000, q.endMs / 1000, q.stepMs / 1000);
            return { ...s, source: 'prometheus' as const, points: promPoints(result[0]?.values ?? [], first, q.endMs, q.stepMs) };
          }),
        ),
        prom.query(edgeQ.up, nowMs / 1000),
        prom.query(edgeQ.sampledAt, nowMs / 1000),
      ]);
      const edge = edgeState({ up, sampledAt, nowMs, staleMs: this.deps.prometheusStaleMs ?? DEFAULT_STALE_MS, series: series.filter((s) => s.source === 'prometheus') });
      return { ...embedded, source: 'prometheus', resolution: `${q.stepMs / 1000}s`, series, ...(edge ? { edge } : {}) };
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'central Prometheus did not answer; the panes get the embedded series');
      return { ...embedded, warning: `${(e as Error).message}; showing the daemon's own series` };
    }
  }

  sizeBytes(): number {
    return this.store.sizeBytes();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.store.close();
  }
}
