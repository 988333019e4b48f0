// A cluster's `logging` config (DESIGN §3.4 configure-logging, §3.6; docs/LOGS.md "Switching a
// cluster's transport"): which chain the agent ships on and, for the RabbitMQ chain, what its edge
// broker declares (topology.ts), the shovel to the center and the cluster's own central user, whose
// password is sealed to the agent's encryption key (core/secrets.ts) so the store only holds
// ciphertext. The daemon signs it into clusters/<c>/config/logging.json; a `configure-logging` job
// names its version and hash. The edge broker's address and credentials are not in it: they are
// local to the edge (agent config logs.edge). Pure: generation, the seal context, opening and
// checking, and the edge plan the agent applies.
import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { edgeTopology, LOG_CHAIN, shovelDefinition, SHOVEL_NAME, DEFAULT_SHOVEL_HEARTBEAT_S, DEFAULT_SHOVEL_PREFETCH, DEFAULT_SHOVEL_RECONNECT_DELAY_S, DEFAULT_OUTBOX_MAX_BYTES, clusterUserName, type ShovelValue, type Topology } from '../brokers/topology.js';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../dsse.js';
import { SealedSchema, type Sealed } from '../jobs.js';
import { firstIssue } from '../schema-issue.js';
import { CLUSTER_NAME } from '../store/types.js';

export const LOGGING_CONFIG_NAME = 'logging';
export const LOGGING_TRANSPORTS = ['daemon', 'rabbitmq'] as const;
export type LoggingTransport = (typeof LOGGING_TRANSPORTS)[number];
/** A logging config envelope is a few kilobytes; anything much larger is not one. */
export const LOGGING_CONFIG_MAX_BYTES = 64 * 1024;

const positive = z.number().int().positive();

export const LoggingRabbitSchema = z
  .object({
    edge: z
      .object({
        exchange: z.literal(LOG_CHAIN.edgeExchange),
        outbox: z.literal(LOG_CHAIN.outbox),
        /** The outbox's x-max-length-bytes: past it the broker refuses publishes and the agent holds. */
        outboxMaxBytes: positive,
      })
      .strict(),
    central: z
      .object({
        /** What the edge's shovel dials: the central broker's advertised AMQP URL, without credentials. */
        url: z.string().min(1).max(2048),
        exchange: z.literal(LOG_CHAIN.ingestExchange),
        /** The cluster's own central user (topology.ts clusterPublisher). */
        user: z.string().min(1).max(128),
        /** Its password, sealed to the agent's encryption key under loggingSealContext. */
        password: SealedSchema,
      })
      .strict(),
    shovel: z
      .object({
        name: z.string().min(1).max(128),
        prefetch: positive.max(10_000),
        reconnectDelaySeconds: positive.max(3600),
        heartbeatSeconds: positive.max(3600),
      })
      .strict(),
  })
  .strict();

export const LoggingConfigSchema = z
  .object({
    kind: z.literal('logging'),
    cluster: z.string().regex(CLUSTER_NAME),
    /** The agent registration it was written for (its password is sealed to that agent's key). */
    agentKeyId: z.string().min(1).max(128),
    /** Grows by one per cluster with every config the daemon writes; the agent applies only newer ones. */
    version: positive,
    issuedAt: z.iso.datetime(),
    transport: z.enum(LOGGING_TRANSPORTS),
    rabbitmq: LoggingRabbitSchema.optional(),
  })
  .strict()
  .refine((c) => (c.transport === 'rabbitmq') === (c.rabbitmq !== undefined), 'transport rabbitmq needs the rabbitmq section, transport daemon has none');
export type LoggingConfig = z.infer<typeof LoggingConfigSchema>;

/** The associated data that binds a sealed password to one cluster and one config version. */
export function loggingSealContext(cluster: string, version: number): string {
  return `${cluster}\nlogging\n${version}`;
}

export interface GenerateLoggingOptions {
  cluster: string;
  agentKeyId: string;
  version: number;
  now: Date;
  transport: LoggingTransport;
  /** Needed for transport rabbitmq. */
  rabbitmq?: {
    /** The central broker's advertised AMQP URL, without credentials. */
    centralUrl: string;
    /** The cluster user's fresh password, already sealed (loggingSealContext(cluster, version)). */
    sealedPassword: Sealed;
    outboxMaxBytes?: number;
    prefetch?: number;
    reconnectDelaySeconds?: number;
    heartbeatSeconds?: number;
  };
}

