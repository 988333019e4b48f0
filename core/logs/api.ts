// What the daemon serves about logs: REST GET /api/v1/logs, the WS `logs` topic and its calls,
// shared by the daemon, the CLI and the TUI (docs/API.md, docs/LOGS.md).
import type { LogLevel, StoredLogRecord } from './record.js';

/** GET /api/v1/logs?q=QUERY[&limit=N][&context=N][&before=PAGE][&after=CURSOR] */
export interface LogSearchResponse {
  /**
   * Without `after`: newest first by ts, at most `limit` (default 100, max 1000).
   * With `after` (an ingest cursor): the matches stored after it, oldest stored first, for `logs tail`.
   * `after=` with an empty value starts from the beginning of the store (LogSink.storedAfter(q, null)):
   * a tail that has printed nothing yet fills a gap from there.
   */
  items: LogHit[];
  /** Pass as `before` for the next (older) page; absent when there is no more. With `after`: pass as `after` to continue. */
  next?: string;
}

export interface LogHit extends StoredLogRecord {
  /** With `context=N`: up to N lines of the same container before and after the hit, oldest first. */
  context?: { before: StoredLogRecord[]; after: StoredLogRecord[] };
}

/** Matches over a time range by level, for the sparkline (GET /api/v1/logs/histogram, WS call logs.histogram). */
export interface LogHistogram {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  /** One entry per bucket, oldest first: count per level (levels with no match are absent). */
  buckets: Partial<Record<LogLevel, number>>[];
  total: number;
}

/** WS call `logs.context` params {id, lines}: the hit and its container's neighbours. */
export interface LogContext {
  hit: StoredLogRecord;
  before: StoredLogRecord[];
  after: StoredLogRecord[];
}

/**
 * `logs` topic. Subscribe with `query` (the query text) and optionally `after` (an ingest cursor).
 * Without `after` the snapshot holds the newest matches (oldest first, at most 500); with it, the
 * snapshot holds what was stored after the cursor (at most 500, `more: true` if there was more, which
 * the client fetches through REST `after=`). An empty `after` means from the start of the store (a
 * client whose first snapshot was empty resumes there). Then `lines` frames carry every newly stored match, in
 * stored order. A client that falls behind gets `{"kind":"dropped","count":N}` instead of lines.
 */
export interface LogsSnapshotFrame {
  topic: 'logs';
  kind: 'snapshot';
  rev: number;
  data: StoredLogRecord[];
  more: boolean;
}

export interface LogsLinesFrame {
  topic: 'logs';
  kind: 'lines';
  rev: number;
  lines: StoredLogRecord[];
}

export const LOGS_TOPIC_LIMITS = {
  snapshot: 500,
  /** Lines held for one slow client before the rest are dropped and counted. */
  bufferedLines: 5000,
} as const;
