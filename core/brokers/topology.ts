// The RabbitMQ log chain's topology as data (DESIGN §3.6, docs/LOGS.md "The RabbitMQ chain"): what
// each edge broker and the central broker declare, the per-cluster user that may only publish into
// the center, and the dynamic shovel that moves an edge's outbox there. One function each; the
// daemon generates them into a cluster's logging config, the agent and the daemon apply them through
// the management API (core/brokers/apply-topology.ts). Pure.
import { FlotillaError } from '../errors.js';
import { CLUSTER_NAME } from '../store/types.js';

export const LOG_CHAIN = {
  /** Edge: the agent publishes batches here with publisher confirms. */
  edgeExchange: 'flotilla.logs',
  /** Edge: the buffer through network cuts; capped by bytes, refuses publishes when full. */
  outbox: 'flotilla.logs.outbox',
  /** Center: the only exchange a cluster's user may publish to; the shovels publish here. */
  ingestExchange: 'flotilla.logs.ingest',
  /** Center: what the daemon consumes, with manual acks after the sink has committed. */
  ingestQueue: 'flotilla.logs.ingest',
  /** Center: where unparseable or rejected messages go, with a reason; never dropped. */
  deadExchange: 'flotilla.logs.dead',
  deadQueue: 'flotilla.logs.dead',
} as const;

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';
export type ArgumentValue = string | number | boolean;

export interface ExchangeSpec {
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, ArgumentValue>;
}

export interface QueueSpec {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  arguments: Record<string, ArgumentValue>;
}

export interface BindingSpec {
  /** The exchange. */
  source: string;
  /** The queue. */
  destination: string;
  routingKey: string;
  arguments: Record<string, ArgumentValue>;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

/** RabbitMQ's three permission regexes, matched against exchange and queue names. */
export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

export interface UserSpec {
  name: string;
  /** No tags: the user cannot log in to the management API at all. */
  tags: string[];
  permissions: Permissions;
}

/** The value of a dynamic shovel parameter (PUT /api/parameters/shovel/<vhost>/<name>), field names as RabbitMQ 3.10 spells them. */
export interface ShovelValue {
  'src-protocol': 'amqp091';
  'src-uri': string;
  'src-queue': string;
  'src-prefetch-count': number;
  'src-delete-after': 'never';
  'dest-protocol': 'amqp091';
  'dest-uri': string;
  'dest-exchange': string;
  'dest-publish-properties': Record<string, ArgumentValue>;
  'ack-mode': 'on-confirm';
  'reconnect-delay': number;
}

/** Outbox cap when the config names none: room for a long cut at a modest rate, far from a full disk. */
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SHOVEL_PREFETCH = 64;
export const DEFAULT_SHOVEL_RECONNECT_DELAY_S = 5;
/** Heartbeat on the shovel's connection to the center, so a silent cut is noticed in seconds, not at TCP's pace. */
export const DEFAULT_SHOVEL_HEARTBEAT_S = 10;
export const SHOVEL_NAME = 'flotilla-logs-to-central';

function durableExchange(name: string): ExchangeSpec {
  return { name, type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} };
}

function binding(source: string, destination: string): BindingSpec {
  return { source, destination, routingKey: '', arguments: {} };
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new FlotillaError('config', `${what} must be a positive whole number, not ${value}`, `Set ${what} to a positive whole number.`);
  return value;
}

/**
 * The edge broker: a fanout exchange bound to the durable outbox. The outbox holds at most
 * `outboxMaxBytes` of message bodies; when full it refuses new publishes (a confirm-mode publisher
 * gets a nack and waits) instead of dropping its oldest messages. It is lazy: a long cut's backlog
 * sits on disk, not in the broker's memory.
 */
export function edgeTopology(opts: { outboxMaxBytes?: number } = {}): Topology {
  const maxBytes = positiveInt(opts.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES, 'logs.rabbitmq.outboxMaxBytes');
  return {
    exchanges: [durableExchange(LOG_CHAIN.edgeExchange)],
    queues: [
      {
        name: LOG_CHAIN.outbox,
        durable: true,
        autoDelete: false,
        arguments: { 'x-max-length-bytes': maxBytes, 'x-overflow': 'reject-publish', 'x-queue-mode': 'lazy' },
      },
    ],
    bindings: [binding(LOG_CHAIN.edgeExchange, LOG_CHAIN.outbox)],
  };
}

/**
 * The central broker: the ingest exchange bound to the ingest queue the daemon consumes, and the
 * dead-letter exchange and queue. The ingest queue dead-letters to it, so a message the daemon
 * rejects without requeueing is kept there too.
 */
