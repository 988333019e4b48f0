// Reading a report into the embedded series: every series from its field, and absurd values as no point.
import { describe, expect, it } from 'vitest';
import { SERIES_NAMES, seriesValues } from '../../../../core/metrics/series.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';

describe('seriesValues', () => {
  it('reads each series off the report, in catalogue order', () => {
    const r = { ...makeStatusReport('a', 1, { nodes: 4, notReady: 1, crashLoops: 2 }), pipeline: { queueDepth: 0, oldestUnshippedSeconds: 0, dropped: 0, linesShippedPerSecond: 812.5, errorLinesPerMinute: 7 } };
    const v = seriesValues(r, { failedJobs: 3 });
    const byName = Object.fromEntries(SERIES_NAMES.map((n, i) => [n, v[i]]));
    expect(byName).toEqual({
      cpu_used_ratio: 0.3,
      memory_used_ratio: 0.4,
      pod_density_ratio: 0.2,
      pods_running: 8,
      pods_pending: 0,
      pods_failed: 2,
      restarts: 10,
      warning_events: 0,
      nodes_ready: 3,
      nodes_total: 4,
      log_lines_per_second: 812.5,
      error_lines_per_minute: 7,
      failed_jobs: 3,
    });
  });

  it('keeps no point for a value that is missing, negative, not finite or past its range', () => {
    const base = makeStatusReport('a', 1);
    const r = { ...base, restarts: 1e300, metrics: { cpuUsageRatio: Number.NaN, memoryUsageRatio: -1, podDensityRatio: Number.POSITIVE_INFINITY } };
    const v = seriesValues(r, { failedJobs: 0 });
    const byName = Object.fromEntries(SERIES_NAMES.map((n, i) => [n, v[i]]));
    for (const n of ['cpu_used_ratio', 'memory_used_ratio', 'pod_density_ratio', 'restarts', 'log_lines_per_second', 'error_lines_per_minute']) expect(byName[n], n).toBeNaN();
    expect(byName.nodes_total).toBe(3);
  });
});
