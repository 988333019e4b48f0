// Reads the edge broker's outbox and shovel through its management API once per status interval, so
// each report carries them (docs/LOGS.md, "The pipeline"). A read never overlaps the previous one and
// a failed read is a figure (its error), not a log line per interval. A shovel that stays out of
// `running` while its broker answers is handed to onStuck: RabbitMQ 3.10 can leave a dynamic shovel
// `starting` for good after a cut that swallowed its reconnect handshake, and setting it again is
// what restarts it.
import type { RabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import type { Logger } from '../../core/log.js';
import type { EdgeFigures } from '../../core/status.js';
import { edgeFigures } from './edge-figures.js';

export interface EdgeProbeOptions {
  management: Pick<RabbitManagement, 'queueFigures' | 'shovelStatus'>;
  vhost: string;
  outbox: string;
  shovelName: string;
  outboxMaxBytes: number;
  intervalMs: number;
  logger: Logger;
  clock?: () => Date;
  /** A shovel out of `running` this long (and again each time as long) goes to onStuck. */
  stuckAfterMs?: number;
  onStuck?: (state: string, forMs: number) => void;
}

/** Longer than a few reconnect delays (5 s each) and a cut's heartbeat detection (20 s). */
export const SHOVEL_STUCK_MS = 120_000;

export class EdgeProbe {
  private latest: EdgeFigures | null = null;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private failing = false;
  /** When the shovel was last seen out of `running` after being in it or after the last onStuck; null while running. */
  private notRunningSince: number | null = null;

  constructor(private readonly o: EdgeProbeOptions) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.o.intervalMs);
    this.timer.unref();
  }

  /** The last read, null before the first has finished. */
  figures(): EdgeFigures | null {
    return this.latest;
  }

  /** Reads once (or joins the read in flight). */
  sample(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const { o } = this;
    const opts = { shovelName: o.shovelName, outboxMaxBytes: o.outboxMaxBytes };
    try {
      const [queue, shovels] = await Promise.all([o.management.queueFigures(o.vhost, o.outbox), o.management.shovelStatus(o.vhost)]);
      const at = (o.clock ?? (() => new Date()))();
      this.latest = edgeFigures({ queue, shovels }, { ...opts, at });
      this.watchShovel(this.latest.shovel?.state ?? null, at.getTime());
      if (this.failing) o.logger.info('the edge broker\'s management API answers again');
      this.failing = false;
    } catch (e) {
      const error = (e as Error).message;
      this.latest = edgeFigures({ error }, { ...opts, at: (o.clock ?? (() => new Date()))() });
      if (!this.failing) o.logger.warn({ err: error }, 'cannot read the edge outbox and shovel; the status report says so until it answers');
      this.failing = true;
    }
  }

  private watchShovel(state: string | null, nowMs: number): void {
    if (state === 'running' || state === null) {
      // No shovel at all is the pipeline's critical reason, not something to fix behind the operator's back.
      this.notRunningSince = null;
      return;
    }
    this.notRunningSince ??= nowMs;
    const forMs = nowMs - this.notRunningSince;
    if (forMs < (this.o.stuckAfterMs ?? SHOVEL_STUCK_MS)) return;
    this.notRunningSince = nowMs;
    this.o.onStuck?.(state, forMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
