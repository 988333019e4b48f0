// Pure: a chunk read from an input becomes the LogBatch shipped to the next hop. A batch is built
// once and resent as it is (same batchId, same sentAt), so the daemon can count resends and the
// sealed body can be reused.
import type { LogBatch, LogDrop } from '../../core/logs/batch.js';
import type { LogRecord } from '../../core/logs/record.js';

/** LogBatchSchema's cap on drops per batch. */
export const MAX_DROPS_PER_BATCH = 1000;

export function buildBatch(cluster: string, batchId: string, sentAt: Date, records: LogRecord[], drops: LogDrop[]): LogBatch {
  return { cluster, batchId, sentAt: sentAt.toISOString(), records, drops: capDrops(drops) };
}

/**
 * More dropped files than a batch may name (a mass deletion) are folded into one entry, so the
 * counts still add up: dropped lines are never hidden, only their file names past the cap.
 */
export function capDrops(drops: LogDrop[]): LogDrop[] {
  if (drops.length <= MAX_DROPS_PER_BATCH) return drops;
  const kept = drops.slice(0, MAX_DROPS_PER_BATCH - 1);
  const rest = drops.slice(MAX_DROPS_PER_BATCH - 1);
  const first = rest[0] as LogDrop;
  const folded: LogDrop = {
    path: `(${rest.length} more files)`,
    file: 'folded',
    lines: rest.reduce((n, d) => n + d.lines, 0),
    bytes: rest.reduce((n, d) => n + d.bytes, 0),
    reason: first.reason,
    at: first.at,
  };
  return [...kept, folded];
}

/** Lines at error or fatal level, for the error-lines rate. */
export function errorLines(records: readonly LogRecord[]): number {
  let n = 0;
  for (const r of records) if (r.level === 'error' || r.level === 'fatal') n += 1;
  return n;
}
