// `flotilla metrics query CLUSTER SERIES [--since 1h] [--step 1m] [--json]`: a cluster's series over
// a range (GET /api/v1/metrics/range; docs/METRICS.md). SERIES is one name or a comma-separated list.
import type { Command } from 'commander';
import { assertClusterName } from '../../core/store/types.js';
import type { ClientFlags } from '../client-config.js';
import { clientFor, type Io } from '../io.js';
import { metricsText } from '../metrics-format.js';
import { renderJson } from '../table.js';

export function registerMetrics(program: Command, io: Io): void {
  const metrics = program.command('metrics').description("clusters' series over time: the daemon's embedded series from status reports");
  metrics
    .command('query')
    .description("a cluster's series over a range, with a sparkline and the points")
    .argument('<cluster>', 'cluster name')
    .argument('<series>', 'a series name, or several comma-separated (GET /api/v1/metrics/series lists them)')
    .option('--since <duration>', 'how far back from now, e.g. 15m, 6h, 7d (at most 90d)', '1h')
    .option('--step <duration>', 'the time between points (default: about 240 points over the range)')
    .option('--json', 'print the MetricsRange as JSON')
    .action(async (cluster: string, series: string, opts: { since: string; step?: string; json?: boolean }, cmd: Command) => {
      assertClusterName(cluster);
      const r = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).metricsRange({ cluster, series: series.split(','), since: opts.since, ...(opts.step ? { step: opts.step } : {}) });
      io.out(opts.json ? renderJson(r) : metricsText(r));
    });
}
