// `flotilla metrics query CLUSTER SERIES [--since 1h] [--step 1m] [--json]`: a cluster's series over
// a range (GET /api/v1/metrics/range; docs/METRICS.md). SERIES is one name or a comma-separated list.
// `flotilla metrics config (--edge CLUSTER | --central) [--out DIR]` and `flotilla metrics dashboards
// [--out DIR]`: the generated Prometheus configs and Grafana dashboards, for review (docs/METRICS.md,
// "Edge and central Prometheus"); without --out on stdout, with --out written into DIR.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { clusterDashboard, dashboards, fleetDashboard } from '../../core/metrics/dashboards.js';
import { centralPrometheusConfig, edgePrometheusConfig, fileSd, PROMETHEUS_FILES } from '../../core/metrics/prometheus-config.js';
import { assertClusterName } from '../../core/store/types.js';
import { VERSION } from '../../core/version.js';
import type { ClientFlags } from '../client-config.js';
import { clientFor, type Io } from '../io.js';
import { metricsText } from '../metrics-format.js';
import { canonicalCommand, centralInput, centralTargets, configTarget, DEFAULT_EDGE_PATTERN, edgeInput, type MetricsConfigFlags } from '../metrics-config.js';
import { centralFiles, dashboardOutFiles, edgeFiles, filesToStdout, type OutFile } from '../metrics-files.js';
import { collect } from '../options.js';
import { renderJson } from '../table.js';
import { writeFilesInto } from '../write-files.js';

/** Prints the files (stdout, separated) or writes them into --out and lists what was written. */
async function emit(io: Io, files: OutFile[], f: { out?: string; force?: boolean; json?: boolean }, next: string): Promise<void> {
  if (f.out === undefined) {
    io.out(f.json ? renderJson(files) : filesToStdout(files));
    return;
  }
  const written = await writeFilesInto(resolve(io.cwd, f.out), files, { force: f.force === true });
  if (f.json) io.out(renderJson(written));
  else io.out(written.map((w) => `${w.state.padEnd(9)} ${w.path}\n`).join(''));
  io.err(`next: ${next}\n`);
}

export function registerMetrics(program: Command, io: Io): void {
  const metrics = program.command('metrics').description("clusters' series over time (the daemon's embedded series from status reports), and the Prometheus configs and Grafana dashboards that keep them centrally");
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

  metrics
    .command('config')
    .description('the Prometheus config Flotilla would apply: a cluster\'s edge (--edge) or the central one (--central); on stdout, or written into --out')
    .option('--edge <cluster>', "the cluster's edge Prometheus: prometheus.yml, rules.yml, prometheus.flags")
    .option('--central', 'the central Prometheus: prometheus.yml, clusters.json (file_sd), prometheus.flags; the cluster list from the daemon unless --cluster')
    .option('--out <dir>', 'write the files into DIR (created if missing); a file with other content is written over only with --force')
    .option('--force', 'with --out, write over files whose content differs')
    .option('--json', 'print the files (without --out) or what was written (with --out) as JSON')
    .option('--backend <sim|kube>', '--edge: the agent\'s backend (default kube)')
    .option('--mode <federate|remote-write>', '--edge: federated by the center (default), or agent mode writing to it')
    .option('--agent-target <host:port>', "--edge: the agent's metrics port as the edge Prometheus reaches it (needed on sim, e.g. 127.0.0.1:9464)")
    .option('--remote-write-url <url>', "--edge --mode remote-write: the central receiver, e.g. https://prom.example:9090/api/v1/write")
    .option('--ksm-service <name>', '--edge --backend kube: the kube-state-metrics Service name (default kube-state-metrics)')
    .option('--ksm-namespace <ns>', '--edge --backend kube: look for kube-state-metrics in this namespace only')
    .option('--prometheus-version <2|3>', '--edge: the Prometheus major version, for the agent-mode flag (default 2)')
    .option('--scrape-interval <duration>', 'scrape and rule evaluation interval (default 30s, at most 2m)')
    .option('--retention <duration>', 'how long samples are kept (default 2h on an edge, 15d centrally)')
    .option('--listen <host:port>', 'the web listen address (default 0.0.0.0:9090; 127.0.0.1:9090 for a remote-write edge)')
    .option('--config-path <path>', 'prometheus.yml as the running Prometheus sees it, for its flags (default prometheus.yml)')
    .option('--storage-path <path>', 'the data directory, for its flags (default data)')
    .option('--edge-pattern <pattern>', `--central: each edge Prometheus's address, {cluster} for its name (default ${DEFAULT_EDGE_PATTERN})`)
    .option('--edge-target <name=address>', '--central: one cluster\'s edge address (host:port or http(s)://host:port[/prefix]); repeat for more', collect)
    .option('--remote-write-cluster <name>', '--central: a cluster in remote-write mode: not federated; turns the receiver on; repeat for more', collect)
    .option('--receiver', '--central: accept remote writes and evaluate the recording rules over them')
    .option('--cluster <name>', '--central: a cluster to list, instead of asking the daemon; repeat for more', collect)
    .action(async (opts: MetricsConfigFlags, cmd: Command) => {
      const target = configTarget(opts);
      if (target.kind === 'edge') {
        const input = edgeInput(target.cluster, opts);
        const files = edgeFiles(edgePrometheusConfig(input), { cluster: target.cluster, backend: input.backend, mode: input.mode ?? 'federate', command: canonicalCommand('config', opts), version: VERSION });
        await emit(io, files, opts, `check with \`promtool check config ${join(resolve(io.cwd, opts.out ?? '.'), PROMETHEUS_FILES.config)}\`, then run the edge Prometheus in that directory: prometheus $(cat ${PROMETHEUS_FILES.flags})`);
        return;
      }
      const given = opts.cluster;
      for (const c of given ?? []) assertClusterName(c);
      const names = given ? [...new Set(given)] : (await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listClusters()).map((r) => r.name);
      names.sort();
      const sd = fileSd(centralTargets(names, opts));
      if (names.length === 0) io.err('warning: no clusters: the file_sd file lists no edge (add clusters with `flotilla cluster add`)\n');
      const files = centralFiles(centralPrometheusConfig(centralInput(opts)), sd, { command: canonicalCommand('config', opts, names), version: VERSION });
      await emit(io, files, opts, `check with \`promtool check config ${join(resolve(io.cwd, opts.out ?? '.'), PROMETHEUS_FILES.config)}\`, then run the central Prometheus in that directory: prometheus $(cat ${PROMETHEUS_FILES.flags})`);
    });

  metrics
    .command('dashboards')
    .description(`Grafana dashboards for the central Prometheus (${fleetDashboard().title}, ${clusterDashboard().title}), with a cluster variable; on stdout, or written into --out`)
    .option('--out <dir>', 'write the dashboard JSON files into DIR (created if missing)')
    .option('--force', 'with --out, write over files whose content differs')
    .option('--json', 'with --out, print what was written as JSON; without, the files as JSON')
    .action(async (opts: { out?: string; force?: boolean; json?: boolean }) => {
      await emit(io, dashboardOutFiles(dashboards()), opts, 'import them in Grafana (Dashboards > New > Import) and pick the Prometheus data source that federates the edges');
    });
}
