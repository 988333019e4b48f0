// A log record as an Elasticsearch document and back (docs/LOGS.md, "Elasticsearch sink"). The _id is
// the record id and the index follows from the ts (template.ts), so a resent record meets itself and
// `create` answers 409. `seq` is the daemon-assigned ingest position (cursor.ts). Pure.
import { FlotillaError } from '../../../core/errors.js';
import { LOG_ID, LOG_LEVELS, LOG_STREAMS, type LogRecord, type StoredLogRecord } from '../../../core/logs/record.js';
import { fieldText } from '../../../core/query/match.js';
import { encodeSeq } from './cursor.js';

export interface LogDocument {
  ts: string;
  seq: number;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
  stream: string;
  level: string;
  message: string;
  fields: LogRecord['fields'];
  /** `KEY\u0000VALUE` for each field, the value as the query compares it (fieldText). */
  field_values: string[];
}

/** The separator of a field_values pair: no key of a flattened record contains it. */
export const PAIR_SEPARATOR = '\u0000';

export function fieldPair(key: string, value: string): string {
  return `${key}${PAIR_SEPARATOR}${value}`;
}

const TS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/;

/** Epoch ms of an RFC 3339 UTC ts, or null when it is not one (a real calendar date at or after 1970). */
export function tsMs(ts: string): number | null {
  const m = TS.exec(ts);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (y! < 1970 || mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || s! > 59) return null;
  const ms = Date.UTC(y!, mo! - 1, d, h, mi, s) + Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // Date.UTC rolls 31 February over into March; a real date reads back as the same day.
  return new Date(ms).getUTCDate() === d ? ms : null;
}

/**
 * Checks a batch before anything is sent, so a record the sink can tell is bad refuses the whole batch
 * with nothing written (the FTS5 sink's rule). Returns each record's epoch ms.
 */
export function checkRecords(records: readonly LogRecord[]): number[] {
  return records.map((r) => {
    const ms = tsMs(r.ts);
    if (ms === null || !LOG_ID.test(r.id) || !(LOG_LEVELS as readonly string[]).includes(r.level) || !(LOG_STREAMS as readonly string[]).includes(r.stream)) {
      throw new FlotillaError('rejected', `log record ${JSON.stringify(r.id).slice(0, 40)} has an unknown level, stream, id form or ts`, 'Send records that pass LogRecordSchema (core/logs/record.ts), with ts as 2026-12-01T10:00:00.123456789Z (UTC, at or after 1970).');
    }
    for (const key of Object.keys(r.fields)) {
      if (key.includes(PAIR_SEPARATOR)) throw new FlotillaError('rejected', `log record ${r.id} has a field name with a NUL character`, 'Send records whose field names have no NUL (the agent never makes one).');
    }
    return ms;
  });
}

export function toDocument(r: LogRecord, seq: number): LogDocument {
  return {
    ts: r.ts,
    seq,
    cluster: r.cluster,
    namespace: r.namespace,
    pod: r.pod,
    container: r.container,
    node: r.node,
    stream: r.stream,
    level: r.level,
    message: r.message,
    fields: r.fields,
    field_values: Object.entries(r.fields).map(([k, v]) => fieldPair(k, fieldText(v))),
  };
}

const STRINGS = ['ts', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'level', 'message'] as const;

/** A hit's _id and _source as a stored record; anything else is not one of ours (a shared prefix?). */
export function fromSource(index: string, id: string, source: unknown): StoredLogRecord {
  const s = source as Partial<Record<(typeof STRINGS)[number], unknown>> & { seq?: unknown; fields?: unknown };
  const ok =
    typeof source === 'object' &&
    source !== null &&
    LOG_ID.test(id) &&
    STRINGS.every((k) => typeof s[k] === 'string') &&
    Number.isSafeInteger(s.seq) &&
    typeof s.fields === 'object' &&
    s.fields !== null &&
    !Array.isArray(s.fields);
  if (!ok) {
    throw new FlotillaError('unavailable', `Elasticsearch index ${index} holds a document ${JSON.stringify(id).slice(0, 40)} that is not a Flotilla log record`, 'Give Flotilla an index prefix of its own (logs.sink.indexPrefix) that nothing else writes to.');
  }
  return {
    id,
    ts: s.ts as string,
    cluster: s.cluster as string,
    namespace: s.namespace as string,
    pod: s.pod as string,
    container: s.container as string,
    node: s.node as string,
    stream: s.stream as LogRecord['stream'],
    level: s.level as LogRecord['level'],
    message: s.message as string,
    fields: s.fields as LogRecord['fields'],
    cursor: encodeSeq(s.seq as number),
  };
}
