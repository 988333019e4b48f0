// One source line → its LogRecords (DESIGN.md §3.6), the step every input shares: UTF-8 decoded with
// invalid bytes replaced (U+FFFD) and kept, control characters removed, a line longer than
// LOG_LIMITS.messageBytes split into parts (each but the last marked continued), a JSON object
// flattened into `fields` with its `msg`/`message` shown, the level normalised. The id of each part
// is a function of its source position (idParts + part index), so a re-read gives the same ids.
// Pure.
import { CONTINUED_MARKER, LOG_LIMITS, type FieldValue, type LogLevel, type LogRecord, type LogStream } from '../../core/logs/record.js';
import { flattenFields } from './flatten.js';
import { levelFromText, levelFromValue } from './level.js';
import { recordIdAt } from './record-id.js';
import { cleanText, looksBinary } from './text.js';

export interface RecordSource {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
  stream: LogStream;
  /** RFC 3339 UTC with `Z` (the parsers normalise it; see formats/ts.ts). */
  ts: string;
  /** Where the line came from, e.g. [file identity, byte offset]; the part index is appended. */
  idParts: (string | number)[];
  /** The line's message bytes, without the line terminator. */
  bytes: Buffer;
  /** The parser could not read the line's framing (a CRI line without a timestamp): level unknown, counted. */
  malformed?: boolean;
  /**
   * For the pieces of one long line that arrive in several calls (CRI `P` runs, docker partials):
   * the index of this call's first part, whether the line goes on after these bytes (then every
   * part, the last too, is marked continued and nothing is read as JSON), and the level an earlier
   * piece already decided.
   */
  firstPart?: number;
  continues?: boolean;
  level?: LogLevel;
}

/** Counters a caller passes in to learn how many lines were malformed (binary garbage, bad framing). */
export interface BuildStats {
  malformed: number;
}

const NAME_MAX = 253;
const clampName = (s: string): string => (s.length > NAME_MAX ? s.slice(0, NAME_MAX) : s);
const clampCluster = (s: string): string => (s.length > 63 ? s.slice(0, 63) : s);

export function buildRecords(src: RecordSource, stats?: BuildStats): LogRecord[] {
  const { bytes } = src;
  const firstPart = src.firstPart ?? 0;
  const continues = src.continues === true;
  // The record literals below are spelt out field by field, in the schema's order, rather than
  // spread from a shared base: this runs once per line, and spreads cost more than the rest of it.
  if (bytes.length <= LOG_LIMITS.messageBytes && firstPart === 0 && !continues && src.level === undefined) {
    const raw = bytes.toString('utf8');
    const garbage = src.malformed === true || looksBinary(raw);
    if (garbage && stats) stats.malformed++;
    const { message, level, fields } = garbage ? { message: cleanText(raw), level: 'unknown' as const, fields: {} } : interpret(raw);
    return [recordOf(src, 0, level, message, fields)];
  }
  // A long line (or a piece of one): parts cut at UTF-8 character boundaries, so no character is
  // split and every part decodes to at most messageBytes UTF-16 units. Its level is read from the
  // first part only.
  const out: LogRecord[] = [];
  let start = 0;
  let level = src.level;
  let garbage = src.malformed === true;
  for (let part = firstPart; start < bytes.length || part === firstPart; part++) {
    let end = Math.min(start + LOG_LIMITS.messageBytes, bytes.length);
    if (end < bytes.length) end = charBoundary(bytes, start, end);
    const raw = bytes.toString('utf8', start, end);
    if (part === firstPart) {
      garbage ||= looksBinary(raw);
      level ??= garbage ? 'unknown' : raw.charCodeAt(0) === 0x7b ? (jsonLevelInText(raw) ?? 'unknown') : levelFromText(cleanText(raw));
    }
    const last = end >= bytes.length && !continues;
    const message = cleanText(raw) + (last ? '' : CONTINUED_MARKER);
    out.push(recordOf(src, part, level ?? 'unknown', message, {}));
    start = end;
  }
  if (garbage && stats) stats.malformed++;
  return out;
}

/** One record of a source line; a fixed-shape literal, built the same way for whole lines and parts. */
function recordOf(src: RecordSource, part: number, level: LogLevel, message: string, fields: Record<string, FieldValue>): LogRecord {
  return {
    id: recordIdAt(src.cluster, src.idParts, part),
    ts: src.ts,
    cluster: clampCluster(src.cluster),
    namespace: clampName(src.namespace),
    pod: clampName(src.pod),
    container: clampName(src.container),
    node: clampName(src.node),
    stream: src.stream,
    level,
    message,
    fields,
  };
}

/** The largest end ≤ `end` that does not cut a UTF-8 sequence (continuation bytes are 10xxxxxx); never before start + 1. */
function charBoundary(b: Buffer, start: number, end: number): number {
  let e = end;
  for (let i = 0; i < 3 && e > start + 1 && (b[e]! & 0xc0) === 0x80; i++) e--;
  return e;
}

function interpret(raw: string): { message: string; level: LogLevel; fields: Record<string, FieldValue> } {
  const json = raw.charCodeAt(0) === 0x7b /* { */ ? parseObject(raw) : undefined;
  if (!json) {
    const message = cleanText(raw);
    return { message, level: levelFromText(message), fields: {} };
  }
  const msgKey = typeof json.msg === 'string' ? 'msg' : typeof json.message === 'string' ? 'message' : undefined;
  const message = msgKey ? cleanText(json[msgKey] as string) : cleanText(raw);
  const level = jsonLevel(json) ?? levelFromText(message);
  return { message, level, fields: flattenFields(json, msgKey) };
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// A JSON line too long to parse whole still says its level near the start: `{"level":"error",…`.
const JSON_LEVEL = /"(?:level|severity|lvl)"\s*:\s*"?([A-Za-z]+|\d{1,3})/;

function jsonLevelInText(raw: string): LogLevel | undefined {
  const m = JSON_LEVEL.exec(raw.length > 1024 ? raw.slice(0, 1024) : raw);
  return m ? levelFromValue(/^\d/.test(m[1]!) ? Number(m[1]) : m[1]) : undefined;
}

function jsonLevel(o: Record<string, unknown>): LogLevel | undefined {
  const log = o.log;
  const ecs = log !== null && typeof log === 'object' ? (log as Record<string, unknown>)['level'] : undefined;
  return levelFromValue(o.level) ?? levelFromValue(o.severity) ?? levelFromValue(o.lvl) ?? levelFromValue(ecs);
}
