// The agent benchmark's next hop: answers every log batch posted to /api/v1/ingest/logs with
// `200 {batchId, stored, duplicates}` as the daemon does once its sink has committed, but stores
// nothing, so the figures are the agent's alone. It counts what it acks (a resent batch id counts
// once) and, for each batch, how old its oldest line is at the ack.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogBatch } from '../../core/logs/batch.js';
import { INGEST_LOGS_PATH } from '../../agent/logs/ship-outcome.js';

export interface AckedBatch {
  records: number;
  /** performance.now() at the ack. */
  atMs: number;
  /** Wall time of the ack minus the ts of the batch's first record (its oldest line, for one file). */
  oldestAgeMs: number;
}

export class NullAckServer {
  records = 0;
  duplicates = 0;
  readonly batches: AckedBatch[] = [];
  /** Called for each batch once counted, before it is answered (the bench reads the agent's CPU there). */
  onBatch: ((records: number, total: number) => void) | undefined;
  private readonly seen = new Set<string>();
  private server: Server | undefined;

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== INGEST_LOGS_PATH) {
        res.writeHead(404).end();
        return;
      }
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const envelope = JSON.parse(Buffer.concat(parts).toString('utf8')) as { payload: string };
        const batch = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as LogBatch;
        const dup = this.seen.has(batch.batchId);
        this.seen.add(batch.batchId);
        if (dup) this.duplicates += batch.records.length;
        else this.records += batch.records.length;
        this.onBatch?.(batch.records.length, this.records);
        const first = batch.records[0];
        this.batches.push({ records: batch.records.length, atMs: performance.now(), oldestAgeMs: first ? Date.now() - Date.parse(first.ts) : 0 });
        const body = JSON.stringify({ batchId: batch.batchId, stored: dup ? 0 : batch.records.length, duplicates: dup ? batch.records.length : 0 });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.records = 0;
    this.duplicates = 0;
    this.batches.length = 0;
    this.seen.clear();
    this.onBatch = undefined;
  }

  close(): Promise<void> {
    const s = this.server;
    if (!s) return Promise.resolve();
    s.closeAllConnections();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}
