// Pure: what the daemon's answer to a posted log batch means. 200 with the batch's LogBatchAck is the
// commit; the hop being away or busy (5xx, 408, 429) is `retry`; a refusal of the batch as such
// (bad signature, unknown key, another cluster, oversize, schema: 4xx) is `refused`, with the
// daemon's own message and next step, because the operator has to fix identity or config.
import { z } from 'zod';
import { FlotillaError } from '../../core/errors.js';
import type { LogBatchAck } from '../../core/logs/batch.js';

export const INGEST_LOGS_PATH = '/api/v1/ingest/logs';

const AckSchema = z.object({ batchId: z.string(), stored: z.number().int().nonnegative(), duplicates: z.number().int().nonnegative() });
const ErrorAnswerSchema = z.object({ error: z.object({ code: z.string().max(64), message: z.string().max(2048), next: z.string().max(2048).optional() }) });

export type ShipOutcome = { ok: true; ack: LogBatchAck } | { ok: false; kind: 'retry' | 'refused'; message: string };

/** The ingest endpoint under a daemon base URL (a path prefix on the base, e.g. behind a proxy, is kept). */
export function ingestUrl(server: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new FlotillaError('config', `server "${server}" is not a URL`, 'Set `server` in the agent bundle to the daemon URL, e.g. https://flotilla.example.internal:7420.');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new FlotillaError('config', `server "${server}" is not an http or https URL`, 'Set `server` in the agent bundle to the daemon URL, e.g. https://flotilla.example.internal:7420.');
  }
  return new URL(base.pathname.replace(/\/+$/, '') + INGEST_LOGS_PATH, base);
}

const RETRY_STATUSES = new Set([408, 425, 429]);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The daemon's `{error:{code,message,next}}`, or the start of whatever else it sent. */
function describe(status: number, text: string): string {
  const parsed = ErrorAnswerSchema.safeParse(parseJson(text));
  if (parsed.success) {
    const { code, message, next } = parsed.data.error;
    return `${status} ${code}: ${message}${next ? ` (${next})` : ''}`;
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return snippet ? `${status}: ${snippet}` : `${status} with no body`;
}

export function interpretAnswer(status: number, text: string, batchId: string): ShipOutcome {
  if (status === 200) {
    const ack = AckSchema.safeParse(parseJson(text));
    if (!ack.success) return { ok: false, kind: 'retry', message: 'the daemon answered 200 without a log batch ack; is `server` the Flotilla daemon?' };
    if (ack.data.batchId !== batchId) return { ok: false, kind: 'retry', message: `the daemon acked batch ${ack.data.batchId.slice(0, 64)}, not ${batchId}` };
    return { ok: true, ack: ack.data };
  }
  if (status >= 500 || RETRY_STATUSES.has(status)) return { ok: false, kind: 'retry', message: `the daemon is unavailable: ${describe(status, text)}` };
  if (status >= 400) return { ok: false, kind: 'refused', message: `the daemon refused the batch: ${describe(status, text)}` };
  return { ok: false, kind: 'retry', message: `unexpected answer from the daemon: ${describe(status, text)}` };
}
