// The edge probe on a fake management API: its figures, a failed read as a figure, and a shovel that
// stays out of `running` handed to onStuck once per window, not at every read.
import { describe, expect, it } from 'vitest';
import type { QueueFigures, ShovelStatus } from '../../../../core/brokers/rabbitmq-management.js';
import { silentLogger } from '../../../../core/log.js';
import { EdgeProbe } from '../../../../agent/logs/edge-probe.js';

const queue: QueueFigures = { messages: 2, messagesReady: 2, messagesUnacknowledged: 0, bytes: 100, bytesReady: 100, consumers: 1, arguments: {} };

function probe(states: (string | Error)[], stuckAfterMs = 60_000) {
  let now = Date.parse('2026-12-03T10:00:00Z');
  const stuck: { state: string; forMs: number }[] = [];
  let i = 0;
  const p = new EdgeProbe({
    management: {
      queueFigures: () => Promise.resolve(queue),
      shovelStatus: (): Promise<ShovelStatus[]> => {
        const s = states[Math.min(i++, states.length - 1)] as string | Error;
        return s instanceof Error ? Promise.reject(s) : Promise.resolve([{ name: 'sh', vhost: '/', type: 'dynamic', state: s }]);
      },
    },
    vhost: '/',
    outbox: 'flotilla.logs.outbox',
    shovelName: 'sh',
    outboxMaxBytes: 1000,
    intervalMs: 10_000,
    logger: silentLogger(),
    clock: () => new Date(now),
    stuckAfterMs,
    onStuck: (state, forMs) => stuck.push({ state, forMs }),
  });
  return { p, stuck, advance: (ms: number) => (now += ms) };
}

describe('EdgeProbe', () => {
  it('keeps the last read, a failed one as its error', async () => {
    const { p } = probe(['running', new Error('connect ECONNREFUSED')]);
    expect(p.figures()).toBeNull();
    await p.sample();
    expect(p.figures()).toMatchObject({ outboxMessages: 2, outboxReadyBytes: 100, shovel: { state: 'running' }, error: null });
    await p.sample();
    expect(p.figures()).toMatchObject({ outboxMessages: null, shovel: null, error: 'connect ECONNREFUSED' });
  });

  it('hands a shovel stuck out of running to onStuck once per window, and forgets it once it runs', async () => {
    const { p, stuck, advance } = probe(['starting', 'starting', 'starting', 'starting', 'running', 'starting', 'starting']);
    await p.sample(); // starting, since now
    advance(30_000);
    await p.sample(); // 30 s: not yet
    advance(30_000);
    await p.sample(); // 60 s: stuck
    expect(stuck).toEqual([{ state: 'starting', forMs: 60_000 }]);
    advance(30_000);
    await p.sample(); // 30 s into the next window
    advance(30_000);
    await p.sample(); // running again
    advance(30_000);
    await p.sample(); // starting: a new window begins
    advance(50_000);
    await p.sample();
    expect(stuck).toHaveLength(1);
  });

  it('joins a read in flight instead of starting another', async () => {
    const { p } = probe(['running']);
    const a = p.sample();
    expect(p.sample()).toBe(a);
    await a;
  });
});
