// The RabbitMQ chain's next hop (docs/LOGS.md, "The RabbitMQ chain"): each batch, sealed with the
// agent's own key exactly as the HTTP shipper posts it (DSSE, PAYLOAD_TYPES.logBatch), is published
// as one persistent message to the edge exchange `flotilla.logs` on a confirm channel. The broker's
// ack is the commit the pipeline waits for; its nack (the outbox at its byte cap refuses with
// reject-publish) and a message routed nowhere (mandatory, returned) are retryable ShipErrors, so the
// pipeline holds the batch and the tailed file stays the buffer. publish() returning false (the
// socket's buffer is full) makes the next batch wait for 'drain'. A lost connection is reopened on
// the next attempt, no sooner than a jittered backoff after the last failed one.
import amqp, { type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { jitteredBackoffMs } from '../../core/backoff.js';
import { LOG_CHAIN } from '../../core/brokers/topology.js';
import { redactUris } from '../../core/brokers/management-errors.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import type { LogBatch, LogBatchAck } from '../../core/logs/batch.js';
import { ShipError, type Shipper } from './shipper.js';

export interface AmqpShipperOptions {
  /** The edge broker's AMQP URL with the agent's edge user and vhost, e.g. amqp://agent:pw@127.0.0.1:5672/%2F. */
  url: string;
  key: SigningKey;
  /** Routing key of every message (the edge exchange is a fanout; it names the cluster in broker traces). */
  cluster: string;
  logger: Logger;
  /** Reconnect backoff after a failed connection attempt. */
  reconnect?: { initialMs: number; maxMs: number };
  /** A connection attempt that has not finished by then fails (retry). */
  connectTimeoutMs?: number;
  /** PEM CA bundle to trust for an amqps:// url signed by a private CA. */
  ca?: Buffer;
  random?: () => number;
  clock?: () => number;
}

interface Link {
  conn: ChannelModel;
  ch: ConfirmChannel;
  /** Message ids the broker returned as unroutable; their (positive) confirm must not count as a commit. */
  returned: Set<string>;
  /** Set while publish() has returned false and 'drain' has not come. */
  drained: Promise<void> | null;
  /** Rejects every confirm still waiting when the channel or connection goes. */
  lost: Promise<never>;
}

const DEFAULT_RECONNECT = { initialMs: 250, maxMs: 30_000 };
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class AmqpShipper implements Shipper {
  readonly transport = 'rabbitmq' as const;
  private link: Promise<Link> | null = null;
  private current: Link | null = null;
  private failures = 0;
  private nextAttemptMs = 0;
  private closed = false;
  private readonly sealed = new WeakMap<LogBatch, Buffer>();
  private readonly random: () => number;
  private readonly clock: () => number;

  constructor(private readonly opts: AmqpShipperOptions) {
    this.random = opts.random ?? Math.random;
    this.clock = opts.clock ?? Date.now;
  }

  /** The edge URL without its password, for logs and status. */
  get endpoint(): string {
    return redactUris(this.opts.url);
  }

  async ship(batch: LogBatch): Promise<LogBatchAck> {
    if (this.closed) throw new ShipError('the shipper is closed', 'retry');
    let body = this.sealed.get(batch);
    if (!body) {
      body = sealEnvelope(PAYLOAD_TYPES.logBatch, batch, this.opts.key);
      this.sealed.set(batch, body);
    }
    const link = await this.connected();
    // Back-pressure: the last publish filled the socket's buffer; write nothing more until it drains.
    if (link.drained) await Promise.race([link.drained, link.lost]);
    const confirmed = new Promise<void>((resolve, reject) => {
      const fits = link.ch.publish(
        LOG_CHAIN.edgeExchange,
        this.opts.cluster,
        body,
        { persistent: true, mandatory: true, contentType: 'application/json', messageId: batch.batchId, timestamp: Math.floor(this.clock() / 1000) },
        (err) => {
          if (err) reject(new ShipError('the edge broker refused the batch (nack): the outbox is full (reject-publish) or the broker is in an alarm; holding it', 'retry'));
          else resolve();
        },
      );
      if (!fits && !link.drained) {
        link.drained = new Promise<void>((done) => link.ch.once('drain', done)).then(() => {
          link.drained = null;
        });
      }
    });
    await Promise.race([confirmed, link.lost]);
    if (link.returned.delete(batch.batchId)) {
      throw new ShipError(`the edge exchange ${LOG_CHAIN.edgeExchange} routed the batch to no queue (is the outbox declared and bound?)`, 'retry');
    }
    // The edge has the batch on disk; the shovel carries it on from there.
    return { batchId: batch.batchId, stored: batch.records.length, duplicates: 0 };
  }

  private connected(): Promise<Link> {
    this.link ??= this.open().catch((e: unknown) => {
      this.link = null;
      this.failures += 1;
      this.nextAttemptMs = this.clock() + jitteredBackoffMs(this.failures, this.random(), { capMs: (this.opts.reconnect ?? DEFAULT_RECONNECT).maxMs, baseMs: (this.opts.reconnect ?? DEFAULT_RECONNECT).initialMs });
      throw e;
    });
    return this.link;
  }

  private async open(): Promise<Link> {
    const wait = this.nextAttemptMs - this.clock();
    if (wait > 0) throw new ShipError(`reconnecting to the edge broker in ${wait} ms`, 'retry');
    let conn: ChannelModel;
    try {
      conn = await amqp.connect(this.opts.url, { timeout: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, ...(this.opts.ca ? { ca: [this.opts.ca] } : {}) });
    } catch (e) {
      throw new ShipError(`cannot reach the edge broker at ${this.endpoint}: ${redactUris((e as Error).message)}`, 'retry', { cause: e });
    }
    let ch: ConfirmChannel;
    try {
      ch = await conn.createConfirmChannel();
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw new ShipError(`cannot open a confirm channel on the edge broker: ${(e as Error).message}`, 'retry', { cause: e });
    }
    let fail: (e: ShipError) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    // Nobody may be waiting when the link goes; the rejection is observed by the next ship's race.
    lost.catch(() => undefined);
    const link: Link = { conn, ch, returned: new Set(), drained: null, lost };
    let gone = false;
    const drop = (why: string) => {
      if (gone) return;
      gone = true;
      if (!this.closed) this.opts.logger.warn({ edge: this.endpoint, why }, 'lost the edge broker; batches wait for the reconnect');
      // Only this link is gone: a newer one opened since stays.
      if (this.current === link) {
        this.current = null;
        this.link = null;
      }
      fail(new ShipError(`the connection to the edge broker went before it confirmed the batch: ${why}`, 'retry'));
    };
    conn.on('error', (e: Error) => drop(e.message));
    conn.on('close', () => drop('connection closed'));
    ch.on('error', (e: Error) => drop(e.message));
    ch.on('close', () => {
      drop('channel closed');
      void conn.close().catch(() => undefined);
    });
    ch.on('return', (m: Message) => {
      if (typeof m.properties.messageId === 'string') link.returned.add(m.properties.messageId);
    });
    if (this.failures > 0) this.opts.logger.info({ edge: this.endpoint, failures: this.failures }, 'connected to the edge broker again');
    if (gone) throw new ShipError('the edge broker closed the connection as it opened', 'retry');
    this.failures = 0;
    this.current = link;
    return link;
  }

  /** Closes the connection; a batch still waiting for its confirm fails (retry) and is shipped again after a restart. */
  async close(): Promise<void> {
    this.closed = true;
    const link = this.link;
    this.link = null;
    if (!link) return;
    try {
      const l = await link;
      await l.conn.close();
    } catch {
      // Never connected, or already gone: nothing to close.
    }
  }
}