export function centralTopology(): Topology {
  return {
    exchanges: [durableExchange(LOG_CHAIN.ingestExchange), durableExchange(LOG_CHAIN.deadExchange)],
    queues: [
      { name: LOG_CHAIN.ingestQueue, durable: true, autoDelete: false, arguments: { 'x-dead-letter-exchange': LOG_CHAIN.deadExchange } },
      { name: LOG_CHAIN.deadQueue, durable: true, autoDelete: false, arguments: {} },
    ],
    bindings: [binding(LOG_CHAIN.ingestExchange, LOG_CHAIN.ingestQueue), binding(LOG_CHAIN.deadExchange, LOG_CHAIN.deadQueue)],
  };
}

function exactly(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** A regex no resource name matches: RabbitMQ names are never empty (the default exchange is checked as amq.default). */
export const NOTHING = '^$';

function checkCluster(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster)) throw new FlotillaError('usage', `"${cluster}" is not a cluster name`, 'Use the cluster name as registered (lower-case letters, digits and "-").');
}

/** The central broker user of one cluster. Its name is also the `user_id` the center sees on every message it shovels. */
export function clusterUserName(cluster: string): string {
  checkCluster(cluster);
  return `flotilla-cluster-${cluster}`;
}

/**
 * The per-cluster central user: it may publish to the ingest exchange and do nothing else. Configure
 * matches nothing (no declare, delete or server-named queue), read matches nothing (no consume, get,
 * purge, and no binding, which needs read on the exchange), write matches only the ingest exchange
 * (publishing to any other exchange, the default one included, is refused). No tags: no management
 * API login.
 */
export function clusterPublisher(cluster: string): UserSpec {
  return { name: clusterUserName(cluster), tags: [], permissions: { configure: NOTHING, write: exactly(LOG_CHAIN.ingestExchange), read: NOTHING } };
}

export interface ShovelOptions {
  cluster: string;
  /** The central broker as an AMQP URL without credentials, e.g. amqps://central.example:5671/flotilla. */
  centralUrl: string;
  /** The cluster user's password at the center. */
  password: string;
  /** The edge vhost the outbox lives in. */
  edgeVhost?: string;
  prefetch?: number;
  reconnectDelaySeconds?: number;
  heartbeatSeconds?: number;
}

/**
 * The dynamic shovel an edge runs: from its outbox to the central ingest exchange, as the cluster's
 * user. `on-confirm`: a message leaves the outbox only once the center has confirmed it, so a cut or
 * a central crash mid-transfer re-sends rather than loses (duplicates collapse by record id).
 * `user_id` is set on every shovelled message; the center checks it against the connection's user,
 * so the daemon knows which cluster sent a message however its body is labelled.
 */
export function shovelDefinition(o: ShovelOptions): { name: string; vhost: string; value: ShovelValue } {
  const user = clusterUserName(o.cluster);
  let dest: URL;
  try {
    dest = new URL(o.centralUrl);
  } catch {
    throw new FlotillaError('config', `central broker URL "${o.centralUrl}" is not a URL`, 'Write it as amqp://host:port/vhost or amqps://host:port/vhost.');
  }
  if (dest.protocol !== 'amqp:' && dest.protocol !== 'amqps:') {
    throw new FlotillaError('config', `central broker URL ${dest.protocol}//${dest.host} is not AMQP`, 'Write it as amqp://host:port/vhost or amqps://host:port/vhost.');
  }
  if (dest.username || dest.password) throw new FlotillaError('config', 'the central broker URL carries credentials', 'Leave them out: each cluster gets its own user, set by the daemon.');
  dest.username = encodeURIComponent(user);
  dest.password = encodeURIComponent(o.password);
  if (!dest.searchParams.has('heartbeat')) dest.searchParams.set('heartbeat', String(positiveInt(o.heartbeatSeconds ?? DEFAULT_SHOVEL_HEARTBEAT_S, 'heartbeatSeconds')));
  const edgeVhost = o.edgeVhost ?? '/';
  return {
    name: SHOVEL_NAME,
    vhost: edgeVhost,
    value: {
      'src-protocol': 'amqp091',
      // No host: the shovel's direct connection inside the edge node, to this vhost.
      'src-uri': `amqp:///${encodeURIComponent(edgeVhost)}`,
      'src-queue': LOG_CHAIN.outbox,
      'src-prefetch-count': positiveInt(o.prefetch ?? DEFAULT_SHOVEL_PREFETCH, 'prefetch'),
      'src-delete-after': 'never',
      'dest-protocol': 'amqp091',
      'dest-uri': dest.toString(),
      'dest-exchange': LOG_CHAIN.ingestExchange,
      'dest-publish-properties': { user_id: user, delivery_mode: 2 },
      'ack-mode': 'on-confirm',
      'reconnect-delay': positiveInt(o.reconnectDelaySeconds ?? DEFAULT_SHOVEL_RECONNECT_DELAY_S, 'reconnectDelaySeconds'),
    },
  };
}
