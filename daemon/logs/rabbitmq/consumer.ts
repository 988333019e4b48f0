// The daemon's consumer of the central ingest queue (docs/LOGS.md, "Central ingestion from
// RabbitMQ"). Each connection starts by declaring the central topology through the management API,
// so a broker that lost its definitions (a new node, a wiped data dir) is set up again. Deliveries
// are collected into a batch (a count, a byte size or a short linger), each is verified like a POST
// to /api/v1/ingest/logs plus its shovel-stamped user_id, the refused ones are published to
// flotilla.logs.dead with their reason (confirmed) and acked, and all valid ones are committed in ONE
// sink write and only then acked (after dead-lettering, one by one, any record the sink refused for
// good): a crash anywhere before the ack redelivers, and redelivered records collapse by id. A
// failing sink stops consumption (cancel, everything unacked back to the queue) for a backoff; a lost
// connection reconnects with jittered backoff.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { applyTopology } from '../../../core/brokers/apply-topology.js';
import type { RabbitManagement } from '../../../core/brokers/rabbitmq-management.js';
import { centralTopology, LOG_CHAIN } from '../../../core/brokers/topology.js';
import { jitteredBackoffMs } from '../../../core/backoff.js';
import type { Logger } from '../../../core/log.js';
import type { LogRecord } from '../../../core/logs/record.js';
import type { RabbitMqCentralConfig } from '../../../config/logs-schema.js';
import type { DaemonMetrics } from '../../metrics.js';
import type { PinnedKey } from '../ingest-rules.js';
import type { LogService } from '../service.js';
import type { SinkRejection } from '../sink.js';
import { checkDelivery, type DeliveryVerdict } from './delivery-rules.js';

export const CONSUMER_STATES = ['connecting', 'consuming', 'paused', 'reconnecting', 'stopped'] as const;
export type ConsumerState = (typeof CONSUMER_STATES)[number];

/** Header naming why a delivery was dead-lettered; x-flotilla-message words it for a person. */
export const REASON_HEADER = 'x-flotilla-reason';
export const MESSAGE_HEADER = 'x-flotilla-message';
/** The delivery's user_id, kept as a header: the daemon may not re-publish another user's user_id. */
export const USER_HEADER = 'x-flotilla-user-id';
/** On a dead-lettered record (reason store_rejected): the cluster it came from. */
export const CLUSTER_HEADER = 'x-flotilla-cluster';

export interface BatchLimits {
  /** Deliveries per sink write; half the prefetch by default, so the next batch arrives while one commits. */
  maxMessages: number;
  maxBytes: number;
  /** A partial batch is committed after at most this long. */
  lingerMs: number;
}

export interface RabbitIngestOptions {
  config: RabbitMqCentralConfig;
  password: string;
  /** PEM CA bundle for amqps://. */
  ca?: Buffer;
  management: RabbitManagement;
  logs: LogService;
  pinnedKey(keyid: string): PinnedKey | undefined;
  /** logs.ingest.maxBatchBytes: the same size limit as the HTTP ingest. */
  maxBatchBytes: number;
  metrics: DaemonMetrics;
  log: Logger;
  batch?: Partial<BatchLimits>;
  backoff?: { baseMs: number; capMs: number };
  heartbeatSeconds?: number;
}

export const DEFAULT_LINGER_MS = 50;
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;
export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 30_000 };
export const DEFAULT_HEARTBEAT_S = 10;

/** One connection's state: deliveries waiting for the next flush, and its channels. */
interface Session {
  conn: ChannelModel;
  ch: Channel;
  dead: ConfirmChannel;
  consumerTag: string | undefined;
  pending: ConsumeMessage[];
  pendingBytes: number;
  timer: NodeJS.Timeout | undefined;
  flushes: Promise<void>;
  closed: boolean;
}

/** The AMQP URL with the daemon's credentials and the vhost; never logged. */
export function connectionUrl(config: RabbitMqCentralConfig, password: string, heartbeatSeconds: number): string {
  const u = new URL(config.url);
  u.username = encodeURIComponent(config.username);
  u.password = encodeURIComponent(password);
  u.pathname = `/${encodeURIComponent(config.vhost)}`;
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeatSeconds));
  return u.toString();
}

