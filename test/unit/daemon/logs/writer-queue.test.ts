// The log writer's wait list: one task at a time in arrival order, refused at once when full or
// closed, and drain waits for what was queued.
import { describe, expect, it } from 'vitest';
import { QueueFull, WriterQueue } from '../../../../daemon/logs/writer-queue.js';

/** A task that finishes when the test says so. */
function gate(): { task: () => Promise<void>; open: () => void; started: () => boolean } {
  let open!: () => void;
  let started = false;
  const done = new Promise<void>((r) => (open = r));
  return {
    task: () => {
      started = true;
      return done;
    },
    open: () => open(),
    started: () => started,
  };
}

describe('WriterQueue', () => {
  it('runs tasks one at a time, in order', async () => {
    const q = new WriterQueue(4);
    const a = gate();
    const order: string[] = [];
    const first = q.run(async () => {
      await a.task();
      order.push('a');
    });
    const second = q.run(async () => {
      order.push('b');
    });
    await Promise.resolve();
    expect(a.started()).toBe(true);
    expect(order).toEqual([]);
    a.open();
    await Promise.all([first, second]);
    expect(order).toEqual(['a', 'b']);
    expect(q.depth).toBe(0);
  });

  it('refuses at the limit instead of buffering, and takes work again once there is room', async () => {
    const q = new WriterQueue(2);
    const a = gate();
    const p1 = q.run(a.task);
    const p2 = q.run(async () => 'second');
    expect(() => q.run(async () => 'third')).toThrow(QueueFull);
    a.open();
    await p1;
    expect(await p2).toBe('second');
    expect(await q.run(async () => 'again')).toBe('again');
  });

  it('keeps going after a task fails', async () => {
    const q = new WriterQueue(2);
    await expect(q.run(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(await q.run(async () => 1)).toBe(1);
  });

  it('drain refuses new tasks and waits for the queued ones', async () => {
    const q = new WriterQueue(4);
    const a = gate();
    let finished = false;
    void q.run(async () => {
      await a.task();
      finished = true;
    });
    const drained = q.drain();
    expect(() => q.run(async () => 1)).toThrow(QueueFull);
    expect(q.accepting).toBe(false);
    a.open();
    await drained;
    expect(finished).toBe(true);
  });
});