/** The config the daemon signs; throws a FlotillaError (config) for a bad URL or cap. */
export function generateLoggingConfig(o: GenerateLoggingOptions): LoggingConfig {
  const base = { kind: 'logging' as const, cluster: o.cluster, agentKeyId: o.agentKeyId, version: o.version, issuedAt: o.now.toISOString(), transport: o.transport };
  if (o.transport === 'daemon') return LoggingConfigSchema.parse(base);
  const r = o.rabbitmq;
  if (!r) throw new TypeError('transport rabbitmq needs the central broker and a sealed password');
  // Built once here so a bad URL or cap is refused when the daemon writes it, not on the edge.
  const outboxMaxBytes = r.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
  edgeTopology({ outboxMaxBytes });
  const shovel = { name: SHOVEL_NAME, prefetch: r.prefetch ?? DEFAULT_SHOVEL_PREFETCH, reconnectDelaySeconds: r.reconnectDelaySeconds ?? DEFAULT_SHOVEL_RECONNECT_DELAY_S, heartbeatSeconds: r.heartbeatSeconds ?? DEFAULT_SHOVEL_HEARTBEAT_S };
  shovelDefinition({ cluster: o.cluster, centralUrl: r.centralUrl, password: 'checked', ...shovel });
  return LoggingConfigSchema.parse({
    ...base,
    rabbitmq: {
      edge: { exchange: LOG_CHAIN.edgeExchange, outbox: LOG_CHAIN.outbox, outboxMaxBytes },
      central: { url: r.centralUrl, exchange: LOG_CHAIN.ingestExchange, user: clusterUserName(o.cluster), password: r.sealedPassword },
      shovel,
    },
  });
}

/** SHA-256 of the envelope bytes as stored: the configure-logging job names the config by it. */
export function configDigest(envelope: Buffer): string {
  return createHash('sha256').update(envelope).digest('hex');
}

export class LoggingConfigRejected extends Error {
  constructor(
    readonly reason: 'bad_signature' | 'malformed' | 'wrong_cluster' | 'wrong_agent' | 'stale' | 'digest_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'LoggingConfigRejected';
  }
}

export interface OpenLoggingContext {
  cluster: string;
  agentKeyId: string;
  controlPlane: { keyid: string; publicKey: KeyObject };
}

/** Verifies a logging config envelope: the control plane's signature, the schema, this cluster and agent. */
export function openLoggingConfig(raw: Buffer, ctx: OpenLoggingContext): LoggingConfig {
  let payload: unknown;
  try {
    payload = openEnvelope(raw, { payloadType: PAYLOAD_TYPES.config, maxBytes: LOGGING_CONFIG_MAX_BYTES, keyFor: (id) => (id === ctx.controlPlane.keyid ? ctx.controlPlane.publicKey : undefined) }).payload;
  } catch (e) {
    if (e instanceof EnvelopeRejected) throw new LoggingConfigRejected(e.reason === 'bad_signature' || e.reason === 'unknown_key' ? 'bad_signature' : 'malformed', `logging config: ${e.message}`);
    throw e;
  }
  const parsed = LoggingConfigSchema.safeParse(payload);
  if (!parsed.success) throw new LoggingConfigRejected('malformed', `logging config does not match its schema (${firstIssue(parsed.error)})`);
  const c = parsed.data;
  if (c.cluster !== ctx.cluster) throw new LoggingConfigRejected('wrong_cluster', `logging config is for cluster "${c.cluster}", this agent runs "${ctx.cluster}"`);
  if (c.agentKeyId !== ctx.agentKeyId) throw new LoggingConfigRejected('wrong_agent', `logging config was written for agent key ${c.agentKeyId}, this agent is ${ctx.agentKeyId}`);
  return c;
}

/** What the edge broker gets for a rabbitmq config: the outbox topology and the shovel, with the unsealed password in its dest-uri. */
export function edgePlan(rabbitmq: NonNullable<LoggingConfig['rabbitmq']>, cluster: string, edgeVhost: string, password: string): { topology: Topology; shovel: { name: string; vhost: string; value: ShovelValue } } {
  const topology = edgeTopology({ outboxMaxBytes: rabbitmq.edge.outboxMaxBytes });
  const def = shovelDefinition({
    cluster,
    centralUrl: rabbitmq.central.url,
    password,
    edgeVhost,
    prefetch: rabbitmq.shovel.prefetch,
    reconnectDelaySeconds: rabbitmq.shovel.reconnectDelaySeconds,
    heartbeatSeconds: rabbitmq.shovel.heartbeatSeconds,
  });
  return { topology, shovel: { ...def, name: rabbitmq.shovel.name } };
}
