// Where the daemon keeps log records (DESIGN.md §3.6): one narrow interface, one contract suite
// (test/contract/log-sink.ts) that every sink passes. SQLite FTS5 (fts5/sink.ts) is the embedded
// default; Elasticsearch (elasticsearch/sink.ts) the scale-out one.
import type { LogHistogram } from '../../core/logs/api.js';
import type { LogRecord, StoredLogRecord } from '../../core/logs/record.js';
import type { ResolvedQuery } from '../../core/query/ast.js';

/** A record the store refused for good (an Elasticsearch item 400): not stored, never to be sent again as is. */
export interface SinkRejection {
  id: string;
  /** The store's reason, e.g. `document_parsing_exception: [1:20] failed to parse field [ts] …`. */
  reason: string;
}

export interface SinkWriteResult {
  /** Records newly stored, in input order, with their ingest cursor. */
  stored: StoredLogRecord[];
  /** Records whose id was already stored; success, not an error. */
  duplicates: number;
  /**
   * Records the store refused one by one while it stored the rest (Elasticsearch only; FTS5 refuses a
   * bad batch whole, by throwing). The caller dead-letters them: they are neither stored nor retried.
   * Absent or empty when there are none.
   */
  rejected?: SinkRejection[];
}

export interface SinkSearch {
  query: ResolvedQuery;
  /** 1..1000. */
  limit: number;
  /** A `next` from the previous page. */
  before?: string;
}

export interface SinkPage {
  /** Newest first by ts; records with equal ts in an order the sink keeps stable across pages (FTS5: the later stored first). */
  items: StoredLogRecord[];
  next?: string;
}

export interface SinkRetention {
  maxAgeMs: number;
  maxBytes: number;
}

export interface SinkRetentionResult {
  removedRecords: number;
  removedBytes: number;
  /** Partitions (or indices) removed. */
  removedPartitions: number;
}

export interface SinkStats {
  records: number;
  bytes: number;
  partitions: number;
  oldestTs: string | null;
  newestTs: string | null;
}

export interface LogSink {
  readonly kind: 'sqlite' | 'elasticsearch';
  /**
   * Stores the records and resolves once committed and searchable. A known id is already stored. A
   * record the sink can tell is malformed refuses the whole batch (nothing written); what the store
   * itself refuses record by record comes back in `rejected`.
   */
  write(records: readonly LogRecord[]): Promise<SinkWriteResult>;
  search(req: SinkSearch): Promise<SinkPage>;
  /**
   * Records stored after an ingest cursor (null: from the start), stored order, at most limit. `next`
   * continues: it is set while more was stored after what this call examined (a call may examine a
   * bounded span and so return fewer than limit with `next` set) and null once it reached the newest.
   */
  storedAfter(query: ResolvedQuery, after: string | null, limit: number): Promise<{ items: StoredLogRecord[]; next: string | null }>;
  /** The cursor of the newest stored record (null when empty): where a live tail starts. */
  head(): Promise<string | null>;
  /** Up to `lines` records of the same cluster/namespace/pod/container before and after the record with this id, by ts; null if unknown. */
  context(id: string, lines: number): Promise<{ hit: StoredLogRecord; before: StoredLogRecord[]; after: StoredLogRecord[] } | null>;
  /** Matches by level over [sinceMs, untilMs] of the query (the caller resolves defaults), in `buckets` equal buckets. */
  histogram(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): Promise<LogHistogram>;
  /** Removes what is older than maxAgeMs before nowMs, then the oldest until under maxBytes. */
  retain(policy: SinkRetention, nowMs: number): Promise<SinkRetentionResult>;
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}
