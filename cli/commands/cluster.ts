// `flotilla cluster add|list|rm`.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ClientFlags } from '../client-config.js';
import { assertClusterName } from '../../core/store/types.js';
import { assertBundleWritable, bundleYaml, writeBundle } from '../bundle-file.js';
import { clusterTable } from '../format.js';
import { clientFor, type Io } from '../io.js';
import { parseLabels } from '../labels.js';
import { collect, duration, positiveSeconds } from '../options.js';
import { renderJson } from '../table.js';

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
    .command('rm')
    .description('remove a cluster from the registry')
    .argument('<name>', 'cluster name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).removeCluster(name);
      io.err(`cluster ${res.removed} removed\n`);
    });
}
