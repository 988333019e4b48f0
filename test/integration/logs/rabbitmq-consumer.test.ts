// The central ingest consumer in-process against a real RabbitMQ node, over a real FTS5 sink that a
// test can make fail: a consumer batch is ONE sink write; while the sink fails nothing is acked, the
// deliveries go back to the queue and consumption pauses, and once it heals every record is stored
// once with the batch's drops recorded; a record the store refuses for good (as Elasticsearch refuses
// an item with a 400) is dead-lettered on its own while the rest of its delivery is stored; a deleted
// ingest queue is declared again on reconnect.
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUser } from '../../../core/brokers/apply-topology.js';
import { clusterPublisher, clusterUserName, LOG_CHAIN } from '../../../core/brokers/topology.js';
import { loadDaemonConfig } from '../../../config/daemon.js';
import { generateSigningKey } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import type { LogRecord } from '../../../core/logs/record.js';
import { initControlPlane } from '../../../daemon/init.js';
import { Fts5LogSink } from '../../../daemon/logs/fts5/sink.js';
import { RabbitIngest } from '../../../daemon/logs/rabbitmq/consumer.js';
import { LogService } from '../../../daemon/logs/service.js';
import type { LogSink } from '../../../daemon/logs/sink.js';
import { DaemonMetrics } from '../../../daemon/metrics.js';
import { Registry } from '../../../daemon/registry/registry.js';
import { waitUntil } from '../../harness/proc.js';
import { metricValue } from '../../harness/prom-text.js';
import { useRabbitNodes } from '../../harness/rabbitmq.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { makeBatch, makeDrop, makeLines, sealBatch } from '../../fixtures/logs/batches.js';

const rabbit = useRabbitNodes(['central']);
const key = generateSigningKey();
const BATCH = 5;

let registry: Registry;
let logs: LogService;
let ingest: RabbitIngest;
let metrics: DaemonMetrics;
let failing = false;
/** Records per successful sink write, and failed writes. */
const writes: number[] = [];
let failedWrites = 0;

