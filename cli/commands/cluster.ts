// `flotilla cluster add|list|rm|logging|monitoring`.
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ClientFlags } from '../client-config.js';
import { FlotillaError } from '../../core/errors.js';
import { assertClusterName } from '../../core/store/types.js';
import { assertBundleWritable, bundleYaml, writeBundle } from '../bundle-file.js';
import { clusterTable } from '../format.js';
import { clientFor, type Io } from '../io.js';
import { parseLabelChanges, parseLabels } from '../labels.js';
import { monitoringText } from '../monitoring-format.js';
import { collect, duration, positiveSeconds } from '../options.js';
import { renderJson } from '../table.js';

function transportOption(value: string): 'daemon' | 'rabbitmq' {
  if (value !== 'daemon' && value !== 'rabbitmq') throw new InvalidArgumentError('use rabbitmq or daemon');
  return value;
}

function modeOption(value: string): 'federate' | 'remote-write' {
  if (value !== 'federate' && value !== 'remote-write') throw new InvalidArgumentError('use federate or remote-write');
  return value;
}

function backendOption(value: string): 'sim' | 'kube' {
  if (value !== 'sim' && value !== 'kube') throw new InvalidArgumentError('use sim or kube');
  return value;
}

interface MonitoringOptions {
  mode: 'federate' | 'remote-write';
  edgeTarget?: string;
  remoteWriteUrl?: string;
  backend?: 'sim' | 'kube';
  agentTarget?: string;
  scrapeInterval?: string;
  retention?: string;
  show?: boolean;
  json?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('a positive whole number of bytes');
  return n;
}

interface AddOptions {
  label?: string[];
  ttl?: string;
  interval?: number;
  out?: string;
  json?: boolean;
}

