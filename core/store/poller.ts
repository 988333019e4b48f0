// Finds changed objects by comparing etags, so each object is read once per change. Two sources:
// the keys the caller already knows, checked on every poll with one headMany, and a listing of the
// prefix, which finds everything else and may run only every few polls. A backend's watch() hints
// make a poll come sooner; a hint that names its key checks just that key.
import type { ListOptions, ObjectStore, StoreEntry } from './types.js';

export interface PollerOptions {
  prefix: string;
  /** Directories under the prefix not to list at all (see ObjectStore.list). */
  exclude?: ListOptions['exclude'];
  /** Keys to check on every poll, e.g. the ones a registry knows of; called once per poll. */
  keys?: () => readonly string[];
  /** List the prefix on every Nth poll only (default 1: every poll); the first poll always lists. */
  listEvery?: number;
  /** Deliver irregular entries too (see StoreEntry.irregular), once per version like objects. */
  irregular?: boolean;
  intervalMs: number;
  onChange: (changed: StoreEntry[], removed: string[]) => Promise<void>;
  onError: (error: unknown) => void;
  /** Told what each poll looked at, for metrics. */
  onPolled?: (stats: PollStats) => void;
  /** Minimum gap between two polls triggered by watch hints. */
  hintDebounceMs?: number;
  /** Take the store's watch hints (default true); polling alone finds every change either way. */
  watch?: boolean;
}

export interface PollStats {
  /** A check of the keys watch hints named, rather than a poll. */
  hinted: boolean;
  /** Whether this poll listed the prefix, and how many entries the listing returned. */
  listed: boolean;
  listedEntries: number;
  /** Keys checked by headMany (known keys, or the keys named by watch hints). */
  headedKeys: number;
  changed: number;
  removed: number;
}

export class StorePoller {
  private readonly seen = new Map<string, string>();
  private readonly hinted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private hintTimer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = true;
  private unwatch: (() => void) | undefined;
  private lastPoll = 0;
  private polls = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: PollerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    if (this.opts.watch !== false) this.unwatch = this.store.watch?.(this.opts.prefix, (key) => this.hint(key));
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.hintTimer) clearTimeout(this.hintTimer);
    this.unwatch?.();
  }

  /** Forget an etag so the object is delivered again on the next poll that sees it (e.g. after a transient failure). */
  forget(key: string): void {
    this.seen.delete(key);
  }

  /** Runs one poll now; resolves when its changes are handled. */
  async pollOnce(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    await this.exclusive(() => this.poll());
  }

  /** Checks just these keys now (what a named watch hint does); resolves when their changes are handled. */
  async checkKeys(keys: readonly string[]): Promise<void> {
    if (this.running) {
      // Not now: they wait for the next hint round, or are seen by the poll under way.
      for (const k of keys) this.hinted.add(k);
      this.armHintTimer(this.opts.hintDebounceMs ?? 50);
      return;
    }
    await this.exclusive(() => this.check(keys));
  }

  private async exclusive(run: () => Promise<void>): Promise<void> {
    this.running = true;
    this.lastPoll = Date.now();
    try {
      await run();
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

  private async poll(): Promise<void> {
    const listing = this.polls % Math.max(1, this.opts.listEvery ?? 1) === 0;
    this.polls += 1;
    const keys = this.opts.keys?.() ?? [];
    const [heads, listed] = await Promise.all([
      keys.length > 0 ? this.store.headMany(keys, { irregular: this.opts.irregular ?? false }) : Promise.resolve([]),
      listing ? this.store.list(this.opts.prefix, { exclude: this.opts.exclude, irregular: this.opts.irregular ?? false }) : Promise.resolve(undefined),
    ]);
    const changed: StoreEntry[] = [];
    const removed: string[] = [];
    keys.forEach((key, i) => this.compare(key, heads[i] ?? null, changed, removed));
    if (listed) {
      const tracked = new Set(keys);
      const present = new Set<string>();
      for (const e of listed) {
        present.add(e.key);
        if (!tracked.has(e.key)) this.compare(e.key, e, changed, removed);
      }
      // Keys the listing is alone in covering are gone when it no longer shows them.
      for (const k of this.seen.keys()) if (!present.has(k) && !tracked.has(k)) removed.push(k);
      for (const k of removed) this.seen.delete(k);
    }
    this.opts.onPolled?.({ hinted: false, listed: listing, listedEntries: listed?.length ?? 0, headedKeys: keys.length, changed: changed.length, removed: removed.length });
    if (changed.length > 0 || removed.length > 0) await this.opts.onChange(changed, removed);
  }

  private async check(keys: readonly string[]): Promise<void> {
    const heads = await this.store.headMany(keys, { irregular: this.opts.irregular ?? false });
    const changed: StoreEntry[] = [];
    const removed: string[] = [];
    keys.forEach((key, i) => {
      const e = heads[i] ?? null;
      // A hint names directories as well as files; a directory is irregular only where the key space
      // wants a file, which the listing and the known keys judge.
      if (e?.irregular?.kind === 'directory' && e.irregular.at === key) return;
      this.compare(key, e, changed, removed);
    });
    this.opts.onPolled?.({ hinted: true, listed: false, listedEntries: 0, headedKeys: keys.length, changed: changed.length, removed: removed.length });
    if (changed.length > 0 || removed.length > 0) await this.opts.onChange(changed, removed);
  }

  private compare(key: string, entry: StoreEntry | null, changed: StoreEntry[], removed: string[]): void {
    if (!entry) {
      if (this.seen.delete(key)) removed.push(key);
      return;
    }
    if (this.seen.get(key) === entry.etag) return;
    this.seen.set(key, entry.etag);
    changed.push(entry);
  }

  private hint(key?: string): void {
    if (this.stopped) return;
    const debounce = this.opts.hintDebounceMs ?? 50;
    const wait = Math.max(0, this.lastPoll + debounce - Date.now());
    if (key === undefined || !this.wants(key)) {
      if (key === undefined) this.schedule(wait);
      return;
    }
    // A busy store hints all the time: checking the named keys keeps each hint's cost to its own key.
    this.hinted.add(key);
    this.armHintTimer(wait);
  }

  private armHintTimer(wait: number): void {
    if (this.hintTimer || this.stopped) return;
    this.hintTimer = setTimeout(() => {
      this.hintTimer = undefined;
      const keys = [...this.hinted];
      this.hinted.clear();
      if (keys.length > 0 && !this.stopped) void this.checkKeys(keys);
    }, wait);
    this.hintTimer.unref?.();
  }

  /** A hinted key is worth a look if a poll could find it: under the prefix, in no excluded directory. */
  private wants(key: string): boolean {
    const { prefix, exclude } = this.opts;
    if (!key.startsWith(prefix)) return false;
    if (!exclude) return true;
    for (let i = key.indexOf('/', prefix.lastIndexOf('/') + 1); i >= 0; i = key.indexOf('/', i + 1)) if (exclude(key.slice(0, i + 1))) return false;
    return true;
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
