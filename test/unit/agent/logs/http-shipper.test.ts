import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpShipper } from '../../../../agent/logs/http-shipper.js';
import { ShipError } from '../../../../agent/logs/shipper.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../../core/dsse.js';
import { FlotillaError } from '../../../../core/errors.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { LogBatchSchema, type LogBatch } from '../../../../core/logs/batch.js';

const key = generateSigningKey();

function batch(batchId = 'batch-0001'): LogBatch {
  return {
    cluster: 'c1',
    batchId,
    sentAt: '2026-01-01T00:00:00.000Z',
    records: [
      { id: 'a'.repeat(32), ts: '2026-01-01T00:00:00.000Z', cluster: 'c1', namespace: 'ns', pod: 'p', container: 'c', node: 'n1', stream: 'stdout', level: 'error', message: 'boom', fields: { 'http.status': 500 } },
    ],
    drops: [],
  };
}

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  batch: LogBatch;
  keyid: string;
}

type Answer = (seen: Seen, res: ServerResponse) => void;

let server: Server | undefined;
let shipper: HttpShipper | undefined;

/** A daemon stand-in that opens every envelope with the agent's public key, as the ingest endpoint does. */
async function daemon(answer: Answer, prefix = ''): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const opened = openEnvelope(Buffer.concat(parts), { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: 16 * 1024 * 1024, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
      const s = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], batch: LogBatchSchema.parse(opened.payload), keyid: opened.keyid };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${prefix}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function errorBody(e: FlotillaError) {
  return { error: e.toBody() };
}

async function shipError(p: Promise<unknown>): Promise<ShipError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ShipError);
  return e as ShipError;
}

afterEach(async () => {
  await shipper?.close();
  shipper = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('HttpShipper', () => {
  it('posts the batch sealed with the agent key to /api/v1/ingest/logs and resolves with the ack', async () => {
    const d = await daemon((s, res) => json(res, 200, { batchId: s.batch.batchId, stored: 1, duplicates: 0 }));
    shipper = new HttpShipper({ server: d.url, key });
    const ack = await shipper.ship(batch());
    expect(ack).toEqual({ batchId: 'batch-0001', stored: 1, duplicates: 0 });
    expect(d.seen).toHaveLength(1);
    expect(d.seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/ingest/logs', contentType: 'application/json', keyid: key.keyid });
    expect(d.seen[0]?.batch).toEqual(batch());
  });

  it('keeps a path prefix of the server URL', async () => {
    const d = await daemon((s, res) => json(res, 200, { batchId: s.batch.batchId, stored: 1, duplicates: 0 }), '/flotilla/');
    shipper = new HttpShipper({ server: d.url, key });
    await shipper.ship(batch());
    expect(d.seen[0]?.url).toBe('/flotilla/api/v1/ingest/logs');
  });

  it('resends the same sealed body for the same batch', async () => {
    let n = 0;
    const d = await daemon((s, res) => (n++ === 0 ? json(res, 503, errorBody(new FlotillaError('unavailable', 'sink busy', 'Retry.'))) : json(res, 200, { batchId: s.batch.batchId, stored: 0, duplicates: 1 })));
    shipper = new HttpShipper({ server: d.url, key });
    const b = batch();
    expect((await shipError(shipper.ship(b))).kind).toBe('retry');
    expect(await shipper.ship(b)).toEqual({ batchId: b.batchId, stored: 0, duplicates: 1 });
    expect(d.seen.map((s) => s.batch)).toEqual([b, b]);
  });

  it.each([500, 502, 503, 429, 408])('maps %i to retry', async (status) => {
    const d = await daemon((_s, res) => json(res, status, errorBody(new FlotillaError('unavailable', 'the log sink is closed', 'Wait for the daemon.'))));
    shipper = new HttpShipper({ server: d.url, key });
    const e = await shipError(shipper.ship(batch()));
    expect(e.kind).toBe('retry');
    expect(e.message).toContain(String(status));
    expect(e.message).toContain('the log sink is closed');
  });

  it.each([
    [400, 'usage', 'batch does not match the schema'],
    [401, 'unauthenticated', 'unknown agent key'],
    [403, 'forbidden', 'batch names cluster "other"'],
    [409, 'conflict', 'cluster removed'],
    [413, 'usage', 'batch over 16777216 bytes'],
    [422, 'rejected', 'bad signature'],
  ] as const)('maps %i to refused with the daemon message', async (status, code, message) => {
    const d = await daemon((_s, res) => json(res, status, { error: { code, message, next: 'Re-register the agent.' } }));
    shipper = new HttpShipper({ server: d.url, key });
    const e = await shipError(shipper.ship(batch()));
    expect(e.kind).toBe('refused');
    expect(e.message).toContain(`${status} ${code}: ${message}`);
    expect(e.message).toContain('Re-register the agent.');
  });

  it('treats a 200 that is no ack of this batch as retry', async () => {
    const d = await daemon((_s, res) => json(res, 200, { batchId: 'someone-else', stored: 1, duplicates: 0 }));
    shipper = new HttpShipper({ server: d.url, key });
    const e = await shipError(shipper.ship(batch()));
    expect(e.kind).toBe('retry');
    expect(e.message).toContain('someone-else');
    server?.removeAllListeners('request');
    server?.on('request', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>'));
    expect((await shipError(shipper.ship(batch()))).message).toContain('without a log batch ack');
  });

  it('maps a refused connection to retry', async () => {
    const d = await daemon((_s, res) => json(res, 200, {}));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    shipper = new HttpShipper({ server: d.url, key });
    const e = await shipError(shipper.ship(batch()));
    expect(e.kind).toBe('retry');
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('abandons a request in flight on close, as retry', async () => {
    let arrived!: () => void;
    const request = new Promise<void>((resolve) => (arrived = resolve));
    const d = await daemon(() => arrived());
    shipper = new HttpShipper({ server: d.url, key });
    const pending = shipper.ship(batch());
    await request;
    await shipper.close();
    const e = await shipError(pending);
    expect(e.kind).toBe('retry');
    expect((await shipError(shipper.ship(batch()))).message).toContain('closed');
  });

  it('refuses a server that is no http URL at construction', () => {
    expect(() => new HttpShipper({ server: 'ftp://x', key })).toThrow(/not an http or https URL/);
    expect(() => new HttpShipper({ server: 'not a url', key })).toThrow(/not a URL/);
  });
});
