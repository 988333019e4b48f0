// An in-process agent with a plain log input ships what the test writes to a daemon stand-in (a real
// HTTP server that opens every envelope with the agent's registered key and acks or refuses it): the
// lines arrive once each, a refused batch is retried and reported in the signed status, and the
// status report carries the shipping figures.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import { generateSigningKey, publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { LogBatchSchema, type LogBatch } from '../../../core/logs/batch.js';
import { RegistrationSchema } from '../../../core/registration.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const cpKey = generateSigningKey();
const CLUSTER = 'ship-1';
const running: AgentHandle[] = [];
let server: Server | undefined;

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});
afterAll(() => cleanupTempDirs());

/** The daemon's side of the embedded chain: verify with the key the agent registered in the store, then ack or refuse. */
async function daemonStandIn(store: DirStore, refuse: () => boolean): Promise<{ url: string; batches: LogBatch[] }> {
  const batches: LogBatch[] = [];
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      void (async () => {
        const reg = await store.get(storeKeys.registration(CLUSTER), 1 << 20);
        const raw = reg ? (JSON.parse(reg.body.toString('utf8')) as { payload: string }) : null;
        const pinned = raw ? RegistrationSchema.parse(JSON.parse(Buffer.from(raw.payload, 'base64').toString('utf8'))) : null;
        if (!pinned || refuse()) {
          const e = new FlotillaError('unauthenticated', 'unknown agent key', 'Register the agent with `flotilla cluster add`.');
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.toBody() }));
          return;
        }
        const key = publicKeyFromBase64(pinned.publicKey);
        const opened = openEnvelope(Buffer.concat(parts), { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: 1 << 24, keyFor: (id) => (id === pinned.keyid ? key : undefined) });
        const batch = LogBatchSchema.parse(opened.payload);
        batches.push(batch);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ batchId: batch.batchId, stored: batch.records.length, duplicates: 0 }));
      })();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, batches };
}

function agentConfig(storePath: string, server: string, logDir: string): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath },
    controlPlane: { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) },
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    server,
    status: { intervalSeconds: 0.2 },
    sim: { nodes: 2, deployments: 2, faultRate: 0, seed: 1 },
    logs: { inputs: [{ paths: [join(logDir, '*.log')], format: 'plain', namespace: 'legacy' }], scanIntervalMs: 50, batch: { maxRecords: 100, maxBytes: 65536, flushMs: 20 }, retry: { initialMs: 20, maxMs: 200 } },
  });
}

async function status(store: DirStore): Promise<StatusReport | null> {
  const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
  if (!obj) return null;
  // The signature is checked by the lifecycle test; here the figures are what matters.
  const raw = JSON.parse(obj.body.toString('utf8')) as { payload: string };
  return StatusReportSchema.parse(JSON.parse(Buffer.from(raw.payload, 'base64').toString('utf8')));
}

function numbered(from: number, to: number, level = 'info'): string {
  let text = '';
  for (let i = from; i < to; i++) text += `${JSON.stringify({ level, msg: `line ${i}` })}\n`;
  return text;
}

describe('agent log shipping (embedded chain)', () => {
  it('ships every line of a plain file once and reports the figures', async () => {
    const storePath = tempDir();
    const logDir = tempDir();
    mkdirSync(logDir, { recursive: true });
    const store = new DirStore(storePath);
    const daemon = await daemonStandIn(store, () => false);
    writeFileSync(join(logDir, 'app.log'), numbered(0, 300));
    running.push(await startAgent(agentConfig(storePath, daemon.url, logDir), { dataDir: tempDir(), logger: silentLogger() }));
    appendFileSync(join(logDir, 'app.log'), numbered(300, 500, 'error'));

    const messages = await waitUntil(() => {
      const all = daemon.batches.flatMap((b) => b.records.map((r) => r.message));
      return all.length >= 500 ? all : null;
    }, { what: '500 shipped lines' });
    expect(messages).toHaveLength(500);
    expect(new Set(messages).size).toBe(500);
    expect(daemon.batches.every((b) => b.cluster === CLUSTER && b.records.length <= 100)).toBe(true);
    expect(daemon.batches[0]?.records[0]).toMatchObject({ cluster: CLUSTER, namespace: 'legacy', container: 'app' });

    const report = await waitUntil(async () => {
      const s = await status(store);
      return s?.pipeline.transport === 'daemon' && s.pipeline.errorLinesPerMinute === 200 && s.pipeline.queueDepth === 0 ? s : null;
    }, { what: 'a report with the shipping figures' });
    expect(report.pipeline).toMatchObject({ transport: 'daemon', dropped: 0, sources: 1, lastError: null, bytesBehind: 0 });
  });

  it('keeps retrying a refused batch, says why in the status report, and ships it once accepted', async () => {
    const storePath = tempDir();
    const logDir = tempDir();
    mkdirSync(logDir, { recursive: true });
    const store = new DirStore(storePath);
    let refusing = true;
    const daemon = await daemonStandIn(store, () => refusing);
    writeFileSync(join(logDir, 'app.log'), numbered(0, 10));
    running.push(await startAgent(agentConfig(storePath, daemon.url, logDir), { dataDir: tempDir(), logger: silentLogger() }));

    const failing = await waitUntil(async () => {
      const s = await status(store);
      return s?.pipeline.lastError ? s : null;
    }, { what: 'a report with lastError' });
    expect(failing.pipeline.lastError).toContain('401 unauthenticated: unknown agent key');
    expect(failing.pipeline.queueDepth).toBe(10);
    expect(daemon.batches).toHaveLength(0);

    refusing = false;
    await waitUntil(() => daemon.batches.length > 0, { what: 'the batch accepted' });
    expect(daemon.batches.flatMap((b) => b.records.map((r) => r.message))).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
    await waitUntil(async () => (await status(store))?.pipeline.lastError === null, { what: 'lastError cleared' });
  });
});
