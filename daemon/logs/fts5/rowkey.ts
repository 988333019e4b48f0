// How the FTS5 sink places a record (docs/ARCHITECTURE.md, "Log sink"): its partition is a function
// of its ts alone, so the same id always lands in the same partition and a per-partition unique index
// dedupes; its rowid is ts-ordered inside the partition, so `MATCH … ORDER BY rowid DESC LIMIT n`
// walks the FTS index newest first and stops after n, without sorting the matches.
//
// rowid = µs since the partition's start · 8192 + (the ts's sub-µs nanoseconds) · 8 + a tiebreak 0..7.
// A partition is at most 168 h = 6.048e11 µs, so the largest rowid is below 4.96e15 < 2^53: every
// rowid is an exact JS number. Equal ts get the tiebreaks in arrival order; a ninth record with the
// same nanosecond takes the next free rowid (a drift of a few ns in order, never a lost record).
import { FlotillaError } from '../../../core/errors.js';

export const ROWID_PER_US = 8192;
const SLOTS_PER_NS = 8;

const TS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/;

export interface ParsedTs {
  /** Epoch milliseconds. */
  ms: number;
  /** Epoch microseconds (exact: below 2^53 until the year 2255). */
  us: number;
  /** Nanoseconds within the microsecond, 0..999. */
  subNs: number;
}

export function parseTs(ts: string): ParsedTs {
  const m = TS.exec(ts);
  const secMs = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
  // Date.UTC rolls 2026-02-31 over to March; a ts that does not round-trip is not a real time.
  if (!m || !Number.isFinite(secMs) || new Date(secMs).toISOString().slice(0, 19) !== ts.slice(0, 19) || secMs < 0) {
    throw new FlotillaError('rejected', `log record ts ${JSON.stringify(ts.slice(0, 40))} is not an RFC 3339 UTC time at or after 1970`, 'Send ts as 2026-12-01T10:00:00.123456789Z (UTC, with Z).');
  }
  const ns = Number((m[7] ?? '').padEnd(9, '0'));
  const usInSec = Math.floor(ns / 1000);
  return { ms: secMs + Math.floor(usInSec / 1000), us: secMs * 1000 + usInSec, subNs: ns % 1000 };
}

export function partitionWidthMs(partitionHours: number): number {
  return partitionHours * 3_600_000;
}

export function partitionOf(ms: number, widthMs: number): number {
  return Math.floor(ms / widthMs);
}

export function partitionStartMs(part: number, widthMs: number): number {
  return part * widthMs;
}

/** The first rowid a record of this ts may take (its tiebreak 0). */
export function baseRowid(t: ParsedTs, part: number, widthMs: number): number {
  return (t.us - partitionStartMs(part, widthMs) * 1000) * ROWID_PER_US + t.subNs * SLOTS_PER_NS;
}

export const TIEBREAKS = SLOTS_PER_NS;

/** The rowid bounds [lo, hi] of records with sinceMs ≤ ts ≤ untilMs (ms inclusive) inside a partition. */
export function rowidRange(part: number, widthMs: number, sinceMs: number | undefined, untilMs: number | undefined): { lo: number; hi: number } | null {
  const start = partitionStartMs(part, widthMs);
  const end = start + widthMs; // exclusive
  const from = Math.max(start, sinceMs ?? start);
  const to = Math.min(end - 1, untilMs ?? end - 1);
  if (from > to) return null;
  return { lo: (from - start) * 1000 * ROWID_PER_US, hi: ((to - start) * 1000 + 1000) * ROWID_PER_US - 1 };
}

/** Epoch ms of a stored rowid (for histogram buckets; exact up to tiebreak drift). */
export function rowidMs(part: number, widthMs: number, rowid: number): number {
  return partitionStartMs(part, widthMs) + Math.floor(rowid / ROWID_PER_US / 1000);
}

// Cursors are opaque to callers; these shapes are private to the sink and checked on the way back in.

/** The ingest cursor: the global seq, zero-padded so cursors also compare as strings in stored order. */
export function encodeSeq(seq: number): string {
  return seq.toString().padStart(16, '0');
}

export function decodeSeq(cursor: string): number {
  if (!/^\d{1,16}$/.test(cursor)) throw badCursor('after');
  return Number(cursor);
}

/** The search paging cursor: partition and rowid of the last record of a page. */
export function encodePage(part: number, rowid: number): string {
  return `${part.toString(36)}.${rowid.toString(36)}`;
}

export function decodePage(cursor: string): { part: number; rowid: number } {
  const m = /^([0-9a-z]{1,12})\.([0-9a-z]{1,12})$/.exec(cursor);
  if (!m) throw badCursor('before');
  const part = parseInt(m[1]!, 36);
  const rowid = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(part) || !Number.isSafeInteger(rowid)) throw badCursor('before');
  return { part, rowid };
}

function badCursor(name: string): FlotillaError {
  return new FlotillaError('usage', `the ${name} cursor is not one this log store gave out`, `Pass the ${name === 'before' ? '"next" of the previous page' : 'cursor of a record this store returned'} unchanged, or leave it out to start again.`);
}
