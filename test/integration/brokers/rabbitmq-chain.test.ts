// The log chain's topology (core/brokers/topology.ts) applied to two real RabbitMQ nodes, an edge
// and a center, through the management adapter: the shovel moves the outbox to the center as the
// cluster's user, through a network cut too; the cluster user can publish to the ingest exchange
// and nothing else; a full outbox refuses publishes and never drops its oldest messages.
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTopology, applyUser } from '../../../core/brokers/apply-topology.js';
import { rabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import { centralTopology, clusterPublisher, edgeTopology, LOG_CHAIN, shovelDefinition } from '../../../core/brokers/topology.js';
import { FlotillaError } from '../../../core/errors.js';
import { waitUntil } from '../../harness/proc.js';
import { useRabbitNodes } from '../../harness/rabbitmq.js';
import { startTcpProxy, type TcpProxy } from '../../harness/tcp-proxy.js';
import { cleanupTempDirs } from '../../harness/tmp.js';

const rabbit = useRabbitNodes(['edge', 'central']);
const CLUSTER = 'c1';
const PASSWORD = 'cluster-c1-secret';
const user = clusterPublisher(CLUSTER);
const REJECT = 'reject-me';

let proxy: TcpProxy;
let central: ChannelModel;
/** Everything the center's ingest queue delivered, in order. */
const ingested: ConsumeMessage[] = [];

beforeAll(async () => {
  const edge = rabbit.management('edge');
  const center = rabbit.management('central');
  await applyTopology(edge, '/', edgeTopology({ outboxMaxBytes: 1024 * 1024 }));
  await applyTopology(center, '/', centralTopology());
  await applyUser(center, '/', user, PASSWORD);
  // The edge reaches the center through the proxy, so a test can cut the network between them.
  proxy = await startTcpProxy({ port: rabbit.nodes.central.ports.amqp });
  const shovel = shovelDefinition({ cluster: CLUSTER, centralUrl: `amqp://${proxy.host}:${proxy.port}`, password: PASSWORD, reconnectDelaySeconds: 1, heartbeatSeconds: 5 });
  await edge.putShovel(shovel.vhost, shovel.name, shovel.value);
  await waitUntil(async () => (await edge.shovelStatus('/')).some((s) => s.name === shovel.name && s.state === 'running'), { what: 'the shovel to run' });
  central = await amqp.connect(rabbit.nodes.central.amqpUrl());
  const ch = await central.createChannel();
  await ch.consume(LOG_CHAIN.ingestQueue, (msg) => {
    if (!msg) return;
    // As the daemon will do with a message it cannot take: reject it without requeueing.
    if (msg.content.toString() === REJECT) return ch.nack(msg, false, false);
    ingested.push(msg);
    ch.ack(msg);
  });
}, 60_000);

afterAll(async () => {
  await central?.close();
  await proxy?.close();
  cleanupTempDirs();
});

async function publishToEdge(bodies: string[]): Promise<void> {
  const conn = await amqp.connect(rabbit.nodes.edge.amqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    for (const b of bodies) ch.publish(LOG_CHAIN.edgeExchange, CLUSTER, Buffer.from(b), { persistent: true });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

const bodies = (from: number) => ingested.slice(from).map((m) => m.content.toString());

describe('the RabbitMQ chain on two real nodes', () => {
  it('applying the topology again changes nothing, and a different outbox cap is refused, not applied', async () => {
    await applyTopology(rabbit.management('edge'), '/', edgeTopology({ outboxMaxBytes: 1024 * 1024 }));
    await applyTopology(rabbit.management('central'), '/', centralTopology());
    const e = await applyTopology(rabbit.management('edge'), '/', edgeTopology({ outboxMaxBytes: 2048 })).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('conflict');
    expect((await rabbit.management('edge').queueFigures('/', LOG_CHAIN.outbox))?.arguments['x-max-length-bytes']).toBe(1024 * 1024);
  });

  it("moves what is published to the edge into the center's ingest queue, in order, stamped with the cluster's user", async () => {
    const from = ingested.length;
    const sent = Array.from({ length: 50 }, (_, i) => `batch-${i}`);
    await publishToEdge(sent);
    await waitUntil(() => ingested.length >= from + sent.length, { what: 'the shovel to deliver every batch' });
    expect(bodies(from)).toEqual(sent);
    for (const m of ingested.slice(from)) {
      expect(m.properties.userId).toBe(user.name);
      expect(m.properties.deliveryMode).toBe(2);
    }
    await waitUntil(async () => (await rabbit.management('edge').queueFigures('/', LOG_CHAIN.outbox))?.messages === 0, { what: 'the outbox to empty' });
  });

  it('keeps batches in the outbox through a cut and delivers every one after it', async () => {
    const edge = rabbit.management('edge');
    const from = ingested.length;
    proxy.cut();
    const sent = Array.from({ length: 20 }, (_, i) => `cut-${i}`);
    await publishToEdge(sent);
    await waitUntil(async () => (await edge.queueFigures('/', LOG_CHAIN.outbox))?.messages === sent.length, { what: 'the outbox to hold the batches' });
    expect(ingested.length).toBe(from);
    proxy.restore();
    await waitUntil(() => new Set(bodies(from)).size === sent.length, { what: 'every batch to arrive after the cut' });
    expect([...new Set(bodies(from))].sort()).toEqual([...sent].sort());
    await waitUntil(async () => (await edge.queueFigures('/', LOG_CHAIN.outbox))?.messages === 0, { what: 'the outbox to empty' });
  });

  it('dead-letters a message the consumer rejects at the center, with the reason, instead of dropping it', async () => {
    await publishToEdge([REJECT]);
    const center = rabbit.management('central');
    await waitUntil(async () => (await center.queueFigures('/', LOG_CHAIN.deadQueue))?.messages === 1, { what: 'the message in the dead-letter queue' });
    const ch = await central.createChannel();
    const dead = await ch.get(LOG_CHAIN.deadQueue, { noAck: true });
    await ch.close();
    if (!dead) throw new Error('the dead-letter queue was empty');
    expect(dead.content.toString()).toBe(REJECT);
    const [death] = dead.properties.headers?.['x-death'] as { reason: string; queue: string }[];
    expect(death).toMatchObject({ reason: 'rejected', queue: LOG_CHAIN.ingestQueue });
    expect(dead.properties.userId).toBe(user.name);
  });

  it('resumes after the connection to the center is reset, and loses nothing', async () => {
    const from = ingested.length;
    proxy.reset();
    const sent = Array.from({ length: 20 }, (_, i) => `reset-${i}`);
    await publishToEdge(sent);
    await waitUntil(() => new Set(bodies(from)).size === sent.length, { what: 'every batch to arrive after the reset' });
    expect([...new Set(bodies(from))].sort()).toEqual([...sent].sort());
  });
});

/** Runs one AMQP operation on a fresh channel of `conn` as the cluster user; the broker's refusal code, or 'allowed'. */
async function attempt(conn: ChannelModel, op: (ch: amqp.ConfirmChannel) => Promise<unknown>): Promise<number | 'allowed'> {
  const ch = await conn.createConfirmChannel();
  let closedWith: { code?: number } | undefined;
  ch.on('error', (e: { code?: number }) => (closedWith = e));
  try {
    await op(ch);
  } catch (e) {
    const code = (e as { code?: number }).code ?? closedWith?.code;
    if (code !== undefined) return code;
    // A refused publish closes the channel; its code arrives on the channel's error event.
    await waitUntil(() => closedWith, { what: 'the channel error' });
    return closedWith?.code ?? -1;
  }
  await ch.close();
  return 'allowed';
}

async function publish(ch: amqp.ConfirmChannel, exchange: string, routingKey: string, options: amqp.Options.Publish = {}): Promise<void> {
  ch.publish(exchange, routingKey, Buffer.from('x'), options);
  await ch.waitForConfirms();
}

describe('the per-cluster central user', () => {
  let conn: ChannelModel;
  beforeAll(async () => {
    conn = await amqp.connect(rabbit.nodes.central.amqpUrl({ username: user.name, password: PASSWORD }));
    conn.on('error', () => undefined);
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('may publish to the ingest exchange', async () => {
    expect(await attempt(conn, (ch) => publish(ch, LOG_CHAIN.ingestExchange, ''))).toBe('allowed');
  });

  it('is refused (403) publishing anywhere else, declaring, deleting, binding, consuming, getting or purging', async () => {
    const refused = {
      'publish to the dead-letter exchange': (ch: amqp.ConfirmChannel) => publish(ch, LOG_CHAIN.deadExchange, ''),
      'publish through the default exchange': (ch: amqp.ConfirmChannel) => publish(ch, '', LOG_CHAIN.ingestQueue),
      'publish to amq.direct': (ch: amqp.ConfirmChannel) => publish(ch, 'amq.direct', LOG_CHAIN.ingestQueue),
      'declare a server-named queue': (ch: amqp.ConfirmChannel) => ch.assertQueue(''),
      'declare a queue of its own': (ch: amqp.ConfirmChannel) => ch.assertQueue('flotilla.logs.mine'),
      'declare an exchange': (ch: amqp.ConfirmChannel) => ch.assertExchange('flotilla.logs.mine', 'fanout'),
      'delete the ingest queue': (ch: amqp.ConfirmChannel) => ch.deleteQueue(LOG_CHAIN.ingestQueue),
      'bind the ingest queue to another exchange': (ch: amqp.ConfirmChannel) => ch.bindQueue(LOG_CHAIN.ingestQueue, 'amq.fanout', ''),
      'consume the ingest queue': (ch: amqp.ConfirmChannel) => ch.consume(LOG_CHAIN.ingestQueue, () => undefined),
      'get from the dead-letter queue': (ch: amqp.ConfirmChannel) => ch.get(LOG_CHAIN.deadQueue),
      'purge the ingest queue': (ch: amqp.ConfirmChannel) => ch.purgeQueue(LOG_CHAIN.ingestQueue),
    };
    for (const [what, op] of Object.entries(refused)) expect(await attempt(conn, op), what).toBe(403);
  });

  it("cannot pass a message off as another cluster's (406), nor log in to the management API", async () => {
    expect(await attempt(conn, (ch) => publish(ch, LOG_CHAIN.ingestExchange, '', { userId: 'flotilla-cluster-c2' }))).toBe(406);
    const e = await rabbitManagement({ url: rabbit.nodes.central.managementUrl, username: user.name, password: PASSWORD })
      .overview()
      .catch((err: unknown) => err);
    expect((e as FlotillaError).kind).toBe('unauthenticated');
  });
});

describe('a full outbox', () => {
  const VHOST = 'capped';
  const CAP = 10_000;
  const BODY = 1000;

  beforeAll(async () => {
    const edge = rabbit.management('edge');
    await edge.putVhost(VHOST);
    await edge.setPermissions(VHOST, rabbit.nodes.edge.admin.username, { configure: '.*', write: '.*', read: '.*' });
    // No shovel here: nothing drains this outbox, as in a long cut.
    await applyTopology(edge, VHOST, edgeTopology({ outboxMaxBytes: CAP }));
  });

  /** Publishes each body with confirms and reports, in order, whether the broker acked or nacked it. */
  async function publishEach(ch: amqp.ConfirmChannel, list: string[]): Promise<('ack' | 'nack')[]> {
    return Promise.all(
      list.map(
        (b) =>
          new Promise<'ack' | 'nack'>((resolve) => {
            ch.publish(LOG_CHAIN.edgeExchange, CLUSTER, Buffer.from(b.padEnd(BODY, '.')), { persistent: true }, (err) => resolve(err ? 'nack' : 'ack'));
          }),
      ),
    );
  }

  it('refuses publishes at its byte cap (a confirm-mode publisher gets nacks), keeps its oldest messages, and takes more once drained', async () => {
    const edge = rabbit.management('edge');
    const conn = await amqp.connect(rabbit.nodes.edge.amqpUrl(undefined, VHOST));
    try {
      const ch = await conn.createConfirmChannel();
      const list = Array.from({ length: 20 }, (_, i) => `line-${String(i).padStart(2, '0')}`);
      const outcome = await publishEach(ch, list);
      const accepted = outcome.indexOf('nack');
      expect(accepted).toBeGreaterThan(0);
      expect(outcome.slice(0, accepted).every((o) => o === 'ack')).toBe(true);
      expect(outcome.slice(accepted).every((o) => o === 'nack')).toBe(true);
      expect(accepted * BODY).toBeLessThanOrEqual(CAP);

      const figures = await waitUntil(
        async () => {
          const f = await edge.queueFigures(VHOST, LOG_CHAIN.outbox);
          return f?.messages === accepted ? f : undefined;
        },
        { what: 'the outbox figures' },
      );
      expect(figures.bytes).toBe(accepted * BODY);

      // The oldest are there, first; draining two makes room for exactly what fits again.
      const get = await conn.createChannel();
      const first = await get.get(LOG_CHAIN.outbox, { noAck: true });
      const second = await get.get(LOG_CHAIN.outbox, { noAck: true });
      expect([first, second].map((m) => (m ? m.content.toString().replace(/\.+$/, '') : null))).toEqual(['line-00', 'line-01']);
      expect(await publishEach(ch, ['after-1', 'after-2', 'after-3'])).toEqual(['ack', 'ack', 'nack']);

      const rest: string[] = [];
      for (let m = await get.get(LOG_CHAIN.outbox, { noAck: true }); m; m = await get.get(LOG_CHAIN.outbox, { noAck: true })) rest.push(m.content.toString().replace(/\.+$/, ''));
      expect(rest).toEqual([...list.slice(2, accepted), 'after-1', 'after-2']);
    } finally {
      await conn.close();
    }
  });
});
