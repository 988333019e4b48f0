// The logs view's buffer: records merged by time across clusters, each id once, at most
// LOG_BUFFER_LINES. Live lines evict the oldest; an older page fetched by scrolling up evicts the
// newest instead (the view then leaves the live edge until `G` reloads it). Pure.
import type { StoredLogRecord } from '../../../core/logs/record.js';

export const LOG_BUFFER_LINES = 10_000;

/** The record's ts with its fraction padded to nanoseconds, so two keys compare as the times do. */
export function tsKey(ts: string): string {
  const frac = ts.length > 20 ? ts.slice(20, -1) : '';
  return ts.slice(0, 19) + frac.padEnd(9, '0');
}

/** Oldest first; equal times by cluster then id, so every console orders a fleet's lines alike. */
export function compareRecords(a: StoredLogRecord, b: StoredLogRecord): number {
  const ka = tsKey(a.ts);
  const kb = tsKey(b.ts);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.cluster !== b.cluster) return a.cluster < b.cluster ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Merged {
  lines: StoredLogRecord[];
  /** Records that were new to the buffer. */
  added: number;
  /** Records removed at the oldest end (index shift for a cursor) and at the newest end. */
  evictedOldest: number;
  evictedNewest: number;
}

/**
 * Merges records into the buffer. `evict` says which end gives way when it is over `cap`. Live lines
 * nearly always sort after what is held, which is an append; late or older ones take a full merge.
 */
export function mergeLines(held: readonly StoredLogRecord[], incoming: readonly StoredLogRecord[], cap: number, evict: 'oldest' | 'newest'): Merged {
  const ids = new Set(held.map((r) => r.id));
  const fresh: StoredLogRecord[] = [];
  for (const r of incoming) {
    if (ids.has(r.id)) continue;
    ids.add(r.id);
    fresh.push(r);
  }
  if (fresh.length === 0) return { lines: held as StoredLogRecord[], added: 0, evictedOldest: 0, evictedNewest: 0 };
  fresh.sort(compareRecords);
  const last = held.at(-1);
  const first = fresh[0];
  const appended = last === undefined || (first !== undefined && compareRecords(last, first) <= 0);
  const all = appended ? [...held, ...fresh] : [...held, ...fresh].sort(compareRecords);
  const over = Math.max(0, all.length - cap);
  if (over === 0) return { lines: all, added: fresh.length, evictedOldest: 0, evictedNewest: 0 };
  return evict === 'oldest'
    ? { lines: all.slice(over), added: fresh.length, evictedOldest: over, evictedNewest: 0 }
    : { lines: all.slice(0, all.length - over), added: fresh.length, evictedOldest: 0, evictedNewest: over };
}
