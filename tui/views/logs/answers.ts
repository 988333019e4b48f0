// The daemon's answers to the logs view's calls (core/logs/api.ts), checked before they reach the
// view: a proxy or a mismatched daemon must not be able to crash the console. Pure.
import { z } from 'zod';
import { LOG_LEVELS } from '../../../core/logs/record.js';
import type { LogContext, LogHistogram, LogSearchResponse } from '../../../core/logs/api.js';
import { firstIssue } from '../../../core/schema-issue.js';
import { StoredLogRecordSchema } from '../../frames.js';

const count = z.number().int().nonnegative();

const LogHistogramSchema = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  bucketMs: z.number().positive(),
  buckets: z.array(z.partialRecord(z.enum(LOG_LEVELS), count)).max(1000),
  total: count,
}) satisfies z.ZodType<LogHistogram>;

const LogSearchResponseSchema = z.object({
  items: z.array(StoredLogRecordSchema.extend({ context: z.object({ before: z.array(StoredLogRecordSchema), after: z.array(StoredLogRecordSchema) }).optional() })).max(1000),
  next: z.string().max(1024).optional(),
}) satisfies z.ZodType<LogSearchResponse>;

const LogContextSchema = z.object({
  hit: StoredLogRecordSchema,
  before: z.array(StoredLogRecordSchema).max(1000),
  after: z.array(StoredLogRecordSchema).max(1000),
}) satisfies z.ZodType<LogContext>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parse<T>(schema: z.ZodType<T>, what: string, raw: unknown): Parsed<T> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: `the daemon's ${what} was not understood (${firstIssue(r.error, 'answer')})` };
}

export const parseHistogram = (raw: unknown): Parsed<LogHistogram> => parse(LogHistogramSchema, 'histogram', raw);
export const parseSearch = (raw: unknown): Parsed<LogSearchResponse> => parse(LogSearchResponseSchema, 'search answer', raw);
export const parseContext = (raw: unknown): Parsed<LogContext> => parse(LogContextSchema, 'context answer', raw);