export class RabbitIngest {
  private readonly limits: BatchLimits;
  private readonly backoff: { baseMs: number; capMs: number };
  private current: ConsumerState = 'stopped';
  private session: Session | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private sinkFailures = 0;

  constructor(private readonly opts: RabbitIngestOptions) {
    this.limits = {
      maxMessages: opts.batch?.maxMessages ?? Math.max(1, Math.ceil(opts.config.prefetch / 2)),
      maxBytes: opts.batch?.maxBytes ?? DEFAULT_BATCH_BYTES,
      lingerMs: opts.batch?.lingerMs ?? DEFAULT_LINGER_MS,
    };
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.setState('stopped');
  }

  get state(): ConsumerState {
    return this.current;
  }

  /** Connects in the background; an unreachable broker is retried, never a failed daemon start. */
  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Finishes the batch being committed, closes the connection (what is unacked is redelivered later) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const s = this.session;
    if (s) {
      // no new deliveries; the ones already here are committed and acked, or left unacked if pending
      if (s.consumerTag !== undefined && !s.closed) await s.ch.cancel(s.consumerTag).catch(() => undefined);
      await s.flushes;
      await this.closeSession(s);
    }
    await this.loop;
    this.loop = undefined;
    this.setState('stopped');
  }

  private setState(state: ConsumerState): void {
    this.current = state;
    for (const s of CONSUMER_STATES) this.opts.metrics.rabbitConsumerState.set({ state: s }, s === state ? 1 : 0);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      this.setState(attempt === 0 ? 'connecting' : 'reconnecting');
      let closed: Promise<void> | undefined;
      try {
        closed = (await this.connect()).ended;
        attempt = 0;
        // stop() came while connecting: it found no session to close
        if (this.stopped && this.session) await this.closeSession(this.session);
        this.opts.log.info({ url: this.opts.config.url, vhost: this.opts.config.vhost, prefetch: this.opts.config.prefetch }, `consuming ${LOG_CHAIN.ingestQueue} on the central broker`);
      } catch (e) {
        if (!this.stopped) this.opts.log.warn({ err: e, url: this.opts.config.url, managementUrl: this.opts.config.managementUrl }, 'cannot consume from the central RabbitMQ broker; retrying with backoff');
      }
      if (closed) await closed;
      if (this.stopped) break;
      attempt += 1;
      this.opts.metrics.rabbitReconnects.inc();
      this.setState('reconnecting');
      await this.sleep(jitteredBackoffMs(attempt, Math.random(), this.backoff));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Declares the topology, opens the channels and starts consuming; resolves with a promise of the connection's end. */
  private async connect(): Promise<{ ended: Promise<void> }> {
    const { config, management } = this.opts;
    await applyTopology(management, config.vhost, centralTopology());
    const conn = await amqp.connect(connectionUrl(config, this.opts.password, this.opts.heartbeatSeconds ?? DEFAULT_HEARTBEAT_S), this.opts.ca ? { ca: [this.opts.ca] } : {});
    const ended = new Promise<void>((resolve) => conn.once('close', () => resolve()));
    conn.on('error', (e: unknown) => this.opts.log.warn({ err: e }, 'the connection to the central RabbitMQ broker failed'));
    let s: Session | undefined;
    try {
      const ch = await conn.createChannel();
      const dead = await conn.createConfirmChannel();
      s = { conn, ch, dead, consumerTag: undefined, pending: [], pendingBytes: 0, timer: undefined, flushes: Promise.resolve(), closed: false };
      const session = s;
      void ended.then(() => this.endSession(session));
      // A channel closed by the broker (an error on it) ends the connection: everything restarts cleanly.
      for (const c of [ch, dead]) {
        c.on('error', (e: unknown) => this.opts.log.warn({ err: e }, 'a channel to the central RabbitMQ broker failed'));
        c.once('close', () => void this.closeSession(session));
      }
      await ch.prefetch(config.prefetch);
      this.session = s;
      await this.consume(s);
    } catch (e) {
      if (s) await this.closeSession(s);
      else await conn.close().catch(() => undefined);
      throw e;
    }
    return { ended };
  }

  private async consume(s: Session): Promise<void> {
    const ok = await s.ch.consume(LOG_CHAIN.ingestQueue, (msg) => this.onDelivery(s, msg), { noAck: false });
    s.consumerTag = ok.consumerTag;
    this.setState('consuming');
  }

  private endSession(s: Session): void {
    s.closed = true;
    if (s.timer) clearTimeout(s.timer);
    s.pending = [];
    if (this.session === s) this.session = undefined;
  }

  private async closeSession(s: Session): Promise<void> {
    if (s.closed) return;
    this.endSession(s);
    await s.conn.close().catch(() => undefined);
  }

  private onDelivery(s: Session, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (the queue was deleted): reconnect, which declares it again.
      this.opts.log.warn(`the central broker cancelled the consumer of ${LOG_CHAIN.ingestQueue}; reconnecting`);
      void this.closeSession(s);
      return;
    }
    s.pending.push(msg);
    s.pendingBytes += msg.content.length;
    if (s.pending.length >= this.limits.maxMessages || s.pendingBytes >= this.limits.maxBytes) this.scheduleFlush(s);
    else s.timer ??= setTimeout(() => this.scheduleFlush(s), this.limits.lingerMs);
  }

  /** Flushes run one at a time per session; each takes what is pending when it starts. */
  private scheduleFlush(s: Session): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.flushes = s.flushes.then(async () => {
      const batch = s.pending;
      s.pending = [];
      s.pendingBytes = 0;
      if (batch.length === 0 || s.closed) return;
      try {
        await this.flush(s, batch);
      } catch (e) {
        // A settle or a dead-letter publish failed: the channel is gone; what is unacked comes again.
        this.opts.log.warn({ err: e, deliveries: batch.length }, 'could not settle a batch of broker deliveries; reconnecting, the unacked ones are redelivered');
        await this.closeSession(s);
      }
    });
  }

  private async flush(s: Session, batch: ConsumeMessage[]): Promise<void> {
    const { metrics } = this.opts;
    const valid: { msg: ConsumeMessage; verdict: Extract<DeliveryVerdict, { ok: true }> }[] = [];
    const refused: { msg: ConsumeMessage; verdict: Extract<DeliveryVerdict, { ok: false }> }[] = [];
    for (const msg of batch) {
      const userId = typeof msg.properties.userId === 'string' ? msg.properties.userId : undefined;
      const verdict = checkDelivery({ content: msg.content, userId, maxBytes: this.opts.maxBatchBytes, keyFor: (keyid) => this.opts.pinnedKey(keyid) });
      if (verdict.ok) valid.push({ msg, verdict });
      else refused.push({ msg, verdict });
    }
    if (refused.length > 0) await this.deadLetter(s, refused);
    if (valid.length === 0) return;
    let written;
    try {
      written = await this.opts.logs.commitBatches(valid.map((v) => v.verdict.accepted));
    } catch (e) {
      metrics.rabbitCommits.inc({ result: 'failed' });
      await this.pauseAfterSinkFailure(s, e, valid.length);
      return;
    }
    this.sinkFailures = 0;
    metrics.rabbitCommits.inc({ result: 'stored' });
    // Before the ack: a connection lost now redelivers the batch, whose records are then duplicates
    // and whose refused records are refused (and dead-lettered) again.
    if (written.rejected.length > 0) await this.deadLetterRecords(s, valid, written.rejected);
    // Every earlier delivery is settled (flushes run in order, dead letters are acked already), so one
    // multiple-ack up to the last valid tag acks exactly this batch's valid deliveries.
    s.ch.ack(valid[valid.length - 1]!.msg, true);
    metrics.rabbitMessages.inc({ result: 'stored' }, valid.length);
    metrics.rabbitRecords.inc({ result: 'stored' }, written.stored);
    metrics.rabbitRecords.inc({ result: 'duplicate' }, written.duplicates);
  }

  /** Publishes each refused delivery to flotilla.logs.dead with its reason, waits for the broker's confirms, then acks and records it. */
  private async deadLetter(s: Session, refused: { msg: ConsumeMessage; verdict: Extract<DeliveryVerdict, { ok: false }> }[]): Promise<void> {
    for (const { msg, verdict } of refused) {
      const userId = typeof msg.properties.userId === 'string' ? msg.properties.userId : undefined;
      const headers: Record<string, unknown> = { ...(msg.properties.headers ?? {}), [REASON_HEADER]: verdict.reason, [MESSAGE_HEADER]: verdict.message.slice(0, 1000) };
      if (userId !== undefined) headers[USER_HEADER] = userId;
      s.dead.publish(LOG_CHAIN.deadExchange, '', msg.content, {
        persistent: true,
        headers,
        ...(typeof msg.properties.contentType === 'string' ? { contentType: msg.properties.contentType } : {}),
        ...(typeof msg.properties.messageId === 'string' ? { messageId: msg.properties.messageId } : {}),
      });
    }
    await s.dead.waitForConfirms();
    for (const { msg, verdict } of refused) {
      s.ch.ack(msg);
      this.opts.metrics.logDeadLetters.inc({ reason: verdict.reason });
      this.opts.metrics.rabbitMessages.inc({ result: 'dead' });
      const userId = typeof msg.properties.userId === 'string' ? msg.properties.userId : '(no user_id)';
      this.opts.logs.refuseDelivery({ source: `amqp user ${userId}`, reason: verdict.reason, cluster: verdict.cluster, message: verdict.message });
    }
  }

  /**
   * Publishes each record the sink refused for good to flotilla.logs.dead on its own (the rest of its
   * delivery is stored, so the delivery is not): the record as JSON, its message id the record id (a
   * redelivery can dead-letter it again; the id tells the copies apart), the store's reason in the
   * headers. Waits for the broker's confirms.
   */
  private async deadLetterRecords(s: Session, valid: { msg: ConsumeMessage; verdict: Extract<DeliveryVerdict, { ok: true }> }[], rejected: readonly SinkRejection[]): Promise<void> {
    const carrier = new Map<string, { record: LogRecord; msg: ConsumeMessage; cluster: string }>();
    for (const { msg, verdict } of valid) {
      for (const record of verdict.accepted.batch.records) if (!carrier.has(record.id)) carrier.set(record.id, { record, msg, cluster: verdict.accepted.cluster });
    }
    const refused: { cluster: string; userId: string | undefined; message: string }[] = [];
    for (const { id, reason } of rejected) {
      const c = carrier.get(id);
      if (!c) continue;
      const userId = typeof c.msg.properties.userId === 'string' ? c.msg.properties.userId : undefined;
      const message = `record ${id} refused by the log store: ${reason}`.slice(0, 1000);
      const headers: Record<string, unknown> = { [REASON_HEADER]: 'store_rejected', [MESSAGE_HEADER]: message, [CLUSTER_HEADER]: c.cluster };
      if (userId !== undefined) headers[USER_HEADER] = userId;
      s.dead.publish(LOG_CHAIN.deadExchange, '', Buffer.from(JSON.stringify(c.record)), { persistent: true, headers, contentType: 'application/json', messageId: id });
      refused.push({ cluster: c.cluster, userId, message });
    }
    await s.dead.waitForConfirms();
    for (const r of refused) {
      this.opts.metrics.logDeadLetters.inc({ reason: 'store_rejected' });
      this.opts.metrics.rabbitRecords.inc({ result: 'dead' });
      this.opts.logs.refuseDelivery({ source: `amqp user ${r.userId ?? '(no user_id)'}`, reason: 'store_rejected', cluster: r.cluster, message: r.message });
    }
  }

  /**
   * The sink could not commit: stop consuming, return every unacked delivery to the queue, wait
   * (backoff growing with consecutive failures), then consume again. Nothing of the batch was acked.
   */
  private async pauseAfterSinkFailure(s: Session, err: unknown, failed: number): Promise<void> {
    this.sinkFailures += 1;
    const waitMs = jitteredBackoffMs(this.sinkFailures, Math.random(), this.backoff);
    this.setState('paused');
    this.opts.log.warn({ err, failures: this.sinkFailures, retryInMs: waitMs }, 'the log sink is failing: consumption of the central ingest queue paused, unacked deliveries requeued');
    if (s.consumerTag !== undefined) await s.ch.cancel(s.consumerTag);
    s.consumerTag = undefined;
    // Deliveries that arrived before the cancel took effect are unacked too: all go back.
    const requeued = failed + s.pending.length;
    s.pending = [];
    s.pendingBytes = 0;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.ch.nackAll(true);
    this.opts.metrics.rabbitMessages.inc({ result: 'requeued' }, requeued);
    await this.sleep(waitMs);
    if (!s.closed && !this.stopped) await this.consume(s);
  }
}
