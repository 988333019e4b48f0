// configure-logging end to end on two real RabbitMQ nodes, an edge and a center: the daemon's switch
// (daemon/logging/switch.ts, in process, with the real JobService) creates the cluster's central user,
// signs the config and submits the job; an in-process agent verifies it, declares its edge outbox,
// sets the shovel and ships on the RabbitMQ chain. Lines written to a tailed file arrive in the
// central flotilla.logs.ingest queue as the cluster's user; a full outbox (the edge cut off from the
// center) makes the agent hold and resume when there is room again; a restart re-applies the saved
// config without the store's copy; a viewer cannot switch a cluster.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema } from '../../../config/schemas.js';
import type { Identity } from '../../../core/api.js';
import { rabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import { LOG_CHAIN, SHOVEL_NAME } from '../../../core/brokers/topology.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import { JobResultSchema } from '../../../core/jobs.js';
import { publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { LogBatchSchema } from '../../../core/logs/batch.js';
import { RegistrationSchema, type Registration } from '../../../core/registration.js';
import { StatusReportSchema } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { switchLogging, type LoggingSwitchDeps } from '../../../daemon/logging/switch.js';
import { PIPELINE_ADMIN, startJobPipeline, type JobPipeline } from '../../harness/job-pipeline.js';
import { waitUntil } from '../../harness/proc.js';
import { useRabbitNodes } from '../../harness/rabbitmq.js';
import { startTcpProxy, type TcpProxy } from '../../harness/tcp-proxy.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const rabbit = useRabbitNodes(['edge', 'central']);
const CLUSTER = 'chain-1';
const USER = `flotilla-cluster-${CLUSTER}`;
const OUTBOX_CAP = 16 * 1024;
const VIEWER: Identity = { provider: 'token', subject: 'tok_viewer', name: 'viewer', role: 'viewer' };

const storePath = tempDir();
const store = new DirStore(storePath);
const dataDir = tempDir();
const logDir = tempDir();
const logFile = join(logDir, 'app.log');
let pipeline: JobPipeline;
let proxy: TcpProxy;
let central: ChannelModel;
let agent: AgentHandle | undefined;
let registration: Registration;
let written = 0;
/** Every message the center's ingest queue delivered. */
const ingested: ConsumeMessage[] = [];

function agentConfig() {
  const node = rabbit.nodes.edge;
  const passwordFile = join(dataDir, '..', `edge-password-${CLUSTER}`);
  writeFileSync(passwordFile, `${node.admin.password}\n`, { mode: 0o600 });
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath, pollIntervalMs: 50 },
    controlPlane: { keyid: pipeline.controlPlane.keyid, publicKey: publicKeyToBase64(pipeline.controlPlane.publicKey) },
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    // Nothing listens here: until the switch, batches wait (the file is the buffer).
    server: 'http://127.0.0.1:1',
    status: { intervalSeconds: 0.2 },
    sim: { nodes: 1, deployments: 1, faultRate: 0, seed: 1 },
    logs: {
      inputs: [{ paths: [join(logDir, '*.log')], format: 'plain', namespace: 'chain' }],
      scanIntervalMs: 50,
      batch: { maxRecords: 20, maxBytes: 65536, flushMs: 20 },
      retry: { initialMs: 20, maxMs: 200 },
      edge: { url: `amqp://127.0.0.1:${node.ports.amqp}`, managementUrl: node.managementUrl, vhost: '/', username: node.admin.username, passwordFile },
    },
  });
}

async function start(): Promise<AgentHandle> {
  agent = await startAgent(agentConfig(), { dataDir, logger: silentLogger() });
  return agent;
}

function switchDeps(): LoggingSwitchDeps {
  return {
    store,
    signingKey: pipeline.controlPlane,
    registry: pipeline.registry,
    fleet: pipeline.fleet,
    jobs: pipeline.jobs,
    central: { management: rabbit.management('central'), vhost: '/', advertisedUrl: `amqp://${proxy.host}:${proxy.port}` },
  };
}

/** Appends `count` numbered lines, each padded to at least `width` characters. */
function writeLines(count: number, width = 0): string[] {
  const lines = Array.from({ length: count }, (_, i) => `line ${written + i} `.padEnd(width, '.').trimEnd());
  written += count;
  appendFileSync(logFile, lines.map((l) => `${l}\n`).join(''));
  return lines;
}

