// Starts and stops one private RabbitMQ node from Debian's rabbitmq-server: its own Erlang node name,
// loopback ports, data, log and config files under one directory, its own cookie and its own epmd,
// so several nodes run side by side and next to a host's own broker without touching it. The demo's
// RabbitMQ chain and the test harness start their brokers here. Every process it starts it stops by
// pid: the Erlang VM (the start script execs into it), the helpers the VM forks, and the epmd.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { FlotillaError } from '../../core/errors.js';
import { enabledPluginsFile, erlangNodeName, NODE_MARKER, nodeEnvironment, nodePaths, rabbitmqConf, type RabbitNodeLayout, type RabbitNodePorts } from './rabbitmq-node-config.js';

export type { RabbitNodePorts } from './rabbitmq-node-config.js';

/** The Debian package that provides the broker, its Erlang runtime and the plugins the chain needs. */
export const RABBITMQ_PACKAGE = 'rabbitmq-server';
/** Debian's real start script; /usr/sbin/rabbitmq-server is a wrapper that insists on running as the rabbitmq user in /var/lib/rabbitmq. */
const SERVER_PATHS = ['/usr/lib/rabbitmq/bin/rabbitmq-server'];
const EPMD_PATHS = ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd'];
const ADMIN_USER = 'flotilla-admin';
const OUTPUT_TAIL = 4096;

export interface RabbitNodeOptions {
  /** Short name: the Erlang node is `flotilla-<name>@localhost`. */
  name: string;
  /** The node's own directory; created if missing. A restart on the same directory is the same node with the same durable queues. */
  dataDir: string;
  serverPath?: string;
  epmdPath?: string;
  /** Until the management API answers; RabbitMQ boots in 5–10 s on an idle 2-core host. */
  startTimeoutMs?: number;
  /** A clean stop takes about 7 s; after this the VM is killed. */
  stopTimeoutMs?: number;
  statsIntervalMs?: number;
  memoryHighWatermarkMiB?: number;
}

export interface RabbitNode {
  readonly name: string;
  /** The Erlang node name, e.g. flotilla-edge-1@localhost. */
  readonly nodeName: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly ports: RabbitNodePorts;
  /** The administrator the node was created with. */
  readonly admin: { username: string; password: string };
  /** http://127.0.0.1:<management port> */
  readonly managementUrl: string;
  /** The AMQP URL of this node for a user and vhost (the administrator and "/" by default). */
  amqpUrl(user?: { username: string; password: string }, vhost?: string): string;
  /** The Erlang VM's pid while it runs. */
  readonly pid: number | undefined;
  /** The node's epmd's pid while it runs (it outlives stop and kill, for a restart). */
  readonly epmdPid: number | undefined;
  running(): boolean;
  /** Starts the node (its epmd first) and resolves once the management API answers; returns how long that took. */
  start(): Promise<{ startupMs: number }>;
  /** Clean stop (SIGTERM): the node syncs its queues and exits. Its epmd keeps running for a restart. */
  stop(): Promise<void>;
  /** A crash: SIGKILL to the VM, nothing synced beyond what the broker had already written. */
  kill(): Promise<void>;
  /** Stops the node and its epmd and any helper process left of it. */
  close(): Promise<void>;
  /** Resident memory of the Erlang VM (Linux), undefined when it is not running. */
  rssBytes(): number | undefined;
}

interface NodeState {
  name: string;
  ports: RabbitNodePorts;
  admin: { username: string; password: string };
}

// Children still running when this process exits are killed, so a test run or demo that ends
// abruptly (an uncaught error, process.exit) leaves no broker behind. Only SIGKILL of this
// process itself escapes this; the processes are then listed by `ps -e | grep beam.smp`.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

function findExecutable(given: string | undefined, candidates: string[], what: string): string {
  const paths = given ? [given] : candidates;
  const found = paths.find((p) => existsSync(p));
  if (found) return found;
  throw new FlotillaError(
    'unavailable',
    `RabbitMQ is not installed: ${what} was not found at ${paths.join(' or ')}`,
    `Install Debian's package ${RABBITMQ_PACKAGE} (sudo apt-get install ${RABBITMQ_PACKAGE}); it brings Erlang, epmd and the management and shovel plugins.`,
    { details: { package: RABBITMQ_PACKAGE, paths } },
  );
}

