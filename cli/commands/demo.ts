// `flotilla demo`: a daemon, a simulated fleet with agents, and the TUI on top, in one process.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadDaemonConfig } from '../../config/daemon.js';
import { FlotillaError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { FlotillaClient } from '../client.js';
import { fleetPlan } from '../demo/fleet-plan.js';
import { startDemoFleet } from '../demo/fleet-runner.js';
import { startDemoBrokers, switchToRabbit } from '../demo/log-chain.js';
import type { Io } from '../io.js';
import { intIn } from '../options.js';
import { untilSignal } from '../signals.js';

interface DemoOptions {
  clusters: number;
  tui: boolean;
  data?: string;
  port?: number;
  logChain: 'daemon' | 'rabbitmq';
  rabbitmqServer?: string;
}

/** How long the demo waits for every agent's first report before switching it to the RabbitMQ chain. */
const SWITCH_TIMEOUT_MS = 120_000;

function readDemoToken(tokenFile: string, dataDir: string): string {
  try {
    const token = readFileSync(tokenFile, 'utf8').trim();
    if (token) return token;
  } catch {
    // reported below with the fix
  }
  throw new FlotillaError('config', `${dataDir} holds a daemon.yaml but no admin token in ${tokenFile}`, 'Reuse only a directory made by `flotilla demo`, or pass another --data (or none for a fresh temp dir).');
}

async function runDemo(opts: DemoOptions, io: Io): Promise<void> {
  // checked before anything starts: without a terminal the console would fail after a full fleet boot
  if (opts.tui && !(process.stdin.isTTY && process.stdout.isTTY)) {
    throw new FlotillaError('usage', 'the demo console needs an interactive terminal', 'run `flotilla demo` in a terminal, or `flotilla demo --no-tui` to run the fleet headless');
  }
  const dataDir = opts.data ? resolve(io.cwd, opts.data) : mkdtempSync(join(tmpdir(), 'flotilla-demo-'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const configPath = join(dataDir, 'daemon.yaml');
  const tokenFile = join(dataDir, 'token');
  const log = createLogger({ name: 'demo', file: join(dataDir, 'demo.log') });

  let token: string;
  if (existsSync(configPath)) {
    token = readDemoToken(tokenFile, dataDir);
  } else {
    const { initControlPlane } = await import('../../daemon/init.js');
    token = (await initControlPlane({ dataDir, port: opts.port ?? 0 })).token;
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  }

  const loaded = loadDaemonConfig(configPath, opts.port === undefined ? {} : { 'listen.port': opts.port }, io.env);
  const plan = fleetPlan(opts.clusters);
  const brokers = opts.logChain === 'rabbitmq' ? await startDemoBrokers(dataDir, plan.map((p) => p.name), { ...(opts.rabbitmqServer ? { serverPath: opts.rabbitmqServer } : {}), progress: (t) => io.err(t) }) : null;
  // The central broker goes into this run's config only: its ports and password belong to these nodes.
  const config = brokers ? { ...loaded, logs: { ...loaded.logs, rabbitmq: brokers.centralConfig } } : loaded;
  let daemon;
  try {
    const { startDaemon } = await import('../../daemon/main.js');
    daemon = await startDaemon(config, { logger: createLogger({ name: 'daemon', level: config.log.level, file: join(dataDir, 'daemon.log') }) });
  } catch (e) {
    await brokers?.close();
    throw e;
  }
  let fleet;
  try {
    const client = new FlotillaClient({ server: daemon.url, token });
    io.err(`demo: starting ${opts.clusters} simulated clusters (data and logs in ${dataDir})\n`);
    fleet = await startDemoFleet(client, plan, dataDir, log, brokers?.edges);
    if (brokers) {
      io.err('demo: switching every cluster to the RabbitMQ chain once its agent has reported\n');
      const { failed } = await switchToRabbit(client, plan.map((p) => p.name), { timeoutMs: SWITCH_TIMEOUT_MS });
      for (const f of failed) {
        log.warn({ cluster: f.cluster, err: f.error }, 'cluster left on the embedded chain');
        io.err(`demo: ${f.cluster} stays on the embedded chain: ${f.error} (switch it later with \`flotilla cluster logging ${f.cluster} --transport rabbitmq\`)\n`);
      }
    }
  } catch (e) {
    await fleet?.stop();
    await daemon.stop();
    await brokers?.close();
    throw e;
  }

  try {
    if (opts.tui) {
      const { runTui } = await import('../../tui/main.js');
      await runTui({ server: daemon.url, token, logFile: join(dataDir, 'tui.log') });
    } else {
      io.out(`server: ${daemon.url}\ntoken-file: ${tokenFile}\n`);
      io.err('demo running; stop it with Ctrl-C or SIGTERM\n');
      const signal = await untilSignal();
      log.info({ signal }, 'stopping on signal');
    }
  } finally {
    await fleet.stop();
    await daemon.stop();
    await brokers?.close();
  }
  io.err(`demo stopped; its data stays in ${dataDir} (reuse it with --data ${dataDir}, or remove it)\n`);
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('run a daemon and a simulated fleet, and open the console on it')
    .option('--clusters <n>', 'how many simulated clusters', intIn(1, 500), 12)
    .option('--no-tui', 'print the server URL and token file, and run until SIGTERM/SIGINT')
    .option('--data <dir>', 'data directory (default: a fresh temp dir; reused if it holds a daemon.yaml)')
    .option('--port <port>', 'daemon port (default: a free one)', intIn(0, 65535))
    .addOption(new Option('--log-chain <chain>', 'how logs travel: daemon (agents post to the daemon, SQLite FTS5) or rabbitmq (a RabbitMQ broker per cluster, a shovel to a central broker; needs Debian\'s rabbitmq-server)').choices(['daemon', 'rabbitmq']).default('daemon'))
    .option('--rabbitmq-server <path>', 'the rabbitmq-server start script for --log-chain rabbitmq (default: Debian\'s /usr/lib/rabbitmq/bin/rabbitmq-server)')
    .action((opts: DemoOptions) => runDemo(opts, io));
}
