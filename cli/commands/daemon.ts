// `flotilla daemon`: the control plane in the foreground until SIGTERM/SIGINT (systemd-friendly).
// Flags override the config file and FLOTILLA_* (DESIGN §3.2); each flag sets the same key as its
// environment variable, so the two are documented together.
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadDaemonConfig } from '../../config/daemon.js';
import type { Overrides } from '../../config/load.js';
import { LOG_LEVELS } from '../../config/schemas.js';
import { createLogger } from '../../core/log.js';
import { pathsOf, type Io } from '../io.js';
import { intIn, listenAddress } from '../options.js';
import { untilSignal } from '../signals.js';

export function defaultDaemonConfig(io: Io): string {
  return io.env.FLOTILLA_CONFIG || join(pathsOf(io).dataDir, 'daemon.yaml');
}

export interface DaemonFlags {
  config?: string;
  listen?: { host?: string; port: number };
  publicUrl?: string;
  data?: string;
  store?: string;
  storePollMs?: number;
  logLevel?: string;
  logFile?: string;
}

/** Adds the daemon.yaml override flags to a command (`flotilla daemon`, `flotilla restore`). */
export function daemonConfigOptions(cmd: Command, which: readonly (keyof DaemonFlags)[]): Command {
  const all: Record<keyof DaemonFlags, Option> = {
    config: new Option('--config <file>', 'daemon config (default $FLOTILLA_CONFIG or $XDG_DATA_HOME/flotilla/daemon.yaml)'),
    listen: new Option('--listen <[host:]port>', 'listen.host and listen.port, e.g. 0.0.0.0:7420 (0 picks a free port)').argParser(listenAddress),
    publicUrl: new Option('--public-url <url>', 'publicUrl: the URL agents and clients use'),
    data: new Option('--data <dir>', 'dataDir: the registry and daemon log directory'),
    store: new Option('--store <dir>', 'store.path of a directory store (as FLOTILLA_STORE_PATH)'),
    storePollMs: new Option('--store-poll-ms <ms>', 'store.pollIntervalMs').argParser(intIn(50, 600_000)),
    logLevel: new Option('--log-level <level>', 'log.level').choices(LOG_LEVELS),
    logFile: new Option('--log-file <file>', 'log.file ("-" for stderr)'),
  };
  for (const k of which) cmd.addOption(all[k]);
  return cmd;
}

/** The config file the flags name, and their overrides as key paths; paths resolve from where the user typed them. */
export function daemonConfigFrom(flags: DaemonFlags, io: Io): { file: string; overrides: Overrides } {
  const file = flags.config ? resolve(io.cwd, flags.config) : defaultDaemonConfig(io);
  const o: Overrides = {};
  if (flags.listen?.host !== undefined) o['listen.host'] = flags.listen.host;
  if (flags.listen) o['listen.port'] = flags.listen.port;
  if (flags.publicUrl !== undefined) o.publicUrl = flags.publicUrl;
  if (flags.data !== undefined) o.dataDir = resolve(io.cwd, flags.data);
  if (flags.store !== undefined) o['store.path'] = resolve(io.cwd, flags.store);
  if (flags.storePollMs !== undefined) o['store.pollIntervalMs'] = flags.storePollMs;
  if (flags.logLevel !== undefined) o['log.level'] = flags.logLevel;
  if (flags.logFile !== undefined) o['log.file'] = flags.logFile === '-' ? '-' : resolve(io.cwd, flags.logFile);
  return { file, overrides: o };
}

export function registerDaemon(program: Command, io: Io): void {
  const cmd = program.command('daemon').description('run the control plane in the foreground');
  daemonConfigOptions(cmd, ['config', 'listen', 'publicUrl', 'data', 'store', 'storePollMs', 'logLevel', 'logFile']).action(async (opts: DaemonFlags) => {
    const { file, overrides } = daemonConfigFrom(opts, io);
    const config = loadDaemonConfig(file, overrides, io.env);
    const logger = createLogger({ name: 'daemon', level: config.log.level, file: config.log.file ?? join(config.dataDir, 'daemon.log') });
    const { startDaemon } = await import('../../daemon/main.js');
    const daemon = await startDaemon(config, { logger });
    io.err(`flotilla daemon listening on ${daemon.url}\n`);
    const signal = await untilSignal();
    logger.info({ signal }, 'stopping on signal');
    await daemon.stop();
    io.err('flotilla daemon stopped\n');
  });
}