// Ports handed out by this process, never handed out twice: the kernel may offer a port again as
// soon as the probe that found it has closed, and a node that is stopped still owns its ports.
const handedOut = new Set<number>();

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

async function freePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const srv = await listen(0);
      if (!srv) throw new FlotillaError('unavailable', 'no free local port for a RabbitMQ node', 'Free some local ports and start again.');
      held.push(srv);
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      if (port && !handedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
  for (const p of ports) handedOut.add(p);
  return ports;
}

async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

async function portIsFree(port: number): Promise<boolean> {
  const srv = await listen(port);
  if (!srv) return false;
  await new Promise((r) => srv.close(r));
  return true;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readState(file: string, name: string): NodeState | undefined {
  if (!existsSync(file)) return undefined;
  let state: NodeState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as NodeState;
  } catch (e) {
    throw new FlotillaError('config', `${file} is not the launcher's record of a RabbitMQ node`, `Remove the node's directory (${dirname(file)}) to start a new node there.`, { cause: e });
  }
  if (state.name !== name) {
    throw new FlotillaError('config', `${dirname(file)} holds RabbitMQ node "${state.name}", not "${name}"`, 'Give each node its own directory.');
  }
  return state;
}

function writePrivate(file: string, text: string, mode = 0o600): void {
  writeFileSync(file, text, { mode });
}

function tailOf(text: string): string {
  return text.length > OUTPUT_TAIL ? text.slice(-OUTPUT_TAIL) : text;
}

function fileTail(file: string): string {
  try {
    return tailOf(readFileSync(file, 'utf8'));
  } catch {
    return '';
  }
}

/** Pids (Linux) of the processes of the node in `dataDir`: the Erlang VM and what it forked. */
export function nodeProcesses(dataDir: string): number[] {
  const marker = `${NODE_MARKER}=${dataDir}`;
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A spawn that failed (not executable, no such file) reports an error and may never report an exit. */
const spawnErrors = new WeakMap<ChildProcess, Error>();

function spawned(child: ChildProcess): ChildProcess {
  child.once('error', (e) => spawnErrors.set(child, e));
  return child;
}

function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || spawnErrors.has(child);
}

