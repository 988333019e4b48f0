import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TailState, type TailStep } from '../../../../cli/logs/tail-state.js';
import type { StoredLogRecord } from '../../../../core/logs/record.js';
import { stored } from './records.js';

const ids = (rs: readonly StoredLogRecord[]) => rs.map((r) => r.message);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => stored(from + i));

describe('TailState', () => {
  it('prints the snapshot, then live lines, and resumes after the last printed line', () => {
    const s = new TailState();
    expect(s.after).toBeNull();
    s.connected();
    expect(ids(s.snapshot(range(0, 3), true).print)).toEqual(['line 0', 'line 1', 'line 2']);
    // Without `after`, `more` only says older lines exist: no fill.
    expect(s.filling).toBe(false);
    expect(ids(s.lines(range(3, 5)).print)).toEqual(['line 3', 'line 4']);
    expect(s.after).toBe(stored(4).cursor);
  });

  it('skips lines it printed already', () => {
    const s = new TailState();
    s.connected();
    s.snapshot(range(0, 3), false);
    s.connected();
    expect(ids(s.snapshot(range(1, 5), false).print)).toEqual(['line 3', 'line 4']);
    expect(s.lines(range(0, 5)).print).toEqual([]);
  });

  it('fills a gap after a resumed snapshot with more, holding live lines until the pages run out', () => {
    const s = new TailState();
    s.connected();
    s.snapshot(range(0, 2), false);
    s.connected();
    let step: TailStep = s.snapshot(range(2, 4), true);
    expect(ids(step.print)).toEqual(['line 2', 'line 3']);
    expect(step.fetch).toEqual({ after: stored(3).cursor });
    expect(s.lines(range(8, 10)).print).toEqual([]);
    step = s.page({ items: range(4, 6), next: stored(5).cursor });
    expect(ids(step.print)).toEqual(['line 4', 'line 5']);
    expect(step.fetch).toEqual({ after: stored(5).cursor });
    step = s.page({ items: range(6, 9) });
    expect(ids(step.print)).toEqual(['line 6', 'line 7', 'line 8', 'line 9']);
    expect(step.fetch).toBeUndefined();
    expect(s.filling).toBe(false);
  });

  it('fills after a dropped notice, from the start when nothing was printed', () => {
    const s = new TailState();
    s.connected();
    s.snapshot([], false);
    expect(s.dropped().fetch).toEqual({ after: '' });
    // A second notice while filling needs no second fill: the pages cover it.
    expect(s.dropped()).toEqual({ print: [] });
    expect(ids(s.page({ items: range(0, 2) }).print)).toEqual(['line 0', 'line 1']);
    expect(s.dropped().fetch).toEqual({ after: stored(1).cursor });
  });

  it('lets held lines go when there are too many, and pages once more instead', () => {
    const s = new TailState({ held: 3 });
    s.connected();
    s.snapshot(range(0, 1), false);
    s.dropped();
    s.lines(range(5, 7));
    s.lines(range(7, 9));
    const step = s.page({ items: range(1, 5) });
    expect(ids(step.print)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(step.fetch).toEqual({ after: stored(4).cursor });
    expect(ids(s.page({ items: range(5, 9) }).print)).toEqual(['line 5', 'line 6', 'line 7', 'line 8']);
    expect(s.filling).toBe(false);
  });

  it('forgets the oldest ids past its window', () => {
    const s = new TailState({ seen: 2 });
    s.connected();
    s.snapshot(range(0, 3), false);
    expect(ids(s.lines([stored(0)]).print)).toEqual(['line 0']);
    expect(s.lines([stored(2)]).print).toEqual([]);
  });

  it('ignores a page that arrives after a reconnect superseded its fill', () => {
    const s = new TailState();
    s.connected();
    s.snapshot(range(0, 1), false);
    s.dropped();
    s.connected();
    s.snapshot(range(1, 2), false);
    expect(s.page({ items: range(5, 6) })).toEqual({ print: [] });
  });

  it('property: across random deliveries, drops, reconnects and paging, every stored line after the first snapshot prints once, in order', () => {
    type Event = { kind: 'live' | 'drop' | 'away'; n: number } | { kind: 'serve' };
    const event: fc.Arbitrary<Event> = fc.oneof(
      fc.record({ kind: fc.constantFrom('live' as const, 'drop' as const, 'away' as const), n: fc.integer({ min: 1, max: 12 }) }),
      fc.constant({ kind: 'serve' as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(event, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), (initial, events, snapshotMax, pageMax) => {
        const s = new TailState({ held: 15 });
        const all: StoredLogRecord[] = range(0, initial);
        const printed: StoredLogRecord[] = [];
        const fetches: string[] = [];
        const apply = (step: TailStep) => {
          printed.push(...step.print);
          if (step.fetch) fetches.push(step.fetch.after);
        };
        const after = (cursor: string) => all.filter((r) => r.cursor > cursor);
        const page = (cursor: string) => {
          const rest = after(cursor);
          const items = rest.slice(0, pageMax);
          return rest.length > pageMax ? { items, next: (items[items.length - 1] as StoredLogRecord).cursor } : { items };
        };
        const reconnect = () => {
          fetches.length = 0;
          s.connected();
          const from = s.after;
          const rest = from === null ? all.slice(-snapshotMax) : after(from).slice(0, snapshotMax);
          apply(s.snapshot(rest, from === null ? all.length > snapshotMax : after(from).length > snapshotMax));
        };
        const serve = () => {
          const cursor = fetches.shift();
          if (cursor !== undefined) apply(s.page(page(cursor)));
        };
        reconnect();
        const firstShown = Math.max(0, initial - snapshotMax);
        for (const e of events) {
          if (e.kind === 'serve') {
            serve();
            continue;
          }
          const fresh = range(all.length, all.length + e.n);
          all.push(...fresh);
          if (e.kind === 'live') apply(s.lines(fresh));
          else if (e.kind === 'drop') apply(s.dropped());
          else reconnect();
        }
        while (fetches.length > 0) serve();
        // Lines dropped at the very end with no fill yet requested still need a final resubscribe.
        reconnect();
        while (fetches.length > 0) serve();
        expect(ids(printed)).toEqual(ids(all.slice(firstShown)));
      }),
      { numRuns: 1000 },
    );
  });
});