export function registerCluster(program: Command, io: Io): void {
  const cluster = program.command('cluster').description('register, list and remove clusters');

  cluster
    .command('add')
    .description('register a cluster and write its agent bootstrap bundle')
    .argument('<name>', 'cluster name: lower-case letters, digits and "-"')
    .option('--label <key=value>', 'a label; repeat for more', collect)
    .option('--ttl <duration>', 'remove the cluster this long after adding it, e.g. 24h', duration)
    .option('--interval <seconds>', 'status report interval written into the bundle', positiveSeconds)
    .option('--out <bundle.yaml>', 'where to write the bundle (default ./NAME.yaml, never overwritten; "-" for stdout); it holds a one-time token')
    .option('--json', 'print the new cluster row and bundle path as JSON')
    .action(async (name: string, opts: AddOptions, cmd: Command) => {
      const labels = parseLabels(opts.label ?? []);
      // The name becomes the default file name, so it is checked before it is used as a path.
      if (opts.out === undefined) assertClusterName(name);
      const toStdout = opts.out === '-';
      const out = toStdout ? '-' : resolve(io.cwd, opts.out ?? `${name}.yaml`);
      if (!toStdout) assertBundleWritable(out);
      const client = clientFor(cmd.optsWithGlobals<ClientFlags>(), io);
      const res = await client.addCluster({
        name,
        labels,
        ...(opts.ttl ? { ttl: opts.ttl } : {}),
        ...(opts.interval ? { intervalSeconds: opts.interval } : {}),
      });
      const text = bundleYaml(res.bundle, new Date(), res.cluster.expiresAt);
      if (toStdout) {
        io.out(text);
      } else {
        writeBundle(out, text);
        if (opts.json) io.out(renderJson({ cluster: res.cluster, bundle: out }));
      }
      io.err(`cluster ${res.cluster.name} added${toStdout ? '' : `; bundle written to ${out} (mode 0600, holds a one-time token)`}\nnext: on the cluster's agent host run \`flotilla agent --config ${toStdout ? 'BUNDLE.yaml' : out}\`\n`);
    });

  cluster
    .command('list')
    .alias('ls')
    .description('list clusters with health and data age')
    .option('--json', 'print the ClusterRow array as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const rows = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listClusters();
      io.out(opts.json ? renderJson(rows) : clusterTable(rows));
    });

  cluster
    .command('logging')
    .description("switch a cluster's log transport: writes its signed logging config and submits a configure-logging job (operator)")
    .argument('<name>', 'cluster name')
    .requiredOption('--transport <transport>', 'rabbitmq (the edge broker, a shovel to the central one) or daemon (POST to the daemon)', transportOption)
    .option('--outbox-max-bytes <bytes>', "cap of the edge outbox (rabbitmq); past it the agent holds and the tailed file is the buffer", positiveInt)
    .option('--json', 'print the version and the job as JSON')
    .action(async (name: string, opts: { transport: 'daemon' | 'rabbitmq'; outboxMaxBytes?: number; json?: boolean }, cmd: Command) => {
      assertClusterName(name);
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).switchLogging(name, { transport: opts.transport, ...(opts.outboxMaxBytes ? { outboxMaxBytes: opts.outboxMaxBytes } : {}) });
      if (opts.json) io.out(renderJson(res));
      io.err(`cluster ${res.cluster}: logging config version ${res.version} (transport ${res.transport}) written; job ${res.job.id} (seq ${res.job.seq}) submitted\nnext: \`flotilla job show ${res.job.id}\` shows when the agent has applied it\n`);
    });

  cluster
    .command('monitoring')
    .description("set a cluster's monitoring: the daemon keeps the settings, signs its edge Prometheus config and submits a configure-monitoring job (operator); the central file_sd follows")
    .argument('<name>', 'cluster name')
    .option('--mode <mode>', 'federate (the central Prometheus scrapes the edge) or remote-write (the edge, in agent mode, writes to the center)', modeOption, 'federate')
    .option('--edge-target <host:port>', 'federate: the edge Prometheus as the central one reaches it (host:port or http(s)://host:port[/prefix])')
    .option('--remote-write-url <url>', "remote-write: the central Prometheus's receiver, e.g. https://prom.example:9090/api/v1/write")
    .option('--backend <sim|kube>', "the agent's backend: what the edge scrapes (default kube)", backendOption)
    .option('--agent-target <host:port>', "the agent's metrics port as the edge Prometheus reaches it (needed on sim, e.g. 127.0.0.1:9464)")
    .option('--scrape-interval <duration>', 'scrape and rule evaluation interval (default 30s, at most 2m)')
    .option('--retention <duration>', "the edge's retention (federate) or how long its WAL holds unsent samples (remote-write); default 2h")
    .option('--show', 'show the settings kept, the version signed from them and the newest configure-monitoring job, changing nothing (viewer)')
    .option('--json', 'print the version, the settings and the job as JSON')
    .action(async (name: string, opts: MonitoringOptions, cmd: Command) => {
      assertClusterName(name);
      if (opts.show) {
        const setting = ['mode', 'edgeTarget', 'remoteWriteUrl', 'backend', 'agentTarget', 'scrapeInterval', 'retention'].find((k) => cmd.getOptionValueSource(k) === 'cli');
        if (setting) throw new FlotillaError('usage', `--show changes nothing, so it takes no --${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `Run \`flotilla cluster monitoring ${name} --show\` alone, or the settings without --show to set them.`);
        const view = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).monitoring(name);
        io.out(opts.json ? renderJson(view) : monitoringText(view));
        return;
      }
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).configureMonitoring(name, {
        mode: opts.mode,
        ...(opts.edgeTarget !== undefined ? { federateTarget: opts.edgeTarget } : {}),
        ...(opts.remoteWriteUrl !== undefined ? { remoteWriteUrl: opts.remoteWriteUrl } : {}),
        ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
        ...(opts.agentTarget !== undefined ? { agentTarget: opts.agentTarget } : {}),
        ...(opts.scrapeInterval !== undefined ? { scrapeInterval: opts.scrapeInterval } : {}),
        ...(opts.retention !== undefined ? { retention: opts.retention } : {}),
      });
      if (opts.json) io.out(renderJson(res));
      io.err(
        `cluster ${res.cluster}: monitoring config version ${res.version} (${res.settings.mode}, ${res.settings.backend}) written; job ${res.job.id} (seq ${res.job.seq}) submitted\nnext: \`flotilla job show ${res.job.id}\` shows when the agent has written the files and the edge Prometheus reloaded them\n`,
      );
    });

  cluster
    .command('label')
    .description("set (key=value) and remove (key-) a cluster's labels, as kubectl label does (operator, on the labels it has and those it gets)")
    .argument('<name>', 'cluster name')
    .argument('<changes...>', 'key=value to set, key- to remove')
    .option('--json', 'print the cluster and its labels as JSON')
    .action(async (name: string, changes: string[], opts: { json?: boolean }, cmd: Command) => {
      assertClusterName(name);
      const change = parseLabelChanges(changes);
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).relabelCluster(name, change);
      if (opts.json) io.out(renderJson(res));
      else io.err(`cluster ${res.cluster} labelled: ${Object.entries(res.labels).map(([k, v]) => `${k}=${v}`).join(',') || '(no labels)'}\n`);
    });

  cluster
    .command('rm')
    .description('remove a cluster from the registry')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).removeCluster(name);
      io.err(`cluster ${res.removed} removed\n`);
    });
}
