// Finds changed objects under a prefix by polling list() and comparing etags, so each object is
// read once per change. A backend's watch() only makes the next poll come sooner.
import type { ObjectStore, StoreEntry } from './types.js';

export interface PollerOptions {
  prefix: string;
  /** Directories under the prefix not to list at all (see ObjectStore.list). */
  exclude?: (dirKey: string) => boolean;
  intervalMs: number;
  onChange: (changed: StoreEntry[], removed: string[]) => Promise<void>;
  onError: (error: unknown) => void;
  /** Minimum gap between two polls triggered by watch hints. */
  hintDebounceMs?: number;
}

export class StorePoller {
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = true;
  private unwatch: (() => void) | undefined;
  private lastPoll = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: PollerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.unwatch = this.store.watch?.(this.opts.prefix, () => this.hint());
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unwatch?.();
  }

  /** Forget an etag so the object is delivered again on the next poll (e.g. after a transient failure). */
  forget(key: string): void {
    this.seen.delete(key);
  }

  /** Runs one poll now; resolves when its changes are handled. */
  async pollOnce(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.lastPoll = Date.now();
    try {
      const entries = await this.store.list(this.opts.prefix, this.opts.exclude ? { exclude: this.opts.exclude } : {});
      const changed: StoreEntry[] = [];
      const present = new Set<string>();
      for (const e of entries) {
        present.add(e.key);
        if (this.seen.get(e.key) !== e.etag) changed.push(e);
      }
      const removed = [...this.seen.keys()].filter((k) => !present.has(k));
      for (const k of removed) this.seen.delete(k);
      for (const e of changed) this.seen.set(e.key, e.etag);
      if (changed.length > 0 || removed.length > 0) await this.opts.onChange(changed, removed);
    } catch (e) {
      this.opts.onError(e);
    } finally {
      this.running = false;
    }
    if (this.again && !this.stopped) {
      this.again = false;
      await this.pollOnce();
    }
  }

  private hint(): void {
    if (this.stopped) return;
    const debounce = this.opts.hintDebounceMs ?? 50;
    const wait = Math.max(0, this.lastPoll + debounce - Date.now());
    this.schedule(wait);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.pollOnce().finally(() => {
        // Fixed rate: the interval counts from the start of a poll, so a slow poll does not
        // stretch the cycle (and every change's latency) by its own duration.
        if (!this.stopped) this.schedule(Math.max(0, this.opts.intervalMs - (Date.now() - started)));
      });
    }, delayMs);
    this.timer.unref?.();
  }
}
