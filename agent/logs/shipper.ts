// The next hop of a log batch. The embedded chain posts to the daemon (http-shipper.ts); the
// RabbitMQ chain publishes to the edge broker with confirms. ship() resolves only once the hop has
// committed the batch; it rejects with a ShipError so the pipeline knows whether to retry.
import type { LogBatch, LogBatchAck } from '../../core/logs/batch.js';

export class ShipError extends Error {
  constructor(
    message: string,
    /** `retry`: the hop is away or busy (try again with backoff); `refused`: it rejected this batch as such (bad signature, schema) and will again. */
    readonly kind: 'retry' | 'refused',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ShipError';
  }
}

export interface Shipper {
  readonly transport: 'daemon' | 'rabbitmq';
  ship(batch: LogBatch): Promise<LogBatchAck>;
  close(): Promise<void>;
}
