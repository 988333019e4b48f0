// The pipeline's one shipper whose next hop a `configure-logging` job can change while it runs: the
// daemon (HTTP) or the edge broker (AMQP). Switching closes the old hop, so a batch in flight on it
// fails as retryable and the pipeline ships the same batch again on the new one; checkpoints move only
// on the new hop's ack, so nothing is lost or skipped across a switch.
import type { LogBatch, LogBatchAck } from '../../core/logs/batch.js';
import type { Shipper } from './shipper.js';

export class SwitchingShipper implements Shipper {
  constructor(private current: Shipper) {}

  get transport(): Shipper['transport'] {
    return this.current.transport;
  }

  ship(batch: LogBatch): Promise<LogBatchAck> {
    return this.current.ship(batch);
  }

  async switchTo(next: Shipper): Promise<void> {
    const old = this.current;
    this.current = next;
    await old.close();
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
