// The RabbitMQ shipper (agent/logs/amqp-shipper.ts) against a real edge node: every batch lands in
// the outbox as one persistent message holding the same DSSE envelope the HTTP shipper posts; a
// full outbox nacks (a retryable ShipError) and takes batches again once drained; a batch routed to
// no queue is not taken as shipped; a connection lost mid-confirm fails the batch (retry) and the
// next one reconnects; a broker that cannot be reached is tried again only after a backoff.
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpShipper } from '../../../agent/logs/amqp-shipper.js';
import { ShipError } from '../../../agent/logs/shipper.js';
import { applyTopology } from '../../../core/brokers/apply-topology.js';
import { edgeTopology, LOG_CHAIN } from '../../../core/brokers/topology.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { generateSigningKey } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { LogBatchSchema } from '../../../core/logs/batch.js';
import { makeBatch, makeLines } from '../../fixtures/logs/batches.js';
import { waitUntil } from '../../harness/proc.js';
import { useRabbitNodes } from '../../harness/rabbitmq.js';
import { startTcpProxy, type TcpProxy } from '../../harness/tcp-proxy.js';

const rabbit = useRabbitNodes(['edge']);
const CLUSTER = 'ship-a';
const key = generateSigningKey();
const shippers: AmqpShipper[] = [];
let proxy: TcpProxy;
let reader: ChannelModel;

function shipperFor(vhost: string, opts: { viaProxy?: boolean; clock?: () => number } = {}): AmqpShipper {
  const node = rabbit.nodes.edge;
  const url = new URL(node.amqpUrl(undefined, vhost));
  if (opts.viaProxy) url.port = String(proxy.port);
  const s = new AmqpShipper({ url: url.toString(), key, cluster: CLUSTER, logger: silentLogger(), reconnect: { initialMs: 1000, maxMs: 1000 }, ...(opts.clock ? { clock: opts.clock } : {}) });
  shippers.push(s);
  return s;
}

async function vhostWith(vhost: string, outboxMaxBytes: number | null): Promise<void> {
  const m = rabbit.management('edge');
  await m.putVhost(vhost);
  await m.setPermissions(vhost, rabbit.nodes.edge.admin.username, { configure: '.*', write: '.*', read: '.*' });
  if (outboxMaxBytes === null) {
    await m.putExchange(vhost, edgeTopology().exchanges[0]!);
  } else {
    await applyTopology(m, vhost, edgeTopology({ outboxMaxBytes }));
  }
}

/** Takes every message in a vhost's outbox. */
async function drain(vhost: string): Promise<amqp.GetMessage[]> {
  const conn = await amqp.connect(rabbit.nodes.edge.amqpUrl(undefined, vhost));
  try {
    const ch = await conn.createChannel();
    const out: amqp.GetMessage[] = [];
    for (let m = await ch.get(LOG_CHAIN.outbox, { noAck: true }); m; m = await ch.get(LOG_CHAIN.outbox, { noAck: true })) out.push(m);
    return out;
  } finally {
    await conn.close();
  }
}

function opened(m: amqp.GetMessage) {
  const { payload } = openEnvelope(m.content, { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: 1 << 26, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
  return LogBatchSchema.parse(payload);
}

async function shipError(p: Promise<unknown>): Promise<ShipError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ShipError);
  return e as ShipError;
}

beforeAll(async () => {
  proxy = await startTcpProxy({ port: rabbit.nodes.edge.ports.amqp });
  await vhostWith('ship', 64 * 1024 * 1024);
  await vhostWith('capped', 6000);
  await vhostWith('unbound', null);
  reader = await amqp.connect(rabbit.nodes.edge.amqpUrl());
});

afterAll(async () => {
  await Promise.all(shippers.map((s) => s.close()));
  await reader?.close();
  await proxy?.close();
});

