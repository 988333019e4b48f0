// A source of log records at the edge: tailed files (file-input.ts, cri|docker|plain) or the
// Kubernetes API (kube-api-input.ts). The pipeline (pipeline.ts) reads a chunk, ships it, and only
// when the next hop has acked it commits the chunk, which advances and persists the checkpoints.
// Nothing is copied to disk on the way: the source itself is the buffer.
import type { LogDrop } from '../../core/logs/batch.js';
import type { LogRecord } from '../../core/logs/record.js';

export interface ReadLimits {
  records: number;
  bytes: number;
}

export interface LogChunk {
  records: LogRecord[];
  /** Source bytes the records cover (for throughput figures). */
  bytes: number;
  /** Drops found since the previous chunk; shipped with it so the daemon records them. */
  drops: LogDrop[];
  /** Opaque to the pipeline: the positions committing this chunk moves the checkpoints to. */
  readonly positions: unknown;
}

export interface InputFigures {
  /** Lines read from the source since start (counter). */
  linesRead: number;
  /** Bytes in the sources past the committed checkpoints. */
  bytesBehind: number;
  /** ms epoch of the oldest line read but not yet committed, or of the oldest unread data; null when caught up. */
  oldestUnshippedMs: number | null;
  /** Dropped since start, summed over sources. */
  droppedLines: number;
  droppedBytes: number;
  /** Lines kept although they were malformed (binary garbage, a framed format's line without its framing), since start. */
  malformed?: number;
  /** Sources followed now, and those refused (a glob over the cap, an unreadable file), with why. */
  sources: number;
  refused: { path: string; reason: string }[];
}

export interface LogInput {
  readonly name: string;
  /**
   * The next records past what earlier chunks returned (committed or not), waiting up to
   * `waitMs` for data; an empty chunk when there is none. Never returns records of an uncommitted
   * chunk twice in one run; after a restart everything past the checkpoint comes again, with the same ids.
   */
  read(limits: ReadLimits, waitMs: number): Promise<LogChunk>;
  /** The next hop has the chunk: persist the checkpoints it reached. Chunks commit in read order. */
  commit(chunk: LogChunk): Promise<void>;
  figures(): InputFigures;
  close(): Promise<void>;
}
