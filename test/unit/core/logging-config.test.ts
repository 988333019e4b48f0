// The logging config (core/logs/logging-config.ts): what the daemon generates for each transport, the
// sealed central password's round trip (and its binding to one cluster and version), and how the agent
// verifies the signed envelope and turns it into its edge topology and shovel.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX_MAX_BYTES, LOG_CHAIN, SHOVEL_NAME } from '../../../core/brokers/topology.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import { generateSigningKey } from '../../../core/keys.js';
import { configDigest, edgePlan, generateLoggingConfig, LoggingConfigRejected, loggingSealContext, openLoggingConfig } from '../../../core/logs/logging-config.js';
import { generateEncryptionKey, open, seal } from '../../../core/secrets.js';

const cp = generateSigningKey();
const agent = generateSigningKey();
const enc = generateEncryptionKey();
const NOW = new Date('2026-12-01T10:00:00.000Z');
const ctx = { cluster: 'prod-1', agentKeyId: agent.keyid, controlPlane: { keyid: cp.keyid, publicKey: cp.publicKey } };

function rabbitConfig(version = 3, password = 'pw-3') {
  return generateLoggingConfig({
    cluster: 'prod-1',
    agentKeyId: agent.keyid,
    version,
    now: NOW,
    transport: 'rabbitmq',
    rabbitmq: { centralUrl: 'amqps://central.example:5671/flotilla', sealedPassword: seal(Buffer.from(password), enc.publicKey, loggingSealContext('prod-1', version)), outboxMaxBytes: 1 << 20 },
  });
}

describe('generateLoggingConfig', () => {
  it('for the daemon transport: the version and nothing of the broker', () => {
    expect(generateLoggingConfig({ cluster: 'prod-1', agentKeyId: agent.keyid, version: 1, now: NOW, transport: 'daemon' })).toEqual({
      kind: 'logging',
      cluster: 'prod-1',
      agentKeyId: agent.keyid,
      version: 1,
      issuedAt: NOW.toISOString(),
      transport: 'daemon',
    });
  });

  it('for rabbitmq: the edge exchange, outbox and cap, the central URL, exchange and cluster user, the shovel settings, the password sealed', () => {
    const c = rabbitConfig();
    expect(c.rabbitmq).toMatchObject({
      edge: { exchange: LOG_CHAIN.edgeExchange, outbox: LOG_CHAIN.outbox, outboxMaxBytes: 1 << 20 },
      central: { url: 'amqps://central.example:5671/flotilla', exchange: LOG_CHAIN.ingestExchange, user: 'flotilla-cluster-prod-1' },
      shovel: { name: SHOVEL_NAME, prefetch: 64, reconnectDelaySeconds: 5, heartbeatSeconds: 10 },
    });
    expect(JSON.stringify(c)).not.toContain('pw-3');
    expect(generateLoggingConfig({ ...rabbitConfigOpts(), rabbitmq: { ...rabbitConfigOpts().rabbitmq, outboxMaxBytes: undefined } }).rabbitmq?.edge.outboxMaxBytes).toBe(DEFAULT_OUTBOX_MAX_BYTES);
  });

  it('refuses a central URL with credentials or not AMQP, and a bad cap, when the daemon writes it', () => {
    for (const centralUrl of ['amqp://u:p@central:5672', 'http://central:15672']) {
      expect(() => generateLoggingConfig({ ...rabbitConfigOpts(), rabbitmq: { ...rabbitConfigOpts().rabbitmq, centralUrl } })).toThrow(FlotillaError);
    }
    expect(() => generateLoggingConfig({ ...rabbitConfigOpts(), rabbitmq: { ...rabbitConfigOpts().rabbitmq, outboxMaxBytes: 0 } })).toThrow(/positive whole number/);
  });
});

function rabbitConfigOpts() {
  return {
    cluster: 'prod-1',
    agentKeyId: agent.keyid,
    version: 2,
    now: NOW,
    transport: 'rabbitmq' as const,
    rabbitmq: { centralUrl: 'amqp://central:5672', sealedPassword: seal(Buffer.from('x'), enc.publicKey, loggingSealContext('prod-1', 2)), outboxMaxBytes: undefined as number | undefined },
  };
}

describe('the sealed central password', () => {
  it('opens with the agent key under its cluster and version, and under no other', () => {
    const c = rabbitConfig(7, 'secret-7');
    const sealed = c.rabbitmq?.central.password;
    if (!sealed) throw new Error('no password');
    expect(open(sealed, enc, loggingSealContext('prod-1', 7)).toString()).toBe('secret-7');
    expect(() => open(sealed, enc, loggingSealContext('prod-1', 8))).toThrow(FlotillaError);
    expect(() => open(sealed, enc, loggingSealContext('prod-2', 7))).toThrow(FlotillaError);
    expect(() => open(sealed, generateEncryptionKey(), loggingSealContext('prod-1', 7))).toThrow(FlotillaError);
  });
});

describe('openLoggingConfig', () => {
  const signed = (payload: unknown, key = cp, type: string = PAYLOAD_TYPES.config) => sealEnvelope(type, payload, key);

  it('returns the config the control plane signed for this cluster and agent', () => {
    const c = rabbitConfig();
    expect(openLoggingConfig(signed(c), ctx)).toEqual(c);
  });

  it.each([
    ['another key', () => signed(rabbitConfig(), generateSigningKey()), 'bad_signature'],
    ['a job payload type', () => signed(rabbitConfig(), cp, PAYLOAD_TYPES.job), 'malformed'],
    ['another cluster', () => signed({ ...rabbitConfig(), cluster: 'prod-2' }), 'wrong_cluster'],
    ['another registration', () => signed({ ...rabbitConfig(), agentKeyId: 'old-key' }), 'wrong_agent'],
    ['rabbitmq without its section', () => signed({ ...rabbitConfig(), rabbitmq: undefined }), 'malformed'],
    ['an unknown field', () => signed({ ...rabbitConfig(), extra: 1 }), 'malformed'],
  ])('refuses %s', (_what, make, reason) => {
    const e = (() => {
      try {
        openLoggingConfig(make(), ctx);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(LoggingConfigRejected);
    expect((e as LoggingConfigRejected).reason).toBe(reason);
  });

  it('names an envelope by the SHA-256 of its bytes', () => {
    const raw = signed(rabbitConfig());
    expect(configDigest(raw)).toMatch(/^[0-9a-f]{64}$/);
    expect(configDigest(Buffer.concat([raw, Buffer.from(' ')]))).not.toBe(configDigest(raw));
  });
});

describe('edgePlan', () => {
  it('is the outbox topology with the config cap and a shovel from the local vhost to the center as the cluster user', () => {
    const r = rabbitConfig().rabbitmq;
    if (!r) throw new Error('no rabbitmq section');
    const plan = edgePlan(r, 'prod-1', 'edge-vh', 'pw-3');
    expect(plan.topology.queues[0]?.arguments).toMatchObject({ 'x-max-length-bytes': 1 << 20, 'x-overflow': 'reject-publish' });
    expect(plan.shovel.vhost).toBe('edge-vh');
    expect(plan.shovel.value['src-uri']).toBe('amqp:///edge-vh');
    expect(plan.shovel.value['dest-uri']).toBe('amqps://flotilla-cluster-prod-1:pw-3@central.example:5671/flotilla?heartbeat=10');
    expect(plan.shovel.value['ack-mode']).toBe('on-confirm');
    expect(plan.shovel.value['dest-publish-properties']).toEqual({ user_id: 'flotilla-cluster-prod-1', delivery_mode: 2 });
  });
});
