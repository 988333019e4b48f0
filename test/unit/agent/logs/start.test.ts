import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLogShipping, type StartLogsDeps } from '../../../../agent/logs/start.js';
import type { LogPipeline } from '../../../../agent/logs/pipeline.js';
import { createAgentMetrics } from '../../../../agent/metrics.js';
import { AgentConfigSchema, type AgentConfig } from '../../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { silentLogger } from '../../../../core/log.js';
import { LogBatchSchema, type LogBatch } from '../../../../core/logs/batch.js';
import { FakeInput, record } from './fakes.js';

const key = generateSigningKey();
let server: Server | undefined;
let pipeline: LogPipeline | null = null;

function config(over: Record<string, unknown> = {}): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: 'c1',
    store: { type: 'dir', path: '/tmp/unused-store' },
    controlPlane: { keyid: 'ed25519:00', publicKey: 'AAAA' },
    bootstrapToken: 'bootstrap-token-0123456789',
    ...over,
  });
}

function deps(input: FakeInput, opened: AgentConfig[] = []): StartLogsDeps {
  return {
    dataDir: '/tmp/unused-data',
    cluster: 'c1',
    backendKind: 'sim',
    podNode: () => 'node-1',
    logger: silentLogger(),
    key,
    metrics: createAgentMetrics('c1', 'sim', '0.1.0'),
    openInputs: (c) => {
      opened.push(c);
      return [input];
    },
  };
}

afterEach(async () => {
  await pipeline?.stop();
  pipeline = null;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('startLogShipping', () => {
  it('opens nothing when logs are disabled or there is no server to ship to', async () => {
    const opened: AgentConfig[] = [];
    expect(await startLogShipping(config({ logs: { enabled: false }, server: 'http://127.0.0.1:1' }), deps(new FakeInput(), opened))).toBeNull();
    expect(await startLogShipping(config(), deps(new FakeInput(), opened))).toBeNull();
    expect(opened).toHaveLength(0);
  });

  it('refuses a bad server URL or an unreadable CA file as a config error before opening inputs', async () => {
    const opened: AgentConfig[] = [];
    await expect(startLogShipping(config({ server: 'ftp://daemon' }), deps(new FakeInput(), opened))).rejects.toMatchObject({ kind: 'config' });
    await expect(startLogShipping(config({ server: 'https://daemon:7420', logs: { daemonCaFile: '/nonexistent/ca.pem' } }), deps(new FakeInput(), opened))).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining('logs.daemonCaFile') as string,
    });
    expect(opened).toHaveLength(0);
  });

  it('ships what the inputs read to the daemon and commits on its ack', async () => {
    const received: LogBatch[] = [];
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const opened = openEnvelope(Buffer.concat(parts), { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: 1 << 24, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
        const batch = LogBatchSchema.parse(opened.payload);
        received.push(batch);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ batchId: batch.batchId, stored: batch.records.length, duplicates: 0 }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const input = new FakeInput();
    input.append([record(1), record(2, 'error')]);
    pipeline = await startLogShipping(config({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }), deps(input));
    await vi.waitFor(() => expect(input.commits).toHaveLength(1));
    expect(received.flatMap((b) => b.records.map((r) => r.message))).toEqual(['line 1', 'line 2']);
    expect(pipeline?.figures()).toMatchObject({ transport: 'daemon', errorLinesPerMinute: 1, lastError: null });
  });
});
