// The Elasticsearch sink's two cursors (docs/LOGS.md, "Elasticsearch sink"). Pure.
//
// Ingest cursor: every document carries `seq`, a number the daemon assigns as it writes, increasing
// in the order records were stored; storedAfter is a range query on it and head its maximum.
// seq = max(previous + 1, now in ms · 1024): read back from the index at start (the largest stored),
// and never below the clock, so it keeps increasing across restarts even after retention has emptied
// every index and nothing is left to read it back from. 1024 a millisecond is far above what one
// daemon writes; past it seq simply runs ahead of the clock. The largest seq this allows (year 2248)
// is below 2^53, so every seq is an exact JS number, zero-padded to 16 digits so cursors also compare
// as strings.
//
// Page cursor: the sort values of the last hit of a page, ts (as Elasticsearch formats it,
// nanoseconds kept) and seq, passed back as search_after.
import { FlotillaError } from '../../../core/errors.js';

export const SEQ_PER_MS = 1024;
const SEQ_DIGITS = 16;

export function nextSeq(previous: number, nowMs: number): number {
  return Math.max(previous + 1, Math.floor(nowMs) * SEQ_PER_MS);
}

export function encodeSeq(seq: number): string {
  return seq.toString().padStart(SEQ_DIGITS, '0');
}

export function decodeSeq(cursor: string): number {
  if (!/^\d{1,16}$/.test(cursor)) throw badCursor('after');
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq)) throw badCursor('after');
  return seq;
}

const SORT_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/** `<ts>~<seq>` from a hit's sort values [ts, seq]. */
export function encodePage(sort: readonly unknown[]): string {
  const [ts, seq] = sort;
  if (typeof ts !== 'string' || !SORT_TS.test(ts) || typeof seq !== 'number' || !Number.isSafeInteger(seq)) {
    throw new FlotillaError('unavailable', `Elasticsearch returned sort values ${JSON.stringify(sort).slice(0, 80)} that are not a ts and a seq`, 'Check that the indices under logs.sink.indexPrefix were made from Flotilla’s index template.');
  }
  return `${ts}~${seq}`;
}

/** The search_after values of a page cursor. */
export function decodePage(cursor: string): [string, number] {
  const at = cursor.indexOf('~');
  const ts = cursor.slice(0, at);
  const seq = cursor.slice(at + 1);
  if (at < 0 || !SORT_TS.test(ts) || !/^\d{1,16}$/.test(seq) || !Number.isSafeInteger(Number(seq))) throw badCursor('before');
  return [ts, Number(seq)];
}

function badCursor(name: string): FlotillaError {
  return new FlotillaError('usage', `the ${name} cursor is not one this log store gave out`, `Pass the ${name === 'before' ? '"next" of the previous page' : 'cursor of a record this store returned'} unchanged, or leave it out to start again.`);
}
