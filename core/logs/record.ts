// The log record of DESIGN.md §3.6, shared by the agent's inputs, both shipping chains, every sink,
// the REST and WS APIs and the CLI's --json. Records arrive from agents, so the daemon parses them
// with this schema; the limits bound what one hostile line can cost.
import { z } from 'zod';

/** Normalised levels, least to most severe; `unknown` when a line says nothing we recognise. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_STREAMS = ['stdout', 'stderr'] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

export const LOG_LIMITS = {
  /** A longer line is split into records of at most this many bytes (UTF-8), each but the last marked continued. */
  messageBytes: 32 * 1024,
  /** Flattened JSON fields kept per record; the rest are dropped and `fields._truncated` says how many. */
  fields: 64,
  /** Nesting below this depth is kept as a JSON string under the dotted key reached so far. */
  fieldDepth: 4,
  fieldKeyChars: 128,
  fieldValueChars: 1024,
  /** Records in one shipped batch, and its encoded size. */
  batchRecords: 5000,
  batchBytes: 8 * 1024 * 1024,
} as const;

/** Marker appended to the message of every part of a split line but the last. */
export const CONTINUED_MARKER = ' …[continued]';

/** 32 lower-case hex characters: the first 128 bits of a SHA-256 over the record's source position (see agent/logs/record-id.ts). */
export const LOG_ID = /^[0-9a-f]{32}$/;
/** RFC 3339 in UTC with `Z`, up to nanoseconds. */
export const LOG_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

const name = z.string().max(253);
export const FieldValueSchema = z.union([z.string().max(LOG_LIMITS.fieldValueChars), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof FieldValueSchema>;

export const LogRecordSchema = z
  .object({
    id: z.string().regex(LOG_ID),
    /** RFC 3339 in UTC with `Z`, up to nanoseconds: `2026-12-01T10:00:00.123456789Z`. */
    ts: z.string().regex(LOG_TS),
    cluster: z.string().min(1).max(63),
    namespace: name,
    pod: name,
    container: name,
    /** Empty when the input cannot know it (a plain file on a host without node metadata). */
    node: name,
    stream: z.enum(LOG_STREAMS),
    level: z.enum(LOG_LEVELS),
    message: z.string().max(LOG_LIMITS.messageBytes + 64),
    /** Dotted keys from a JSON message (`http.status`), capped by LOG_LIMITS. */
    fields: z.record(z.string().max(LOG_LIMITS.fieldKeyChars), FieldValueSchema),
  })
  .strict();
export type LogRecord = z.infer<typeof LogRecordSchema>;

/** A record as a sink stored it: `cursor` is the sink's opaque ingest position, increasing in the order records were stored (tail resumes after it). */
export interface StoredLogRecord extends LogRecord {
  cursor: string;
}

/** The §3.6 fields in their documented order, for --json and the API. */
export function publicRecord(r: LogRecord): LogRecord {
  return { id: r.id, ts: r.ts, cluster: r.cluster, namespace: r.namespace, pod: r.pod, container: r.container, node: r.node, stream: r.stream, level: r.level, message: r.message, fields: r.fields };
}

/** Milliseconds since the epoch of a record's ts (sub-millisecond digits are kept by the string, not here). */
export function tsMillis(ts: string): number {
  return Date.parse(ts);
}