/** Messages of every line ingested so far, as the batches' records say them, once each. */
function ingestedMessages(): Set<string> {
  const key = publicKeyFromBase64(registration.publicKey);
  const out = new Set<string>();
  for (const m of ingested) {
    const { payload } = openEnvelope(m.content, { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: 1 << 26, keyFor: (id) => (id === registration.keyid ? key : undefined) });
    for (const r of LogBatchSchema.parse(payload).records) out.add(r.message);
  }
  return out;
}

async function status() {
  const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
  if (!obj) return null;
  const env = JSON.parse(obj.body.toString('utf8')) as { payload: string };
  return StatusReportSchema.parse(JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')));
}

async function result(seq: number) {
  const obj = await store.get(storeKeys.result(CLUSTER, seq), 1 << 20);
  if (!obj) return null;
  const key = publicKeyFromBase64(registration.publicKey);
  return JobResultSchema.parse(openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.result, maxBytes: 1 << 20, keyFor: (id) => (id === registration.keyid ? key : undefined) }).payload);
}

beforeAll(async () => {
  pipeline = startJobPipeline(store);
  proxy = await startTcpProxy({ port: rabbit.nodes.central.ports.amqp });
  writeFileSync(logFile, '');
  pipeline.fleet.addCluster({ id: 'admin', name: 'admin' }, { name: CLUSTER, labels: {}, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
  await start();
  // What the store sync does with the agent's registration: pin its signing and encryption keys.
  const obj = await waitUntil(() => store.get(storeKeys.registration(CLUSTER), 1 << 20), { what: 'the agent registration' });
  const env = JSON.parse(obj.body.toString('utf8')) as { payload: string };
  registration = RegistrationSchema.parse(JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')));
  pipeline.fleet.applyRegistration(CLUSTER, registration, storeKeys.registration(CLUSTER), obj.etag);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await central?.close();
  await proxy?.close();
  pipeline?.close();
  cleanupTempDirs();
});

describe('configure-logging on a real edge and a real center', () => {
  it('refuses a viewer before anything changes at the center', async () => {
    const e = await switchLogging(switchDeps(), VIEWER, { cluster: CLUSTER, transport: 'rabbitmq' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('forbidden');
    expect(await rabbit.management('central').getPermissions('/', USER)).toBeNull();
  });

  it('switches the agent to the RabbitMQ chain: held lines and new ones reach the central ingest queue through the shovel as the cluster user', async () => {
    const held = writeLines(30);
    const res = await switchLogging(switchDeps(), PIPELINE_ADMIN, { cluster: CLUSTER, transport: 'rabbitmq', outboxMaxBytes: OUTBOX_CAP });
    expect(res).toMatchObject({ cluster: CLUSTER, version: 1, transport: 'rabbitmq', job: { type: 'configure-logging', params: { version: 1 } } });
    // The store holds the password only sealed.
    const stored = await store.get(storeKeys.config(CLUSTER, 'logging'), 1 << 20);
    expect(stored?.body.toString('utf8')).not.toMatch(/dest-uri/);
    expect(await rabbit.management('central').getPermissions('/', USER)).toEqual({ configure: '^$', write: '^flotilla\\.logs\\.ingest$', read: '^$' });

    central = await amqp.connect(rabbit.nodes.central.amqpUrl());
    const ch = await central.createChannel();
    await ch.consume(LOG_CHAIN.ingestQueue, (m) => {
      if (!m) return;
      ingested.push(m);
      ch.ack(m);
    });
    const done = await waitUntil(() => result(res.job.seq), { what: 'the configure-logging result', timeoutMs: 60_000 });
    expect(done).toMatchObject({ state: 'succeeded', output: { version: 1, transport: 'rabbitmq' } });
    const fresh = writeLines(30);
    await waitUntil(() => [...held, ...fresh].every((l) => ingestedMessages().has(l)), { what: 'every line at the center', timeoutMs: 60_000 });
    expect(ingested.every((m) => m.properties.userId === USER && m.properties.contentType === 'application/json')).toBe(true);
    const shovels = await rabbit.management('edge').shovelStatus('/');
    expect(shovels.find((s) => s.name === SHOVEL_NAME)?.state).toBe('running');
    const report = await waitUntil(async () => {
      const s = await status();
      return s?.loggingConfigVersion === 1 && s.pipeline.transport === 'rabbitmq' ? s : null;
    }, { what: 'a status report with the applied version' });
    expect(report.pipeline.transport).toBe('rabbitmq');
    // The report carries the edge as its management API answers: the outbox and the shovel's state.
    const edgeReport = await waitUntil(async () => {
      const s = await status();
      return s?.pipeline.edge?.shovel?.state === 'running' ? s : null;
    }, { what: 'a status report with the edge outbox and the running shovel' });
    expect(edgeReport.pipeline.edge).toMatchObject({ outboxMaxBytes: OUTBOX_CAP, error: null });
  });

  it('holds at a full outbox (no checkpoint moves past it) while the edge is cut off from the center, and resumes as soon as there is room', { timeout: 240_000 }, async () => {
    const edge = rabbit.management('edge');
    const lines: string[] = [];
    const local = await amqp.connect(rabbit.nodes.edge.amqpUrl());
    proxy.cut();
    try {
      // Write until the outbox refuses: the agent reports the nack as its last error and stops advancing.
      const report = await waitUntil(
        async () => {
          lines.push(...writeLines(40, 300));
          const s = await status();
          return s?.pipeline.lastError?.includes('outbox is full') ? s : null;
        },
        { what: 'the agent to hold at the full outbox', timeoutMs: 60_000, intervalMs: 200 },
      );
      // The refused lines are still unread in the file, none of them at the center, the outbox holding the rest.
      expect(report.pipeline.bytesBehind).toBeGreaterThan(0);
      expect(lines.some((l) => !ingestedMessages().has(l))).toBe(true);
      await waitUntil(async () => ((await edge.queueFigures('/', LOG_CHAIN.outbox))?.messagesReady ?? 0) > 0, { what: 'the outbox figures to show what it holds' });
      // ... and so does the agent's report: the pipeline view shows the outbox near its cap before anything is refused.
      await waitUntil(async () => ((await status())?.pipeline.edge?.outboxReadyBytes ?? 0) >= OUTBOX_CAP / 2, { what: 'the status report to show the outbox filling' });
      // Make room by hand, as the shovel would once the center is reachable: the agent goes on with the
      // very lines it was holding, and every line lands in the outbox (or the center) exactly as written.
      const ch = await local.createChannel();
      await waitUntil(
        async () => {
          for (let m = await ch.get(LOG_CHAIN.outbox, { noAck: true }); m; m = await ch.get(LOG_CHAIN.outbox, { noAck: true })) ingested.push(m as unknown as ConsumeMessage);
          const got = ingestedMessages();
          return lines.every((l) => got.has(l));
        },
        { what: 'every held line to be shipped once there was room', timeoutMs: 120_000, intervalMs: 200 },
      );
    } finally {
      proxy.reset();
      proxy.restore();
      await local.close();
    }
    await waitUntil(async () => (await status())?.pipeline.lastError === null, { what: 'the agent to ship freely again' });
  });

  it('re-applies the saved config after a restart, without the config in the store: the shovel comes back and lines flow', { timeout: 240_000 }, async () => {
    await agent?.stop();
    const node = rabbit.nodes.edge;
    // Deleting a shovel waits for its connections to close; on a loaded host that can outlast the default 10 s.
    const edge = rabbitManagement({ url: node.managementUrl, ...node.admin, timeoutMs: 120_000 });
    await edge.deleteShovel('/', SHOVEL_NAME);
    rmSync(join(storePath, 'clusters', CLUSTER, 'config'), { recursive: true, force: true });
    mkdirSync(join(storePath, 'clusters', CLUSTER, 'config'), { recursive: true });
    await start();
    await waitUntil(async () => (await edge.shovelStatus('/')).some((s) => s.name === SHOVEL_NAME && s.state === 'running'), { what: 'the shovel to be set again', timeoutMs: 60_000 });
    const after = writeLines(20);
    await waitUntil(() => after.every((l) => ingestedMessages().has(l)), { what: 'lines after the restart at the center', timeoutMs: 60_000 });
    expect((await status())?.loggingConfigVersion).toBe(1);
  });
});