describe('the RabbitMQ shipper on a real edge node', () => {
  it('publishes each batch as one persistent JSON message holding the signed envelope, message-id = batchId, acked once confirmed', async () => {
    const s = shipperFor('ship');
    const batches = [0, 1, 2].map((i) => makeBatch(CLUSTER, makeLines(CLUSTER, i * 10, i * 10 + 10)));
    for (const b of batches) expect(await s.ship(b)).toEqual({ batchId: b.batchId, stored: 10, duplicates: 0 });
    expect(s.transport).toBe('rabbitmq');
    const got = await drain('ship');
    expect(got.map((m) => m.properties.messageId as string)).toEqual(batches.map((b) => b.batchId));
    for (const [i, m] of got.entries()) {
      expect(m.properties.contentType).toBe('application/json');
      expect(m.properties.deliveryMode).toBe(2);
      expect(opened(m)).toEqual(batches[i]);
    }
  });

  it('ships batches larger than the socket buffer (publish() false, then drain) side by side, all confirmed and whole', async () => {
    const s = shipperFor('ship');
    const big = (n: number) => makeBatch(CLUSTER, makeLines(CLUSTER, n * 500, n * 500 + 500, { message: (i) => `line ${i} `.padEnd(600, 'x') }));
    const batches = Array.from({ length: 6 }, (_, n) => big(n));
    const acks = await Promise.all(batches.map((b) => s.ship(b)));
    expect(acks.map((a) => a.batchId)).toEqual(batches.map((b) => b.batchId));
    const got = await drain('ship');
    expect(got.map((m) => opened(m).batchId).sort()).toEqual(batches.map((b) => b.batchId).sort());
    expect(got.every((m) => opened(m).records.length === 500)).toBe(true);
  });

  it('holds a batch the full outbox nacks (retry), keeping what it took, and ships it once the outbox is drained', async () => {
    const s = shipperFor('capped');
    const batch = () => makeBatch(CLUSTER, makeLines(CLUSTER, 0, 3, { message: (i) => `line ${i} `.padEnd(400, '.') }));
    const taken: string[] = [];
    let refused: ShipError | undefined;
    while (!refused) {
      const b = batch();
      await s.ship(b).then(
        () => taken.push(b.batchId),
        (e: unknown) => (refused = e as ShipError),
      );
    }
    expect(refused).toBeInstanceOf(ShipError);
    expect(refused.kind).toBe('retry');
    expect(refused.message).toMatch(/outbox is full/);
    expect(taken.length).toBeGreaterThan(0);
    const held = batch();
    expect((await shipError(s.ship(held))).kind).toBe('retry');
    const kept = await drain('capped');
    expect(kept.map((m) => m.properties.messageId as string)).toEqual(taken);
    await s.ship(held);
    expect((await drain('capped')).map((m) => m.properties.messageId as string)).toEqual([held.batchId]);
  });

  it('does not take a batch as shipped when the exchange routes it to no queue', async () => {
    const s = shipperFor('unbound');
    const e = await shipError(s.ship(makeBatch(CLUSTER, makeLines(CLUSTER, 0, 2))));
    expect(e.kind).toBe('retry');
    expect(e.message).toMatch(/routed the batch to no queue/);
  });

  it('fails a batch whose confirm is cut off by a lost connection (retry), and the next batch reconnects and ships', async () => {
    const s = shipperFor('ship', { viaProxy: true });
    await s.ship(makeBatch(CLUSTER, makeLines(CLUSTER, 0, 1)));
    proxy.cut();
    const lost = makeBatch(CLUSTER, makeLines(CLUSTER, 1, 2));
    const pending = s.ship(lost);
    await waitUntil(() => proxy.stats().heldBytes > 0, { what: 'the publish to be held by the cut' });
    proxy.reset();
    proxy.restore();
    expect((await shipError(pending)).kind).toBe('retry');
    const next = makeBatch(CLUSTER, makeLines(CLUSTER, 2, 3));
    await s.ship(next);
    expect((await drain('ship')).map((m) => m.properties.messageId as string)).toContain(next.batchId);
  });

  it('waits out a backoff before trying a broker it could not reach again', async () => {
    let now = 1_000_000;
    const s = new AmqpShipper({ url: 'amqp://u:secret@127.0.0.1:1/', key, cluster: CLUSTER, logger: silentLogger(), reconnect: { initialMs: 1000, maxMs: 1000 }, random: () => 0, clock: () => now });
    shippers.push(s);
    const first = await shipError(s.ship(makeBatch(CLUSTER, makeLines(CLUSTER, 0, 1))));
    expect(first.message).toMatch(/cannot reach the edge broker at amqp:\/\/u:\*\*\*@127\.0\.0\.1:1/);
    expect(first.message).not.toContain('secret');
    expect((await shipError(s.ship(makeBatch(CLUSTER, makeLines(CLUSTER, 0, 1))))).message).toMatch(/reconnecting to the edge broker in 500 ms/);
    now += 500;
    expect((await shipError(s.ship(makeBatch(CLUSTER, makeLines(CLUSTER, 0, 1))))).message).toMatch(/cannot reach/);
  });
});