function exitOf(child: ChildProcess): Promise<void> {
  if (ended(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

class LaunchedNode implements RabbitNode {
  readonly nodeName: string;
  readonly logFile: string;
  private beam: ChildProcess | undefined;
  private epmd: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly opts: Required<Pick<RabbitNodeOptions, 'name' | 'dataDir' | 'startTimeoutMs' | 'stopTimeoutMs' | 'statsIntervalMs' | 'memoryHighWatermarkMiB'>> & { serverPath: string; epmdPath: string },
    private state: NodeState,
  ) {
    this.nodeName = erlangNodeName(opts.name);
    this.logFile = nodePaths(opts.dataDir).log;
  }

  get name(): string {
    return this.opts.name;
  }
  get dataDir(): string {
    return this.opts.dataDir;
  }
  get ports(): RabbitNodePorts {
    return { ...this.state.ports };
  }
  get admin(): { username: string; password: string } {
    return { ...this.state.admin };
  }
  get managementUrl(): string {
    return `http://127.0.0.1:${this.state.ports.management}`;
  }
  get pid(): number | undefined {
    return this.running() ? this.beam?.pid : undefined;
  }
  get epmdPid(): number | undefined {
    const e = this.epmd;
    return e && !ended(e) ? e.pid : undefined;
  }

  amqpUrl(user = this.state.admin, vhost = '/'): string {
    return `amqp://${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}@127.0.0.1:${this.state.ports.amqp}/${encodeURIComponent(vhost)}`;
  }

  running(): boolean {
    return this.beam !== undefined && !ended(this.beam);
  }

  rssBytes(): number | undefined {
    const pid = this.pid;
    return pid === undefined ? undefined : rssOf(pid);
  }

  async start(): Promise<{ startupMs: number }> {
    if (this.running()) throw new FlotillaError('conflict', `RabbitMQ node ${this.nodeName} is already running`, 'Stop it first.');
    await this.reclaimPorts();
    const layout = this.layout();
    this.writeFiles(layout);
    await this.startEpmd();
    const began = Date.now();
    this.output = '';
    const beam = spawned(
      spawn(this.opts.serverPath, [], {
        cwd: this.opts.dataDir,
        env: nodeEnvironment(layout, process.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a Ctrl-C in the demo's terminal reaches the demo, which stops the node in order.
        detached: true,
      }),
    );
    track(beam);
    this.beam = beam;
    const keep = (d: string) => (this.output = tailOf(this.output + d));
    beam.stdout?.setEncoding('utf8').on('data', keep);
    beam.stderr?.setEncoding('utf8').on('data', keep);
    try {
      await this.waitReady(beam, began);
    } catch (e) {
      if (!ended(beam)) beam.kill('SIGKILL');
      await exitOf(beam);
      this.killLeftovers();
      throw e;
    }
    return { startupMs: Date.now() - began };
  }

  async stop(): Promise<void> {
    const beam = this.beam;
    if (!beam || !this.running()) return;
    beam.kill('SIGTERM');
    const timer = setTimeout(() => beam.kill('SIGKILL'), this.opts.stopTimeoutMs);
    await exitOf(beam);
    clearTimeout(timer);
    this.killLeftovers();
  }

  async kill(): Promise<void> {
    const beam = this.beam;
    if (!beam || !this.running()) return;
    beam.kill('SIGKILL');
    await exitOf(beam);
    this.killLeftovers();
  }

  async close(): Promise<void> {
    await this.stop();
    const epmd = this.epmd;
    if (epmd && !ended(epmd)) {
      epmd.kill('SIGTERM');
      await exitOf(epmd);
    }
    this.epmd = undefined;
  }

  private layout(): RabbitNodeLayout {
    return {
      name: this.opts.name,
      dataDir: this.opts.dataDir,
      ports: this.state.ports,
      admin: this.state.admin,
      statsIntervalMs: this.opts.statsIntervalMs,
      memoryHighWatermarkBytes: this.opts.memoryHighWatermarkMiB * 1024 * 1024,
    };
  }

  /** A port of a saved node that something else took meanwhile is replaced; name, data and admin stay. */
  private async reclaimPorts(): Promise<void> {
    const ports = { ...this.state.ports };
    let changed = false;
    for (const role of ['amqp', 'management', 'dist'] as const) {
      if (await portIsFree(ports[role])) continue;
      ports[role] = await freePort();
      changed = true;
    }
    const epmdAlive = this.epmd !== undefined && !ended(this.epmd);
    if (!epmdAlive && !(await portIsFree(ports.epmd))) {
      ports.epmd = await freePort();
      changed = true;
    }
    if (!changed) return;
    this.state = { ...this.state, ports };
    writePrivate(nodePaths(this.opts.dataDir).state, JSON.stringify(this.state, null, 2));
  }

  private writeFiles(layout: RabbitNodeLayout): void {
    const p = nodePaths(this.opts.dataDir);
    for (const dir of [this.opts.dataDir, p.home, p.mnesia, p.logDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    writePrivate(p.config, rabbitmqConf(layout));
    writePrivate(p.enabledPlugins, enabledPluginsFile());
    writePrivate(p.envFile, '');
    // Erlang refuses a cookie others can read. It only has to match between this node and the CLI
    // tools run with the same HOME, so each node has its own.
    if (!existsSync(p.cookie)) writePrivate(p.cookie, randomBytes(24).toString('hex').toUpperCase(), 0o400);
    writePrivate(p.state, JSON.stringify(this.state, null, 2));
  }

  private async startEpmd(): Promise<void> {
    if (this.epmd && !ended(this.epmd)) return;
    const port = this.state.ports.epmd;
    // In the foreground (no -daemon), so it stays this process's child and is stopped by its pid.
    const epmd = spawned(spawn(this.opts.epmdPath, ['-address', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    track(epmd);
    let out = '';
    epmd.stdout?.setEncoding('utf8').on('data', (d: string) => (out = tailOf(out + d)));
    epmd.stderr?.setEncoding('utf8').on('data', (d: string) => (out = tailOf(out + d)));
    this.epmd = epmd;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (ended(epmd) || Date.now() > deadline) {
        epmd.kill('SIGKILL');
        const why = spawnErrors.get(epmd)?.message ?? (out.trim() || 'no output');
        throw new FlotillaError('unavailable', `epmd for RabbitMQ node ${this.nodeName} did not start on 127.0.0.1:${port}: ${why}`, 'Check that the port is free and that erlang-base is installed.');
      }
      await sleep(50);
    }
  }

  private async waitReady(beam: ChildProcess, began: number): Promise<void> {
    const url = `${this.managementUrl}/api/health/checks/port-listener/${this.state.ports.amqp}`;
    const auth = `Basic ${Buffer.from(`${this.state.admin.username}:${this.state.admin.password}`).toString('base64')}`;
    const deadline = began + this.opts.startTimeoutMs;
    for (;;) {
      if (ended(beam)) {
        const how = spawnErrors.get(beam)?.message ?? String(beam.exitCode ?? beam.signalCode);
        throw new FlotillaError(
          'unavailable',
          `RabbitMQ node ${this.nodeName} exited during start-up (${how}): ${(this.output + fileTail(this.logFile)).trim().slice(-1500) || 'no output'}`,
          `Read ${this.logFile}; a node that will not boot on an old data dir starts afresh when that directory is removed.`,
          { details: { node: this.nodeName, log: this.logFile } },
        );
      }
      try {
        const res = await fetch(url, { headers: { authorization: auth }, signal: AbortSignal.timeout(2000) });
        if (res.ok && ((await res.json()) as { status?: string }).status === 'ok') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new FlotillaError('unavailable', `RabbitMQ node ${this.nodeName} did not answer on ${this.managementUrl} within ${Math.round(this.opts.startTimeoutMs / 1000)} s`, `Read ${this.logFile}; on a loaded host give it a longer start timeout.`, {
          details: { node: this.nodeName, log: this.logFile },
        });
      }
      await sleep(200);
    }
  }

  /** The VM's forked helpers (erl_child_setup, inet_gethost) end with it; any that did not is killed by its pid. */
  private killLeftovers(): void {
    for (const pid of nodeProcesses(this.opts.dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Prepares a node (directory, ports, admin) without starting it. */
export async function openRabbitNode(options: RabbitNodeOptions): Promise<RabbitNode> {
  const serverPath = findExecutable(options.serverPath, SERVER_PATHS, 'rabbitmq-server');
  const epmdPath = findExecutable(options.epmdPath, EPMD_PATHS, 'epmd');
  erlangNodeName(options.name);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  let state = readState(nodePaths(options.dataDir).state, options.name);
  if (state) {
    const { amqp, management, dist, epmd } = state.ports;
    for (const p of [amqp, management, dist, epmd]) handedOut.add(p);
  } else {
    const [amqp, management, dist, epmd] = (await freePorts(4)) as [number, number, number, number];
    state = { name: options.name, ports: { amqp, management, dist, epmd }, admin: { username: ADMIN_USER, password: randomBytes(18).toString('hex') } };
  }
  return new LaunchedNode(
    {
      name: options.name,
      dataDir: options.dataDir,
      serverPath,
      epmdPath,
      startTimeoutMs: options.startTimeoutMs ?? 120_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
      statsIntervalMs: options.statsIntervalMs ?? 1000,
      memoryHighWatermarkMiB: options.memoryHighWatermarkMiB ?? 512,
    },
    state,
  );
}

/** Prepares and starts a node; resolves once its management API answers. */
export async function startRabbitNode(options: RabbitNodeOptions): Promise<RabbitNode> {
  const node = await openRabbitNode(options);
  try {
    await node.start();
  } catch (e) {
    await node.close();
    throw e;
  }
  return node;
}
