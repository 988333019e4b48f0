import { afterAll, describe, expect, it } from 'vitest';
import { DirStore } from '../../../../core/store/dir.js';
import { StorePoller, type PollStats } from '../../../../core/store/poller.js';
import type { ObjectStore, StoreEntry } from '../../../../core/store/types.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('StorePoller', () => {
  it('delivers each change once, and removals', async () => {
    const store = new DirStore(tempDir());
    const seen: { changed: string[]; removed: string[] }[] = [];
    const poller = new StorePoller(store, {
      prefix: 'clusters/',
      intervalMs: 60_000,
      onChange: async (changed: StoreEntry[], removed: string[]) => {
        seen.push({ changed: changed.map((c) => c.key).sort(), removed });
      },
      onError: (e) => {
        throw e;
      },
    });
    await store.put('clusters/a/status.json', Buffer.from('1'));
    await store.put('clusters/b/status.json', Buffer.from('1'));
    await poller.pollOnce();
    await poller.pollOnce(); // nothing changed: no callback
    await store.put('clusters/a/status.json', Buffer.from('22'));
    await store.delete('clusters/b/status.json');
    await poller.pollOnce();
    poller.forget('clusters/a/status.json');
    await poller.pollOnce();
    expect(seen).toEqual([
      { changed: ['clusters/a/status.json', 'clusters/b/status.json'], removed: [] },
      { changed: ['clusters/a/status.json'], removed: ['clusters/b/status.json'] },
      { changed: ['clusters/a/status.json'], removed: [] },
    ]);
  });

  it('reports a failing list through onError and keeps going', async () => {
    const errors: unknown[] = [];
    const failing = { description: 'x', list: () => Promise.reject(new Error('nfs gone')) } as unknown as DirStore;
    const poller = new StorePoller(failing, { prefix: 'clusters/', intervalMs: 1000, onChange: async () => undefined, onError: (e) => errors.push(e) });
    await poller.pollOnce();
    await poller.pollOnce();
    expect(errors).toHaveLength(2);
  });
});

/** A directory store that records every headMany and list call, with a watch whose hints the test sends. */
function observed() {
  const dir = new DirStore(tempDir());
  const calls: { op: 'headMany' | 'list'; keys?: readonly string[] }[] = [];
  let hint: ((key?: string) => void) | undefined;
  const store: ObjectStore = {
    description: dir.description,
    get: (k, max) => dir.get(k, max),
    put: (k, body) => dir.put(k, body),
    head: (k) => dir.head(k),
    delete: (k) => dir.delete(k),
    headMany: (keys, opts) => {
      calls.push({ op: 'headMany', keys: [...keys] });
      return dir.headMany(keys, opts);
    },
    list: (prefix, opts) => {
      calls.push({ op: 'list' });
      return dir.list(prefix, opts);
    },
    watch: (_prefix, onHint) => {
      hint = onHint;
      return () => undefined;
    },
  };
  return { dir, store, calls, hint: (key?: string) => hint?.(key) };
}

/** Collects deliveries; next() resolves with the next one, in order. */
function deliveries() {
  const got: { changed: string[]; removed: string[] }[] = [];
  const waiters: ((d: { changed: string[]; removed: string[] }) => void)[] = [];
  return {
    got,
    onChange: (changed: StoreEntry[], removed: string[]) => {
      const d = { changed: changed.map((c) => (c.irregular ? `${c.key} (${c.irregular.kind})` : c.key)).sort(), removed: [...removed].sort() };
      got.push(d);
      waiters.shift()?.(d);
      return Promise.resolve();
    },
    next: () => new Promise<{ changed: string[]; removed: string[] }>((resolve) => waiters.push(resolve)),
  };
}

const A = 'clusters/a/status.json';
const B = 'clusters/b/status.json';
const C = 'clusters/c/results/000000000001.json';

