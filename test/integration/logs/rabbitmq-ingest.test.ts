/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions, not by types */
// Central ingestion from a real RabbitMQ node into a real `flotilla daemon` process (needs `npm run
// build`): the daemon declares the central topology itself, consumes flotilla.logs.ingest, stores
// and makes searchable what a cluster's central user publishes, collapses duplicates by id,
// dead-letters garbage and forgeries once with their reason, and loses nothing across a broker
// SIGKILL and restart or a daemon SIGKILL mid-ingest (acks only after the sink's commit).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUser } from '../../../core/brokers/apply-topology.js';
import { clusterPublisher, clusterUserName, LOG_CHAIN } from '../../../core/brokers/topology.js';
import { generateSigningKey } from '../../../core/keys.js';
import { DirStore } from '../../../core/store/dir.js';
import type { LogRecord } from '../../../core/logs/record.js';
import { REASON_HEADER } from '../../../daemon/logs/rabbitmq/consumer.js';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { assertBuilt, killAll, waitUntil, type Proc } from '../../harness/proc.js';
import { metricValue } from '../../harness/prom-text.js';
import { RABBIT_HOOK_TIMEOUT_MS, useRabbitNodes } from '../../harness/rabbitmq.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';

const rabbit = useRabbitNodes(['central']);
const CLUSTER = 'alpha';
const OTHER = 'beta';
const PASSWORDS: Record<string, string> = { [CLUSTER]: 'alpha-central-secret', [OTHER]: 'beta-central-secret' };
const LONG = 240_000;

let dataDir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
let token: string;
let daemon: Proc;
let url: string;
let agent: FakeAgent;
/** The cluster user's connection: publishes as the shovel does, user_id stamped. */
let publisher: ChannelModel | undefined;
let next = 0;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

