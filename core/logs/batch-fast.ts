// The log batch check on the daemon's ingest hot path. zod costs about 1.5 µs a record, a fifth of
// what the daemon spends on a line before the sink; this hand-written check accepts only what
// LogBatchSchema accepts and builds the same value, and answers "not sure" for anything else, which
// then goes to zod: so what is accepted and every refusal's wording stay zod's. The property test
// (test/unit/core/logs/batch-fast.test.ts) holds the two together. Pure.
import { LogBatchSchema, type LogBatch } from './batch.js';
import { LOG_ID, LOG_LEVELS, LOG_LIMITS, LOG_STREAMS, LOG_TS, type FieldValue, type LogRecord } from './record.js';

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);
const STREAMS: ReadonlySet<string> = new Set(LOG_STREAMS);
const RECORD_KEYS = 11;
const NAME_MAX = 253;
const MESSAGE_MAX = LOG_LIMITS.messageBytes + 64;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, min: number, max: number): v is string {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

/** The fields object if every key and value passes FieldValueSchema, else undefined. */
function fieldsOf(v: unknown): Record<string, FieldValue> | undefined {
  // A JSON object whose prototype is Object.prototype; anything else is zod's to judge.
  if (!isObject(v) || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  for (const k in v) {
    // zod builds its copy by assignment, where "__proto__" would not be an own key: leave it to zod.
    if (k.length > LOG_LIMITS.fieldKeyChars || k === '__proto__') return undefined;
    const x = v[k];
    if (typeof x === 'string' ? x.length > LOG_LIMITS.fieldValueChars : typeof x === 'number' ? !Number.isFinite(x) : x !== null && typeof x !== 'boolean') return undefined;
  }
  return v as Record<string, FieldValue>;
}

/** The record as LogRecordSchema would return it, or undefined when zod must judge it. */
function recordOf(v: unknown): LogRecord | undefined {
  if (!isObject(v)) return undefined;
  let keys = 0;
  for (const _ in v) keys++;
  if (keys !== RECORD_KEYS) return undefined;
  const { id, ts, cluster, namespace, pod, container, node, stream, level, message } = v;
  if (typeof id !== 'string' || !LOG_ID.test(id) || typeof ts !== 'string' || !LOG_TS.test(ts)) return undefined;
  if (!str(cluster, 1, 63) || !str(namespace, 0, NAME_MAX) || !str(pod, 0, NAME_MAX) || !str(container, 0, NAME_MAX) || !str(node, 0, NAME_MAX)) return undefined;
  if (typeof stream !== 'string' || !STREAMS.has(stream) || typeof level !== 'string' || !LEVELS.has(level) || !str(message, 0, MESSAGE_MAX)) return undefined;
  const fields = fieldsOf(v.fields);
  if (!fields) return undefined;
  // Eleven keys, each one of the schema's: nothing unknown (the schema is strict).
  return { id, ts, cluster, namespace, pod, container, node, stream: stream as LogRecord['stream'], level: level as LogRecord['level'], message, fields };
}

/** A batch without drops that certainly passes LogBatchSchema, built as zod builds it; undefined: ask zod. */
export function fastLogBatch(payload: unknown): LogBatch | undefined {
  if (!isObject(payload)) return undefined;
  let keys = 0;
  for (const _ in payload) keys++;
  const { cluster, batchId, sentAt, records, drops } = payload;
  // Drops are rare and small: a batch carrying any goes to zod whole.
  const noDrops = drops === undefined ? keys === 4 && !('drops' in payload) : keys === 5 && Array.isArray(drops) && drops.length === 0;
  if (!noDrops || !str(cluster, 1, 63) || !str(batchId, 8, 64) || !str(sentAt, 0, 40)) return undefined;
  if (!Array.isArray(records) || records.length > LOG_LIMITS.batchRecords) return undefined;
  const out = new Array<LogRecord>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = recordOf(records[i]);
    if (!r) return undefined;
    out[i] = r;
  }
  return { cluster, batchId, sentAt, records: out, drops: [] };
}

/** LogBatchSchema.safeParse, through the fast check first. */
export function parseLogBatch(payload: unknown): ReturnType<typeof LogBatchSchema.safeParse> {
  const fast = fastLogBatch(payload);
  return fast ? { success: true, data: fast } : LogBatchSchema.safeParse(payload);
}
