// The embedded series at fleet scale (issue 9): (a) the daemon's added CPU while 10,000 clusters
// report every 10 s, i.e. 1,000 reports a second through MetricsService.recordReports with the
// registry's failed-jobs count and the 5 s flush, over a wall-clock window; (b) the store's size
// after a simulated week: clusters reporting every 10 s on a simulated clock through the store with
// its flushes and prunes, measured for a sample of clusters and scaled per cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/log.js';
import { SERIES, seriesValues } from '../../core/metrics/series.js';
import { parseRangeQuery } from '../../daemon/metrics/range-query.js';
import { MetricsService } from '../../daemon/metrics/service.js';
import { SeriesStore } from '../../daemon/metrics/series-store.js';
import { Registry } from '../../daemon/registry/registry.js';
import { makeStatusReport } from '../harness/fake-agent.js';

export interface MetricsEmbeddedResult {
  clusters: number;
  reportsPerSecond: number;
  measureSeconds: number;
  /** CPU of recordReports and the flushes, in cores, over the window. */
  cores: number;
  /** Week simulation: clusters simulated, bytes of metrics.db at the end, per cluster, and projected to `clusters`. */
  weekSample: number;
  weekBytes: number;
  weekBytesPerCluster: number;
  weekProjectedBytes: number;
  /** A 24 h sparkline (one series, default step) of each of 50 clusters through MetricsService.range: ms, over `sparklineRuns` rounds. */
  sparklineP50Ms: number;
  sparklineP99Ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuAt(clusters: number, intervalSeconds: number, measureSeconds: number): Promise<{ cores: number; reportsPerSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-metrics-'));
  const registry = Registry.open(join(dir, 'registry.db'));
  const metrics = new MetricsService({ dataDir: dir, failedJobs: (c, since) => registry.jobs.failedSince(c, since), log: silentLogger() });
  metrics.start();
  try {
    const reports = Array.from({ length: clusters }, (_, i) => ({ cluster: `c-${i}`, report: makeStatusReport(`c-${i}`, 1, { nodes: 3 + (i % 20), crashLoops: i % 3 }) }));
    // Reports arrive as the store sync applies them: a batch every 100 ms.
    const perTick = Math.round(clusters / intervalSeconds / 10);
    let next = 0;
    const tick = () => {
      const batch = [];
      for (let k = 0; k < perTick; k++) batch.push(reports[next++ % clusters]!);
      metrics.recordReports(batch);
    };
    for (let w = 0; w < 50; w++) {
      tick();
      await sleep(100);
    }
    const cpu = process.cpuUsage();
    const t = performance.now();
    let sent = 0;
    while (performance.now() - t < measureSeconds * 1000) {
      tick();
      sent += perTick;
      await sleep(100);
    }
    const wall = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    return { cores: (used.user + used.system) / 1e6 / wall, reportsPerSecond: sent / wall };
  } finally {
    metrics.stop();
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function weekSize(sample: number, intervalSeconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-metrics-week-'));
  const store = new SeriesStore(join(dir, 'metrics.db'), SERIES.length);
  try {
    const values = Array.from({ length: sample }, (_, i) => seriesValues(makeStatusReport(`c-${i}`, 1, { nodes: 3 + (i % 20) }), { failedJobs: 0 }));
    const t0 = Date.parse('2026-11-26T00:00:00Z');
    const week = 7 * 86_400_000;
    for (let t = t0; t < t0 + week; t += intervalSeconds * 1000) {
      for (let i = 0; i < sample; i++) store.record(`c-${i}`, t, values[i]!);
      if ((t - t0) % 5000 < intervalSeconds * 1000) store.flush();
      if ((t - t0) % 600_000 === 0) store.prune(t);
    }
    store.flush();
    store.prune(t0 + week);
    return store.sizeBytes();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 50 clusters with 24 h of reports every 10 s on a simulated clock, then every cluster's 24 h CPU sparkline, `runs` times. */
function sparklines(runs: number): { p50: number; p99: number } {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-metrics-spark-'));
  const clusters = 50;
  const now = Date.parse('2026-12-03T12:00:00Z');
  let clock = now - 86_400_000;
  const metrics = new MetricsService({ dataDir: dir, failedJobs: () => 0, log: silentLogger(), clock: () => clock });
  try {
    const reports = Array.from({ length: clusters }, (_, i) => ({ cluster: `c-${i}`, report: makeStatusReport(`c-${i}`, 1, { nodes: 3 + i }) }));
    for (; clock < now; clock += 10_000) metrics.recordReports(reports);
    // The first read writes what the simulated day buffered; in the daemon a flush runs every 5 s.
    metrics.range(parseRangeQuery(new URLSearchParams({ cluster: 'c-0', since: '1m' }), now));
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < clusters; i++) {
        const t = performance.now();
        metrics.range(parseRangeQuery(new URLSearchParams({ cluster: `c-${i}`, series: 'cpu_used_ratio', since: '24h' }), now));
        times.push(performance.now() - t);
      }
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] as number) * 100) / 100;
    return { p50: at(0.5), p99: at(0.99) };
  } finally {
    metrics.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchMetricsEmbedded(opts: { clusters: number; intervalSeconds: number; measureSeconds: number; weekSample: number; log: (s: string) => void }): Promise<MetricsEmbeddedResult> {
  opts.log(`metrics-embedded: ${opts.clusters} clusters every ${opts.intervalSeconds} s for ${opts.measureSeconds} s`);
  const { cores, reportsPerSecond } = await cpuAt(opts.clusters, opts.intervalSeconds, opts.measureSeconds);
  opts.log(`metrics-embedded: a simulated week of ${opts.weekSample} clusters`);
  const weekBytes = weekSize(opts.weekSample, opts.intervalSeconds);
  const perCluster = weekBytes / opts.weekSample;
  opts.log('metrics-embedded: 24 h sparklines of 50 clusters');
  const spark = sparklines(5);
  return { clusters: opts.clusters, reportsPerSecond: Math.round(reportsPerSecond), measureSeconds: opts.measureSeconds, cores: Math.round(cores * 1000) / 1000, weekSample: opts.weekSample, weekBytes, weekBytesPerCluster: Math.round(perCluster), weekProjectedBytes: Math.round(perCluster * opts.clusters), sparklineP50Ms: spark.p50, sparklineP99Ms: spark.p99 };
}