/** Every stored id of the cluster, by paging the search API; an id twice would show as a longer list than set. */
async function storedIds(): Promise<string[]> {
  const ids: string[] = [];
  let before = '';
  for (;;) {
    const page = await api('GET', `/api/v1/logs?q=cluster:${CLUSTER}&limit=1000&before=${encodeURIComponent(before)}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    for (const r of page.body.items) ids.push(r.id as string);
    if (!page.body.next) return ids;
    before = page.body.next as string;
  }
}

async function metrics(): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function startDaemon(): Promise<void> {
  ({ daemon, url } = await startDaemonProcess(configPath, env));
  // The daemon declared the topology and consumes: the ingest queue has its consumer.
  await waitUntil(async () => (await rabbit.management('central').queueFigures('/', LOG_CHAIN.ingestQueue).catch(() => null))?.consumers === 1, { what: 'the daemon consuming the ingest queue', timeoutMs: 60_000 });
}

async function connectAs(cluster: string): Promise<ChannelModel> {
  const conn = await amqp.connect(rabbit.nodes.central.amqpUrl({ username: clusterUserName(cluster), password: PASSWORDS[cluster]! }));
  conn.on('error', () => undefined);
  return conn;
}

/** Publishes bodies to the central ingest exchange as `cluster`'s user, confirmed, each stamped with that user (as the shovel does). */
async function publishAs(conn: ChannelModel, cluster: string, bodies: Buffer[]): Promise<void> {
  const ch = await conn.createConfirmChannel();
  for (const body of bodies) ch.publish(LOG_CHAIN.ingestExchange, '', body, { persistent: true, contentType: 'application/json', userId: clusterUserName(cluster), messageId: `m-${next++}` });
  await ch.waitForConfirms();
  await ch.close();
}

/** `n` signed batches of `size` lines of the cluster, numbered from line `from`. */
function batches(from: number, n: number, size: number): { bodies: Buffer[]; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const bodies: Buffer[] = [];
  for (let b = 0; b < n; b++) {
    const lines = makeLines(CLUSTER, from + b * size, from + (b + 1) * size);
    records.push(...lines);
    bodies.push(sealBatch(makeBatch(CLUSTER, lines), agent.key));
  }
  return { bodies, records };
}

beforeAll(async () => {
  assertBuilt();
  dataDir = tempDir('flotilla-rmq-ingest-');
  env = isolatedEnv();
  ({ token, configPath } = await initControlPlane(dataDir, env));
  const passwordFile = join(dataDir, 'rabbitmq.password');
  writeFileSync(passwordFile, `${rabbit.nodes.central.admin.password}\n`, { mode: 0o600 });
  const node = rabbit.nodes.central;
  writeFileSync(
    configPath,
    `${readFileSync(configPath, 'utf8')}
logs:
  rabbitmq:
    url: amqp://127.0.0.1:${node.ports.amqp}
    managementUrl: ${node.managementUrl}
    username: ${node.admin.username}
    passwordFile: ${passwordFile}
    prefetch: 100
`,
  );
  await startDaemon();
  const added = await api('POST', '/api/v1/clusters', { name: CLUSTER });
  expect(added.status).toBe(201);
  agent = new FakeAgent(added.body.bundle, new DirStore(join(dataDir, 'store')));
  await agent.register();
  await waitUntil(async () => (await api('GET', `/api/v1/clusters/${CLUSTER}`)).body.row.registration === 'registered', { what: 'alpha registered' });
  // The per-cluster central users (configure-logging creates them; here the topology helpers do).
  for (const c of [CLUSTER, OTHER]) await applyUser(rabbit.management('central'), '/', clusterPublisher(c), PASSWORDS[c]!);
  publisher = await connectAs(CLUSTER);
}, RABBIT_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await publisher?.close().catch(() => undefined);
  await daemon?.stop();
  killAll();
  cleanupTempDirs();
}, RABBIT_HOOK_TIMEOUT_MS);

describe('central ingestion from RabbitMQ', () => {
  it('stores and makes searchable what the cluster user publishes, and collapses a duplicate delivery by id', async () => {
    const before = (await storedIds()).length;
    const { bodies, records } = batches(0, 10, 20);
    // the last batch twice, as a redelivery or a shovel's resend would bring it
    await publishAs(publisher!, CLUSTER, [...bodies, bodies[bodies.length - 1]!]);
    await waitUntil(async () => metricValue(await metrics(), 'flotilla_log_rabbitmq_messages_total', { result: 'stored' }) >= 11, { what: 'all 11 deliveries committed' });
    const ids = await storedIds();
    expect(ids.length - before).toBe(records.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(records.every((r) => ids.includes(r.id))).toBe(true);
    const text = await metrics();
    expect(metricValue(text, 'flotilla_log_rabbitmq_records_total', { result: 'duplicate' })).toBe(20);
    expect(metricValue(text, 'flotilla_log_rabbitmq_consumer_state', { state: 'consuming' })).toBe(1);
    // the message itself is searchable by its text
    const hit = await api('GET', `/api/v1/logs?q=${encodeURIComponent(`cluster:${CLUSTER} "${records[0]!.message}"`)}&limit=10`);
    expect((hit.body.items as { id: string }[]).map((r) => r.id)).toContain(records[0]!.id);
  });

  it('dead-letters garbage and forgeries to flotilla.logs.dead exactly once each, with the reason header, counted and recorded', async () => {
    const stranger = generateSigningKey();
    const forged = {
      malformed_json: { as: CLUSTER, body: Buffer.from('{not json') },
      unknown_key: { as: CLUSTER, body: sealBatch(makeBatch(CLUSTER, makeLines(CLUSTER, 9000, 9001)), stranger) },
      malformed_payload: { as: CLUSTER, body: sealBatch({ nope: true }, agent.key) },
      // alpha's own signed batch, replayed by beta's central user
      wrong_user: { as: OTHER, body: sealBatch(makeBatch(CLUSTER, makeLines(CLUSTER, 9100, 9101)), agent.key) },
    } as const;
    const beta = await connectAs(OTHER);
    try {
      for (const f of Object.values(forged)) await publishAs(f.as === CLUSTER ? publisher! : beta, f.as, [f.body]);
    } finally {
      await beta.close();
    }
    const reasons = Object.keys(forged);
    await waitUntil(async () => (await rabbit.management('central').queueFigures('/', LOG_CHAIN.deadQueue))?.messages === reasons.length, { what: 'every forgery in the dead-letter queue' });
    const conn = await amqp.connect(rabbit.nodes.central.amqpUrl());
    const dead: GetMessage[] = [];
    try {
      const ch = await conn.createChannel();
      for (let m = await ch.get(LOG_CHAIN.deadQueue, { noAck: true }); m; m = await ch.get(LOG_CHAIN.deadQueue, { noAck: true })) dead.push(m);
    } finally {
      await conn.close();
    }
    expect(dead.map((m) => m.properties.headers?.[REASON_HEADER] as string).sort()).toEqual([...reasons].sort());
    for (const m of dead) {
      const reason = m.properties.headers?.[REASON_HEADER] as keyof typeof forged;
      expect(m.content.equals(forged[reason].body), reason).toBe(true);
      expect(m.properties.headers?.['x-flotilla-user-id']).toBe(clusterUserName(forged[reason].as));
    }
    const text = await metrics();
    for (const r of reasons) expect(metricValue(text, 'flotilla_log_dead_letters_total', { reason: r }), r).toBe(1);
    // nothing of them was stored, and the ingest queue is empty: acked after dead-lettering
    expect((await storedIds()).filter((id) => ['9000', '9100'].some((n) => id.includes(n)))).toEqual([]);
    expect((await rabbit.management('central').queueFigures('/', LOG_CHAIN.ingestQueue))?.messages).toBe(0);
    // recorded like the HTTP ingest's refusals
    const rejections = await api('GET', '/api/v1/rejections?limit=100');
    expect(JSON.stringify(rejections.body)).toContain('wrong_user');
  });

  it('resumes after the broker is SIGKILLed and restarted mid-stream, and loses nothing', async () => {
    const node = rabbit.nodes.central;
    const first = batches(100_000, 200, 25);
    await publishAs(publisher!, CLUSTER, first.bodies);
    // mid-stream: some of the queue consumed, the rest still in it
    await waitUntil(async () => metricValue(await metrics(), 'flotilla_log_rabbitmq_commits_total', { result: 'stored' }) > 0, { what: 'ingest under way' });
    await publisher!.close().catch(() => undefined);
    publisher = undefined;
    await node.kill();
    await node.start();
    await waitUntil(async () => (await rabbit.management('central').queueFigures('/', LOG_CHAIN.ingestQueue).catch(() => null))?.consumers === 1, { what: 'the daemon consuming again', timeoutMs: 120_000 });
    expect(metricValue(await metrics(), 'flotilla_log_rabbitmq_reconnects_total')).toBeGreaterThan(0);
    publisher = await connectAs(CLUSTER);
    const second = batches(200_000, 20, 25);
    await publishAs(publisher, CLUSTER, second.bodies);
    const want = [...first.records, ...second.records].map((r) => r.id);
    const ids = await waitUntil(
      async () => {
        const got = await storedIds();
        const set = new Set(got);
        return want.every((id) => set.has(id)) ? got : undefined;
      },
      { what: 'every line published around the broker restart', timeoutMs: 120_000 },
    );
    expect(new Set(ids).size).toBe(ids.length);
  }, LONG);

  it('redelivers what a SIGKILLed daemon had not acked and stores it once', async () => {
    const { bodies, records } = batches(300_000, 1000, 100);
    await publishAs(publisher!, CLUSTER, bodies);
    const committed = metricValue(await metrics(), 'flotilla_log_rabbitmq_commits_total', { result: 'stored' });
    await waitUntil(async () => metricValue(await metrics(), 'flotilla_log_rabbitmq_commits_total', { result: 'stored' }) > committed, { what: 'ingest under way' });
    const killed = await daemon.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    // what the killed daemon had in flight is back in the queue, unacked no more
    const left = await waitUntil(
      async () => {
        const f = await rabbit.management('central').queueFigures('/', LOG_CHAIN.ingestQueue);
        return f?.consumers === 0 && f.messagesUnacknowledged === 0 ? f : undefined;
      },
      { what: 'the broker to requeue the dead consumer’s deliveries' },
    );
    await startDaemon();
    const want = records.map((r) => r.id);
    const ids = await waitUntil(
      async () => {
        const got = await storedIds();
        const set = new Set(got);
        return want.every((id) => set.has(id)) ? got : undefined;
      },
      { what: 'every line published before the daemon was killed', timeoutMs: 120_000 },
    );
    expect(new Set(ids).size).toBe(ids.length);
    // the kill came mid-ingest: deliveries were left for the new daemon
    expect(left.messages).toBeGreaterThan(0);
  }, LONG);
});