describe('StorePoller with known keys', () => {
  it('checks the known keys on every poll and lists the prefix on the first and every Nth', async () => {
    const { dir, store, calls } = observed();
    const d = deliveries();
    const poller = new StorePoller(store, { prefix: 'clusters/', keys: () => [A, B], listEvery: 3, intervalMs: 60_000, onChange: d.onChange, onError: (e) => { throw e; } });
    await dir.put(A, Buffer.from('1'));
    await dir.put(C, Buffer.from('1'));
    await poller.pollOnce(); // 1: lists
    expect(d.got.pop()).toEqual({ changed: [A, C], removed: [] });
    await dir.put(A, Buffer.from('22'));
    await dir.put(C, Buffer.from('22'));
    await poller.pollOnce(); // 2: known keys only, so C's change waits for the listing
    expect(d.got.pop()).toEqual({ changed: [A], removed: [] });
    await dir.put(B, Buffer.from('1'));
    await poller.pollOnce(); // 3
    expect(d.got.pop()).toEqual({ changed: [B], removed: [] });
    await poller.pollOnce(); // 4: lists again
    expect(d.got.pop()).toEqual({ changed: [C], removed: [] });
    expect(calls.map((c) => c.op)).toEqual(['headMany', 'list', 'headMany', 'headMany', 'headMany', 'list']);
    expect(calls.filter((c) => c.op === 'headMany').every((c) => c.keys?.join() === [A, B].join())).toBe(true);
  });

  it('reports a known key gone on the next poll, and a listed one on the next listing', async () => {
    const { dir, store } = observed();
    const d = deliveries();
    const poller = new StorePoller(store, { prefix: 'clusters/', keys: () => [A], listEvery: 2, intervalMs: 60_000, onChange: d.onChange, onError: (e) => { throw e; } });
    await dir.put(A, Buffer.from('1'));
    await dir.put(C, Buffer.from('1'));
    await poller.pollOnce();
    await dir.delete(A);
    await dir.delete(C);
    await poller.pollOnce();
    await poller.pollOnce();
    expect(d.got).toEqual([
      { changed: [A, C], removed: [] },
      { changed: [], removed: [A] },
      { changed: [], removed: [C] },
    ]);
  });

  it('delivers an irregular entry once per version, when asked for them', async () => {
    const { dir, store } = observed();
    const d = deliveries();
    const poller = new StorePoller(store, { prefix: 'clusters/', keys: () => [A], irregular: true, intervalMs: 60_000, onChange: d.onChange, onError: (e) => { throw e; } });
    await dir.put(B, Buffer.from('1'));
    await dir.put(`${A}/inside`, Buffer.from('a directory where a file belongs'));
    await poller.pollOnce();
    await poller.pollOnce();
    expect(d.got).toEqual([{ changed: [`${A} (directory)`, `${A}/inside`, B], removed: [] }]);
  });
});

describe('StorePoller and watch hints', () => {
  it('checks just the key a hint names, and passes over hints for excluded directories and directories', async () => {
    const { dir, store, calls, hint } = observed();
    const d = deliveries();
    const polled: PollStats[] = [];
    let firstPoll: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstPoll = resolve));
    const poller = new StorePoller(store, {
      prefix: 'clusters/',
      keys: () => [A, B],
      exclude: (dirKey) => dirKey.endsWith('/jobs/'),
      intervalMs: 60_000,
      hintDebounceMs: 0,
      onChange: d.onChange,
      onError: (e) => { throw e; },
      onPolled: (s) => {
        polled.push(s);
        firstPoll();
      },
    });
    poller.start();
    try {
      await started;
      calls.length = 0;
      await dir.put(C, Buffer.from('1'));
      await dir.put('clusters/c/jobs/000000000001.json', Buffer.from('1'));
      const next = d.next();
      hint('clusters/c/jobs/000000000001.json');
      hint('clusters/c');
      hint(C);
      expect(await next).toEqual({ changed: [C], removed: [] });
      expect(calls).toEqual([{ op: 'headMany', keys: ['clusters/c', C] }]);
      expect(polled.at(-1)).toMatchObject({ hinted: true, listed: false, headedKeys: 2, changed: 1 });
    } finally {
      poller.stop();
    }
  });

  it('polls everything soon on a hint that names no key', async () => {
    const { dir, store, calls, hint } = observed();
    const d = deliveries();
    const polls: PollStats[] = [];
    let notify: () => void = () => undefined;
    const poller = new StorePoller(store, {
      prefix: 'clusters/',
      keys: () => [A],
      listEvery: 100,
      intervalMs: 60_000,
      hintDebounceMs: 0,
      onChange: d.onChange,
      onError: (e) => { throw e; },
      onPolled: (s) => {
        polls.push(s);
        notify();
      },
    });
    const polled = (n: number) => new Promise<void>((resolve) => (notify = () => polls.length >= n && resolve()));
    const first = polled(1);
    poller.start();
    try {
      await first;
      await dir.put(A, Buffer.from('1'));
      const second = polled(2);
      hint();
      await second;
      expect(d.got).toEqual([{ changed: [A], removed: [] }]);
      expect(calls.map((c) => c.op)).toEqual(['headMany', 'list', 'headMany']);
    } finally {
      poller.stop();
    }
  });
});

describe('StorePoller without watch hints', () => {
  it('never asks the store to watch when told not to', async () => {
    const { store } = observed();
    let watched = false;
    const poller = new StorePoller({ ...store, watch: () => ((watched = true), () => undefined) }, { prefix: 'clusters/', watch: false, intervalMs: 60_000, onChange: () => Promise.resolve(), onError: (e) => { throw e; } });
    poller.start();
    poller.stop();
    expect(watched).toBe(false);
  });
});
