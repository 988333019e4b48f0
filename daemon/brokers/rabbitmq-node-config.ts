// What one private RabbitMQ node is made of, as data: its Erlang node name, the files under its data
// directory, the rabbitmq.conf and enabled-plugins text, and the environment its start script gets.
// Pure, so every choice below is tested without starting a broker; the launcher
// (rabbitmq-node.ts) writes these files and runs the process.
import { FlotillaError } from '../../core/errors.js';

/** The node's own ports, all on 127.0.0.1. */
export interface RabbitNodePorts {
  amqp: number;
  management: number;
  /** Erlang distribution: RabbitMQ's CLI tools and clustering talk to the node here. */
  dist: number;
  /** The node's own epmd, so no node depends on (or registers in) a host-wide epmd on 4369. */
  epmd: number;
}

export interface RabbitNodeLayout {
  /** Short name; the Erlang node is `flotilla-<name>@localhost`. */
  name: string;
  dataDir: string;
  ports: RabbitNodePorts;
  admin: { username: string; password: string };
  /** collect_statistics_interval: how often queue figures (messages, bytes, consumers) are refreshed. */
  statsIntervalMs: number;
  /** The memory alarm threshold: several nodes share a host, so each gets a fixed budget, not 40 % of the host's RAM. */
  memoryHighWatermarkBytes: number;
}

export const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/;

/** Plugins every node runs: the management API (the adapter talks to it) and dynamic shovels with their status page. */
export const RABBITMQ_PLUGINS = ['rabbitmq_management', 'rabbitmq_shovel', 'rabbitmq_shovel_management'] as const;

export function erlangNodeName(name: string): string {
  if (!NODE_NAME.test(name)) {
    throw new FlotillaError('usage', `RabbitMQ node name "${name}" is not valid`, 'Use lower-case letters, digits and "-" (at most 42), starting and ending with a letter or digit.');
  }
  return `flotilla-${name}@localhost`;
}

/** Every path the node uses, all under its data directory. */
export function nodePaths(dataDir: string) {
  return {
    /** HOME of the node: Erlang reads its cookie from $HOME/.erlang.cookie. */
    home: `${dataDir}/home`,
    cookie: `${dataDir}/home/.erlang.cookie`,
    config: `${dataDir}/rabbitmq.conf`,
    /** Does not exist; named so that no advanced.config of the host's is read. */
    advancedConfig: `${dataDir}/advanced.config`,
    /** Empty; named so that /etc/rabbitmq/rabbitmq-env.conf is not sourced. */
    envFile: `${dataDir}/rabbitmq-env.conf`,
    enabledPlugins: `${dataDir}/enabled_plugins`,
    mnesia: `${dataDir}/mnesia`,
    logDir: `${dataDir}/log`,
    log: `${dataDir}/log/rabbit.log`,
    pidFile: `${dataDir}/rabbit.pid`,
    /** The launcher's own record of the node (ports, admin password), so a restart on the same data dir is the same node. */
    state: `${dataDir}/node.json`,
  };
}

/** rabbitmq.conf (the new-style sysctl format). Only loopback listeners: a node is reached through whatever the caller puts in front. */
export function rabbitmqConf(l: RabbitNodeLayout): string {
  return [
    `listeners.tcp.default = 127.0.0.1:${l.ports.amqp}`,
    `management.tcp.ip = 127.0.0.1`,
    `management.tcp.port = ${l.ports.management}`,
    // The only user; created on the first boot of an empty data dir, kept in mnesia after that.
    `default_user = ${l.admin.username}`,
    `default_pass = ${l.admin.password}`,
    `default_user_tags.administrator = true`,
    `default_permissions.configure = .*`,
    `default_permissions.read = .*`,
    `default_permissions.write = .*`,
    `collect_statistics_interval = ${l.statsIntervalMs}`,
    `vm_memory_high_watermark.absolute = ${l.memoryHighWatermarkBytes}`,
    // The file itself is RABBITMQ_LOGS in the environment.
    `log.file.level = info`,
    '',
  ].join('\n');
}

/** The enabled-plugins file is an Erlang term: a list of atoms and a full stop. */
export function enabledPluginsFile(): string {
  return `[${RABBITMQ_PLUGINS.join(',')}].\n`;
}

export const NODE_MARKER = 'FLOTILLA_RABBITMQ_NODE_DIR';

/** Variables inherited from the caller that would point the node at the host's broker or epmd. */
const INHERITED_PREFIXES = ['RABBITMQ_', 'ERL_'];

/**
 * The environment for RabbitMQ's start script. The caller's RABBITMQ_* and ERL_* variables are
 * dropped, so the host's broker settings never leak in; PATH stays, since the script finds `erl` on it.
 */
export function nodeEnvironment(l: RabbitNodeLayout, inherited: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherited)) {
    if (v === undefined || INHERITED_PREFIXES.some((p) => k.startsWith(p))) continue;
    env[k] = v;
  }
  const p = nodePaths(l.dataDir);
  return {
    ...env,
    HOME: p.home,
    // Marks the node's processes (the VM and its helpers inherit it), so the launcher finds exactly
    // its own: two nodes may even share an Erlang name, each registered in its own epmd.
    [NODE_MARKER]: l.dataDir,
    // rabbitmq-server then execs erl instead of running it in the background behind a shell trap,
    // so the pid the launcher holds is the Erlang VM's: SIGTERM is its clean stop, SIGKILL a crash.
    detached: 'true',
    ERL_EPMD_PORT: String(l.ports.epmd),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: erlangNodeName(l.name),
    RABBITMQ_DIST_PORT: String(l.ports.dist),
    RABBITMQ_CONF_ENV_FILE: p.envFile,
    RABBITMQ_CONFIG_FILE: p.config,
    RABBITMQ_ADVANCED_CONFIG_FILE: p.advancedConfig,
    RABBITMQ_ENABLED_PLUGINS_FILE: p.enabledPlugins,
    RABBITMQ_MNESIA_BASE: p.mnesia,
    RABBITMQ_LOG_BASE: p.logDir,
    RABBITMQ_LOGS: p.log,
    RABBITMQ_PID_FILE: p.pidFile,
    // The distribution port listens on all interfaces unless told otherwise.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
}
