// What `flotilla logs` accepts from the daemon: the REST search answer and the WS frames of the
// `logs` topic (core/logs/api.ts). The link could be proxied or the daemon mismatched, so each is
// checked; a malformed record is skipped and counted, the good ones beside it are kept.
import { z } from 'zod';
import type { ErrorBody } from '../../core/errors.js';
import { LOGS_TOPIC_LIMITS, type LogHit, type LogSearchResponse } from '../../core/logs/api.js';
import { LogRecordSchema, type StoredLogRecord } from '../../core/logs/record.js';

export const StoredLogRecordSchema = LogRecordSchema.extend({ cursor: z.string().min(1).max(128) });

const count = z.number().int().nonnegative();
const list = z.array(z.unknown()).max(LOGS_TOPIC_LIMITS.bufferedLines);
const HitSchema = StoredLogRecordSchema.extend({ context: z.object({ before: z.array(StoredLogRecordSchema), after: z.array(StoredLogRecordSchema) }).optional() });
const SearchSchema = z.object({ items: list, next: z.string().min(1).max(512).optional() });
const ErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(4096), next: z.string().max(4096).optional() });

export type LinkFrame =
  | { kind: 'hello' }
  | { kind: 'snapshot'; lines: StoredLogRecord[]; more: boolean; rejected: number }
  | { kind: 'lines'; lines: StoredLogRecord[]; rejected: number }
  | { kind: 'dropped'; count: number }
  | { kind: 'reply'; id: number; error: ErrorBody | null }
  | { kind: 'other' };

function records(items: readonly unknown[]): { lines: StoredLogRecord[]; rejected: number } {
  const lines: StoredLogRecord[] = [];
  for (const item of items) {
    const r = StoredLogRecordSchema.safeParse(item);
    if (r.success) lines.push(r.data);
  }
  return { lines, rejected: items.length - lines.length };
}

const FRAMES = {
  snapshot: z.object({ topic: z.literal('logs'), kind: z.literal('snapshot'), data: list, more: z.boolean() }),
  lines: z.object({ topic: z.literal('logs'), kind: z.literal('lines'), lines: list }),
  dropped: z.object({ topic: z.literal('logs'), kind: z.literal('dropped'), count }),
  reply: z.object({ id: count, error: ErrorSchema.optional() }),
};

/** One WS text frame; null when it is not JSON or not a frame this client understands the shape of. */
export function parseLinkFrame(text: string): LinkFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const obj = raw as { kind?: unknown; topic?: unknown; id?: unknown } | null;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  if (obj.kind === 'hello') return { kind: 'hello' };
  if (obj.topic === 'logs' && obj.kind === 'snapshot') {
    const r = FRAMES.snapshot.safeParse(raw);
    return r.success ? { kind: 'snapshot', more: r.data.more, ...records(r.data.data) } : null;
  }
  if (obj.topic === 'logs' && obj.kind === 'lines') {
    const r = FRAMES.lines.safeParse(raw);
    return r.success ? { kind: 'lines', ...records(r.data.lines) } : null;
  }
  if (obj.topic === 'logs' && obj.kind === 'dropped') {
    const r = FRAMES.dropped.safeParse(raw);
    return r.success ? { kind: 'dropped', count: r.data.count } : null;
  }
  if (typeof obj.id === 'number') {
    const r = FRAMES.reply.safeParse(raw);
    if (!r.success) return null;
    const e = r.data.error;
    return { kind: 'reply', id: r.data.id, error: e ? { code: e.code as ErrorBody['code'], message: e.message, next: e.next ?? 'See the daemon log.' } : null };
  }
  return { kind: 'other' };
}

/** The REST search answer, hits that fail the schema skipped and counted. */
export function parseSearchResponse(raw: unknown): { page: LogSearchResponse; rejected: number } | null {
  const r = SearchSchema.safeParse(raw);
  if (!r.success) return null;
  const items: LogHit[] = [];
  for (const item of r.data.items) {
    const h = HitSchema.safeParse(item);
    if (h.success) items.push(h.data);
  }
  return { page: { items, ...(r.data.next === undefined ? {} : { next: r.data.next }) }, rejected: r.data.items.length - items.length };
}
