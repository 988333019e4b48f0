// Pure: the edge broker's figures for the status report (core/status.ts EdgeFiguresSchema) from what
// its management API answered about the outbox and the shovel, or why it did not answer.
import type { QueueFigures, ShovelStatus } from '../../core/brokers/rabbitmq-management.js';
import type { EdgeFigures } from '../../core/status.js';

export interface EdgeRead {
  /** null: the outbox does not exist (the edge has not been declared yet, or was reset). */
  queue: QueueFigures | null;
  shovels: readonly ShovelStatus[];
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function edgeFigures(read: EdgeRead | { error: string }, o: { shovelName: string; outboxMaxBytes: number; at: Date }): EdgeFigures {
  const base = { sampledAt: o.at.toISOString(), outboxMaxBytes: o.outboxMaxBytes };
  if ('error' in read) return { ...base, outboxMessages: null, outboxBytes: null, outboxReadyBytes: null, shovel: null, error: cut(read.error, 512) };
  const s = read.shovels.find((x) => x.name === o.shovelName);
  return {
    ...base,
    outboxMessages: read.queue?.messages ?? null,
    outboxBytes: read.queue?.bytes ?? null,
    outboxReadyBytes: read.queue?.bytesReady ?? null,
    shovel: s ? { state: cut(s.state, 32), reason: s.reason === undefined ? null : cut(s.reason, 256) } : null,
    error: read.queue ? null : 'the outbox queue does not exist on the edge broker',
  };
}
