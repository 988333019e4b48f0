// The embedded chain's next hop: a batch sealed with the agent's own key (DSSE, PAYLOAD_TYPES.logBatch)
// posted to the daemon's POST /api/v1/ingest/logs. The daemon answers 200 with a LogBatchAck once the
// batch is committed; anything else is a ShipError whose kind tells the pipeline what to do (the
// status mapping is ship-outcome.ts). One keep-alive connection pool, so a steady stream of batches
// costs no TLS handshake each.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { FlotillaError } from '../../core/errors.js';
import type { SigningKey } from '../../core/keys.js';
import type { LogBatch, LogBatchAck } from '../../core/logs/batch.js';
import { interpretAnswer, ingestUrl } from './ship-outcome.js';
import { ShipError, type Shipper } from './shipper.js';

export interface HttpShipperOptions {
  /** The daemon's base URL (the agent config's `server`). */
  server: string;
  key: SigningKey;
  /** PEM CA bundle to trust for https, besides the system CAs. */
  ca?: Buffer;
  /** A request that has not answered by then is abandoned and retried (the daemon may be wedged). */
  timeoutMs?: number;
}

/** Answers larger than this are not an ack; reading stops there. */
const MAX_ANSWER_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpShipper implements Shipper {
  readonly transport = 'daemon' as const;
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly inFlight = new Set<{ abort(): void }>();
  private closed = false;
  /** A resent batch is the same object: seal (and JSON-encode) it once. */
  private readonly sealed = new WeakMap<LogBatch, Buffer>();

  constructor(private readonly opts: HttpShipperOptions) {
    this.url = ingestUrl(opts.server);
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 4, ...(opts.ca ? { ca: opts.ca } : {}) }) : new HttpAgent({ keepAlive: true, maxSockets: 4 });
  }

  get endpoint(): string {
    return this.url.href;
  }

  ship(batch: LogBatch): Promise<LogBatchAck> {
    if (this.closed) return Promise.reject(new ShipError('the shipper is closed', 'retry'));
    let body = this.sealed.get(batch);
    if (!body) {
      body = sealEnvelope(PAYLOAD_TYPES.logBatch, batch, this.opts.key);
      this.sealed.set(batch, body);
    }
    const payload = body;
    return new Promise<LogBatchAck>((resolve, reject) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json' },
        timeout: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      const handle = { abort: () => req.destroy(new ShipError('shipping stopped before the daemon answered', 'retry')) };
      this.inFlight.add(handle);
      const done = (settle: () => void): void => {
        this.inFlight.delete(handle);
        settle();
      };
      req.on('timeout', () => req.destroy(new ShipError(`the daemon did not answer within ${this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`, 'retry')));
      req.on('error', (e: NodeJS.ErrnoException) => done(() => reject(e instanceof ShipError ? e : new ShipError(`cannot reach the daemon at ${this.url.origin}: ${e.code ?? e.message}`, 'retry', { cause: e }))));
      req.on('response', (res) => {
        readAnswer(res).then(
          (text) => done(() => {
            const outcome = interpretAnswer(res.statusCode ?? 0, text, batch.batchId);
            if (outcome.ok) resolve(outcome.ack);
            else reject(new ShipError(outcome.message, outcome.kind));
          }),
          (e: unknown) => done(() => reject(new ShipError(`the daemon's answer broke off: ${(e as Error).message}`, 'retry', { cause: e }))),
        );
      });
      req.end(payload);
    });
  }

  /** Abandons any request in flight (its batch stays uncommitted and is sent again) and frees the sockets. */
  close(): Promise<void> {
    this.closed = true;
    for (const h of this.inFlight) h.abort();
    this.agent.destroy();
    return Promise.resolve();
  }
}

function readAnswer(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ANSWER_BYTES) parts.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('connection closed mid-answer')));
  });
}

/** The shipper of an agent config: `server` and an optional private CA (logs.daemonCaFile). */
export function openHttpShipper(server: string, key: SigningKey, caFile?: string): HttpShipper {
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new FlotillaError('config', `cannot read logs.daemonCaFile ${caFile}: ${(e as Error).message}`, 'Point logs.daemonCaFile at the PEM CA bundle that signed the daemon certificate, or remove it to trust the system CAs.', { cause: e });
    }
  }
  return new HttpShipper({ server, key, ...(ca ? { ca } : {}) });
}
