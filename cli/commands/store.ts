// `flotilla store export|import`: carry one cluster's signed jobs and results across an air gap on
// removable media. Refused objects are listed on stderr and the rest is copied; any refusal exits 64.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { loadAgentConfig } from '../../config/agent.js';
import { loadDaemonConfig } from '../../config/daemon.js';
import { FlotillaError } from '../../core/errors.js';
import { readPrivateKeyFile } from '../../core/key-files.js';
import { keyIdOf, publicKeyFromBase64 } from '../../core/keys.js';
import type { StoreConfig } from '../../core/store/config.js';
import { openStore } from '../../core/store/open.js';
import { exportTransfer, importTransfer, type TransferReport, type TransferTrust, type TrustedKey } from '../../core/store/transfer.js';
import type { ObjectStore } from '../../core/store/types.js';
import type { Io } from '../io.js';
import { renderJson } from '../table.js';
import { defaultDaemonConfig } from './daemon.js';

interface StoreFlags {
  config?: string;
  storePath?: string;
  trust?: string;
  json?: boolean;
}

interface Resolved {
  store: ObjectStore;
  trust: TransferTrust;
}

function isAgentBundle(file: string): boolean {
  try {
    const doc: unknown = parse(readFileSync(file, 'utf8'));
    return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === 'AgentBundle';
  } catch {
    return false; // the loaders below report unreadable or invalid files properly
  }
}

function bundleKey(file: string, io: Io): TrustedKey {
  const bundle = loadAgentConfig(file, {}, io.env);
  const publicKey = publicKeyFromBase64(bundle.controlPlane.publicKey);
  if (keyIdOf(publicKey) !== bundle.controlPlane.keyid) {
    throw new FlotillaError('config', `${file}: controlPlane.keyid does not match controlPlane.publicKey`, 'Use the bundle exactly as `flotilla cluster add` wrote it.');
  }
  return { keyid: bundle.controlPlane.keyid, publicKey };
}

/** The store to read or write and the keys to trust, from --store-path, --config and --trust. */
function resolveSide(flags: StoreFlags, io: Io): Resolved {
  if (flags.storePath && flags.config) throw new FlotillaError('usage', '--store-path and --config both name a store', 'Pass only one of them.');
  let storeConfig: StoreConfig;
  const trust: TransferTrust = {};
  if (flags.storePath) {
    storeConfig = { type: 'dir', path: resolve(io.cwd, flags.storePath), pollIntervalMs: 1000 };
  } else {
    const file = flags.config ? resolve(io.cwd, flags.config) : defaultDaemonConfig(io);
    if (isAgentBundle(file)) {
      storeConfig = loadAgentConfig(file, {}, io.env).store;
      trust.controlPlane = bundleKey(file, io);
    } else {
      const config = loadDaemonConfig(file, {}, io.env);
      storeConfig = config.store;
      const key = readPrivateKeyFile(config.keys.signingKey);
      trust.controlPlane = { keyid: key.keyid, publicKey: key.publicKey };
      trust.daemonSide = true;
    }
  }
  if (flags.trust) trust.controlPlane = bundleKey(resolve(io.cwd, flags.trust), io);
  return { store: openStore(storeConfig), trust };
}

function close(store: ObjectStore): void {
  (store as { close?: () => void }).close?.();
}

function finish(report: TransferReport, verb: 'exported' | 'imported', flags: StoreFlags, io: Io): void {
  for (const r of report.refused) io.err(`refused ${r.key}: ${r.reason}: ${r.message}\n`);
  if (flags.json) io.out(renderJson(report));
  else io.out(`${verb} ${report.copied.length}, unchanged ${report.unchanged.length}, refused ${report.refused.length} (${report.direction} of cluster ${report.cluster})\n`);
  if (report.refused.length > 0) {
    throw new FlotillaError('rejected', `${report.refused.length} object(s) failed verification and were not ${verb}; the rest was`, 'Do not trust the refused objects: export them again from the source store and check who else can write to it or to the media.');
  }
}

export function registerStore(program: Command, io: Io): void {
  const store = program.command('store').description('carry signed jobs and results across an air gap');
  store
    .command('export')
    .description("copy a cluster's jobs (default) or results into an empty directory, verified, with a sha256 manifest")
    .argument('<dir>', 'an empty or new directory, e.g. on removable media')
    .requiredOption('--cluster <name>', 'the cluster whose objects to export')
    .option('--results', 'export results, status and registration (at the edge) instead of jobs')
    .option('--config <file>', 'daemon config or agent bundle naming the store (default $FLOTILLA_CONFIG or the daemon config)')
    .option('--store-path <dir>', 'a directory store, instead of --config')
    .option('--trust <bundle>', "agent bundle whose control-plane key verifies jobs (default: the --config's key)")
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: StoreFlags & { cluster: string; results?: boolean }) => {
      const side = resolveSide(opts, io);
      try {
        const report = await exportTransfer(side.store, resolve(io.cwd, dir), { cluster: opts.cluster, direction: opts.results ? 'results' : 'jobs', trust: side.trust });
        finish(report, 'exported', opts, io);
      } finally {
        close(side.store);
      }
    });
  store
    .command('import')
    .description('copy an exported directory into a store, verifying every object again')
    .argument('<dir>', 'a directory written by `flotilla store export`')
    .option('--config <file>', 'daemon config or agent bundle naming the target store (default $FLOTILLA_CONFIG or the daemon config)')
    .option('--store-path <dir>', 'a directory store, instead of --config')
    .option('--trust <bundle>', 'agent bundle whose control-plane key verifies jobs (needed with --store-path)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: StoreFlags) => {
      const side = resolveSide(opts, io);
      try {
        const report = await importTransfer(side.store, resolve(io.cwd, dir), { trust: side.trust });
        finish(report, 'imported', opts, io);
      } finally {
        close(side.store);
      }
    });
}
