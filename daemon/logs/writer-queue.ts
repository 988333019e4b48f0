// One writer for the log sink, with a bounded wait list. Batches are committed one at a time in
// arrival order, so live subscribers see commits in the order the sink stored them; when the list is
// full the caller is told at once (503: the agent retries with backoff, its file is the buffer),
// never queued without bound. Pure: no I/O of its own.

export class QueueFull extends Error {
  constructor(readonly limit: number) {
    super(`the log writer has ${limit} batches waiting`);
    this.name = 'QueueFull';
  }
}

export class WriterQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private closed = false;

  constructor(private readonly limit: number) {}

  /** Tasks queued or running. */
  get depth(): number {
    return this.waiting;
  }

  get accepting(): boolean {
    return !this.closed;
  }

  /** Runs task after every task queued before it; throws QueueFull at the limit, or once closed. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed || this.waiting >= this.limit) throw new QueueFull(this.limit);
    this.waiting += 1;
    const result = this.tail.then(task).finally(() => {
      this.waiting -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Refuses new tasks and resolves once every queued one has finished. */
  async drain(): Promise<void> {
    this.closed = true;
    await this.tail;
  }
}
