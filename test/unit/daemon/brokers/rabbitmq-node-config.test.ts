import { describe, expect, it } from 'vitest';
import { enabledPluginsFile, erlangNodeName, NODE_MARKER, nodeEnvironment, nodePaths, rabbitmqConf, type RabbitNodeLayout } from '../../../../daemon/brokers/rabbitmq-node-config.js';
import { FlotillaError } from '../../../../core/errors.js';

const layout: RabbitNodeLayout = {
  name: 'edge-1',
  dataDir: '/data/edge-1',
  ports: { amqp: 41001, management: 41002, dist: 41003, epmd: 41004 },
  admin: { username: 'flotilla-admin', password: 'abc123' },
  statsIntervalMs: 1000,
  memoryHighWatermarkBytes: 512 * 1024 * 1024,
};

describe('RabbitMQ node layout', () => {
  it('names the Erlang node flotilla-<name>@localhost and refuses names Erlang or the layout cannot take', () => {
    expect(erlangNodeName('edge-1')).toBe('flotilla-edge-1@localhost');
    for (const bad of ['', 'Edge', 'a@b', 'x_y', '-a', 'a-', 'a'.repeat(43)]) expect(() => erlangNodeName(bad)).toThrow(FlotillaError);
  });

  it('listens on loopback only, on its own ports, with one administrator and a fixed memory budget', () => {
    const conf = rabbitmqConf(layout);
    expect(conf).toContain('listeners.tcp.default = 127.0.0.1:41001\n');
    expect(conf).toContain('management.tcp.ip = 127.0.0.1\n');
    expect(conf).toContain('management.tcp.port = 41002\n');
    expect(conf).toContain('default_user = flotilla-admin\n');
    expect(conf).toContain('default_pass = abc123\n');
    expect(conf).toContain('default_user_tags.administrator = true\n');
    expect(conf).toContain('collect_statistics_interval = 1000\n');
    expect(conf).toContain(`vm_memory_high_watermark.absolute = ${512 * 1024 * 1024}\n`);
  });

  it('enables management, shovel and shovel management as an Erlang term', () => {
    expect(enabledPluginsFile()).toBe('[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].\n');
  });

  it("points every file at the node's directory, its own epmd and cookie, and drops the caller's RABBITMQ_* and ERL_* settings", () => {
    const env = nodeEnvironment(layout, { PATH: '/usr/bin', RABBITMQ_NODENAME: 'rabbit@host', RABBITMQ_MNESIA_BASE: '/var/lib/rabbitmq', ERL_EPMD_PORT: '4369', KEEP: 'yes', GONE: undefined });
    const p = nodePaths(layout.dataDir);
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      KEEP: 'yes',
      HOME: '/data/edge-1/home',
      detached: 'true',
      ERL_EPMD_PORT: '41004',
      RABBITMQ_NODENAME: 'flotilla-edge-1@localhost',
      RABBITMQ_DIST_PORT: '41003',
      RABBITMQ_CONFIG_FILE: p.config,
      RABBITMQ_CONF_ENV_FILE: p.envFile,
      RABBITMQ_ADVANCED_CONFIG_FILE: p.advancedConfig,
      RABBITMQ_ENABLED_PLUGINS_FILE: p.enabledPlugins,
      RABBITMQ_MNESIA_BASE: '/data/edge-1/mnesia',
      RABBITMQ_LOG_BASE: '/data/edge-1/log',
      RABBITMQ_LOGS: '/data/edge-1/log/rabbit.log',
      RABBITMQ_PID_FILE: p.pidFile,
      [NODE_MARKER]: '/data/edge-1',
    });
    expect(env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS).toContain('inet_dist_use_interface {127,0,0,1}');
    expect('GONE' in env).toBe(false);
    expect(p.cookie).toBe('/data/edge-1/home/.erlang.cookie');
    for (const v of Object.values(p)) expect(v.startsWith('/data/edge-1/')).toBe(true);
  });
});
