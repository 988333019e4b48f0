// What an agent ships: a batch of records plus what it had to drop, signed by the agent's own key
// (DSSE, PAYLOAD_TYPES.logBatch). The same payload travels over HTTPS to the daemon (embedded chain)
// and, in the next chain, as one RabbitMQ message.
import { z } from 'zod';
import { LOG_LIMITS, LogRecordSchema } from './record.js';

/**
 * Lines that went beyond the agent's reach before they were shipped (a file deleted or truncated
 * while unread), per file. `lines` counts newlines the agent could still see; when the bytes were
 * gone before it could count them, `lines` is 0 and `bytes` says how much.
 */
export const LogDropSchema = z
  .object({
    /** The path the file had when the agent last saw it. */
    path: z.string().max(4096),
    /** Stable identity of the file (agent/logs/identity.ts). */
    file: z.string().max(128),
    lines: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    reason: z.enum(['deleted_unread', 'truncated_unread', 'missing_after_restart', 'held_too_long']),
    at: z.string().max(40),
  })
  .strict();
export type LogDrop = z.infer<typeof LogDropSchema>;

export const LogBatchSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    /** Random per batch; a resent batch keeps its id, so the daemon can count resends. */
    batchId: z.string().min(8).max(64),
    sentAt: z.string().max(40),
    records: z.array(LogRecordSchema).max(LOG_LIMITS.batchRecords),
    drops: z.array(LogDropSchema).max(1000).default([]),
  })
  .strict();
export type LogBatch = z.infer<typeof LogBatchSchema>;

/** The daemon's answer once the batch is committed: the agent advances its checkpoints only on this. */
export interface LogBatchAck {
  batchId: string;
  /** Records newly stored. */
  stored: number;
  /** Records whose id was already stored (a resend after a lost ack, a re-read after a crash). */
  duplicates: number;
}