beforeAll(async () => {
  const dir = tempDir('flotilla-rmq-consumer-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  const config = loadDaemonConfig(init.configPath, {}, {});
  registry = Registry.open(join(dir, 'registry.db'));
  // drops are recorded against a registered cluster
  registry.clusters.insert({ name: 'alpha', labels: {}, createdAt: new Date().toISOString(), expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
  metrics = new DaemonMetrics(() => ({ healthy: 0, degraded: 0, critical: 0, unreachable: 0, unknown: 0 }));
  const inner = new Fts5LogSink({ file: join(dir, 'logs.db'), partitionHours: 24 });
  const sink = Object.create(inner) as LogSink;
  sink.write = async (records: readonly LogRecord[]) => {
    if (failing) {
      failedWrites += 1;
      throw new Error('disk I/O error (injected)');
    }
    // As the Elasticsearch sink answers an item 400: the rest stored, the refused returned with the store's reason.
    const refused = records.filter((r) => r.message.startsWith('unparseable'));
    const r = await inner.write(records.filter((x) => !refused.includes(x)));
    writes.push(records.length);
    return { ...r, rejected: refused.map((x) => ({ id: x.id, reason: 'document_parsing_exception: [1:52] failed to parse field [fields.code] of type [long]' })) };
  };
  const pinnedKey = (keyid: string) => (keyid === key.keyid ? { cluster: 'alpha', key: key.publicKey } : undefined);
  logs = new LogService({ sink, config: config.logs, pinnedKey, registry, metrics, log: silentLogger(), refusalWindowSeconds: 60, refusalMaxSources: 10 });
  const node = rabbit.nodes.central;
  ingest = new RabbitIngest({
    config: { url: `amqp://127.0.0.1:${node.ports.amqp}`, managementUrl: node.managementUrl, vhost: '/', username: node.admin.username, passwordFile: '/nonexistent', prefetch: 100 },
    password: node.admin.password,
    management: rabbit.management('central'),
    logs,
    pinnedKey,
    maxBatchBytes: config.logs.ingest.maxBatchBytes,
    metrics,
    log: silentLogger(),
    // a flush exactly at BATCH deliveries, never by the clock: the test knows each write's contents
    batch: { maxMessages: BATCH, lingerMs: 3_600_000 },
    backoff: { baseMs: 50, capMs: 200 },
  });
  await applyUser(rabbit.management('central'), '/', clusterPublisher('alpha'), 'pw-alpha');
  ingest.start();
  await waitUntil(() => ingest.state === 'consuming', { what: 'the consumer consuming' });
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await logs?.stop();
  registry?.close();
  cleanupTempDirs();
});

async function publish(bodies: Buffer[]): Promise<void> {
  // as the cluster's central user, stamping its user_id as the shovel does
  const conn = await amqp.connect(rabbit.nodes.central.amqpUrl({ username: clusterUserName('alpha'), password: 'pw-alpha' }));
  try {
    const ch = await conn.createConfirmChannel();
    for (const b of bodies) ch.publish(LOG_CHAIN.ingestExchange, '', b, { persistent: true, userId: clusterUserName('alpha') });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

const stored = async () => (await logs.sink.stats()).records;

describe('the central ingest consumer', () => {
  it('commits a batch of deliveries in one sink write', async () => {
    const lines = Array.from({ length: BATCH }, (_, b) => makeLines('alpha', b * 10, b * 10 + 10));
    await publish(lines.map((l) => sealBatch(makeBatch('alpha', l), key)));
    await waitUntil(async () => (await stored()) === BATCH * 10, { what: 'the batch stored' });
    expect(writes).toEqual([BATCH * 10]);
  });

  it('acks nothing while the sink fails, pauses and requeues, and stores every record once with its drops after the sink heals', async () => {
    const before = await stored();
    failing = true;
    const lines = Array.from({ length: BATCH }, (_, b) => makeLines('alpha', 1000 + b * 10, 1000 + b * 10 + 10));
    const drop = makeDrop({ lines: 7 });
    await publish(lines.map((l, i) => sealBatch(makeBatch('alpha', l, i === 0 ? [drop] : []), key)));
    // at least two failed attempts: the deliveries came back to the consumer after the first
    await waitUntil(() => failedWrites >= 2, { what: 'the sink failing twice' });
    expect(await stored()).toBe(before);
    expect(registry.logDrops.totalsOf('alpha').lines).toBe(0);
    expect(await metric('flotilla_log_rabbitmq_messages_total', { result: 'requeued' })).toBeGreaterThanOrEqual(BATCH);
    failing = false;
    await waitUntil(async () => (await stored()) === before + BATCH * 10, { what: 'the batch stored after the sink healed' });
    await waitUntil(() => ingest.state === 'consuming', { what: 'consuming again' });
    expect(writes.slice(-1)).toEqual([BATCH * 10]);
    expect(registry.logDrops.totalsOf('alpha').lines).toBe(7);
    expect(await metric('flotilla_log_rabbitmq_commits_total', { result: 'failed' })).toBe(failedWrites);
  });

  it('dead-letters each record the store refuses on its own, with the store’s reason, and stores the rest of its delivery', async () => {
    const before = await stored();
    const lines = Array.from({ length: BATCH }, (_, b) => makeLines('alpha', 3000 + b * 10, 3000 + b * 10 + 10, b === 2 ? { message: (n) => (n % 10 < 2 ? `unparseable ${n}` : `fine ${n}`) } : {}));
    const refused = lines[2]!.slice(0, 2);
    await publish(lines.map((l) => sealBatch(makeBatch('alpha', l), key)));
    await waitUntil(async () => (await stored()) === before + BATCH * 10 - 2, { what: 'the deliveries stored but the two refused records' });
    await waitUntil(async () => ((await metric('flotilla_log_dead_letters_total', { reason: 'store_rejected' })) === 2 ? true : undefined), { what: 'two dead letters counted' });
    const conn = await amqp.connect(rabbit.nodes.central.amqpUrl());
    try {
      const ch = await conn.createChannel();
      const dead: amqp.GetMessage[] = [];
      for (let m = await ch.get(LOG_CHAIN.deadQueue, { noAck: true }); m; m = await ch.get(LOG_CHAIN.deadQueue, { noAck: true })) dead.push(m);
      expect(dead.map((m) => String(m.properties.messageId)).sort()).toEqual(refused.map((r) => r.id).sort());
      for (const m of dead) {
        expect(m.properties.headers?.['x-flotilla-reason']).toBe('store_rejected');
        expect(String(m.properties.headers?.['x-flotilla-message'])).toMatch(/refused by the log store: document_parsing_exception/);
        expect(m.properties.headers?.['x-flotilla-cluster']).toBe('alpha');
        expect(m.properties.headers?.['x-flotilla-user-id']).toBe(clusterUserName('alpha'));
        expect(JSON.parse(m.content.toString())).toEqual(refused.find((r) => r.id === m.properties.messageId));
      }
    } finally {
      await conn.close();
    }
    expect(await metric('flotilla_log_rabbitmq_records_total', { result: 'dead' })).toBe(2);
    expect(await metric('flotilla_log_rabbitmq_messages_total', { result: 'dead' })).toBe(0);
  });

  it('declares the ingest queue again when it is deleted under the consumer', async () => {
    const m = rabbit.management('central');
    await m.deleteQueue('/', LOG_CHAIN.ingestQueue);
    await waitUntil(async () => (await m.queueFigures('/', LOG_CHAIN.ingestQueue))?.consumers === 1, { what: 'the queue declared again and consumed' });
    const before = await stored();
    await publish(Array.from({ length: BATCH }, (_, b) => sealBatch(makeBatch('alpha', makeLines('alpha', 5000 + b, 5001 + b)), key)));
    await waitUntil(async () => (await stored()) === before + BATCH, { what: 'deliveries after the redeclare stored' });
  });
});

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  return metricValue(await metrics.registry.metrics(), name, labels);
}
