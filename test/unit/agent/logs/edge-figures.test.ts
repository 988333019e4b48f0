// The edge broker's figures as the status report carries them: from the management API's answer, a
// missing outbox, a missing shovel, and a failed read.
import { describe, expect, it } from 'vitest';
import type { QueueFigures } from '../../../../core/brokers/rabbitmq-management.js';
import { StatusReportSchema } from '../../../../core/status.js';
import { edgeFigures } from '../../../../agent/logs/edge-figures.js';

const at = new Date('2026-12-03T10:00:00Z');
const opts = { shovelName: 'flotilla-logs', outboxMaxBytes: 1024, at };
const queue: QueueFigures = { messages: 3, messagesReady: 2, messagesUnacknowledged: 1, bytes: 600, bytesReady: 400, consumers: 1, arguments: {} };

describe('edgeFigures', () => {
  it('takes the outbox figures and the named shovel\'s state', () => {
    const shovels = [
      { name: 'other', vhost: '/', type: 'dynamic' as const, state: 'terminated', reason: 'x' },
      { name: 'flotilla-logs', vhost: '/', type: 'dynamic' as const, state: 'starting', reason: 'econnrefused' },
    ];
    expect(edgeFigures({ queue, shovels }, opts)).toEqual({ sampledAt: '2026-12-03T10:00:00.000Z', outboxMessages: 3, outboxBytes: 600, outboxReadyBytes: 400, outboxMaxBytes: 1024, shovel: { state: 'starting', reason: 'econnrefused' }, error: null });
  });

  it('says when the outbox is missing and when no shovel runs', () => {
    expect(edgeFigures({ queue: null, shovels: [] }, opts)).toMatchObject({ outboxMessages: null, outboxBytes: null, outboxReadyBytes: null, shovel: null, error: 'the outbox queue does not exist on the edge broker' });
    expect(edgeFigures({ queue, shovels: [] }, opts)).toMatchObject({ outboxMessages: 3, shovel: null, error: null });
  });

  it('keeps a failed read\'s reason, cut to what the status schema allows', () => {
    const f = edgeFigures({ error: 'x'.repeat(2000) }, opts);
    expect(f).toMatchObject({ outboxMessages: null, outboxBytes: null, shovel: null });
    expect(f.error).toHaveLength(512);
    const long = edgeFigures({ queue, shovels: [{ name: 'flotilla-logs', vhost: '/', type: 'dynamic', state: 's'.repeat(100), reason: 'r'.repeat(1000) }] }, opts);
    expect(StatusReportSchema.shape.pipeline.shape.edge.parse(long)).toEqual(long);
  });
});
