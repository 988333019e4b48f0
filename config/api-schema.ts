// The daemon's `api` block: browser Origins, connection caps and timeouts, and how refused
// unauthenticated requests are summarised (docs/API.md "Limits"). Defaults live here once, for the
// schema, the docs and the daemon.
import { z } from 'zod';

export const CONNECTION_DEFAULTS = { max: 512, maxPerSource: 64, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };
export const UNAUTHENTICATED_DEFAULTS = { summaryWindowSeconds: 10, maxSources: 1000 };

export const ConnectionLimitsSchema = z
  .object({
    max: z.number().int().min(16).max(1_000_000).default(CONNECTION_DEFAULTS.max).describe('open connections the daemon holds at most (REST, /ws, /metrics); keep it well under `ulimit -n`'),
    maxPerSource: z.number().int().min(1).max(1_000_000).default(CONNECTION_DEFAULTS.maxPerSource).describe('open connections one client address holds at most (IPv6: one /64)'),
    headersTimeoutMs: z.number().int().min(1000).max(300_000).default(CONNECTION_DEFAULTS.headersTimeoutMs).describe('milliseconds a client has to send its request headers (also a WebSocket upgrade and a TLS handshake)'),
    requestTimeoutMs: z.number().int().min(1000).max(3_600_000).default(CONNECTION_DEFAULTS.requestTimeoutMs).describe('milliseconds a client has to send its whole request, body included; at least headersTimeoutMs'),
  })
  .strict()
  .refine((c) => c.maxPerSource <= c.max, { message: 'maxPerSource is larger than max', path: ['maxPerSource'] })
  .refine((c) => c.requestTimeoutMs >= c.headersTimeoutMs, { message: 'requestTimeoutMs is shorter than headersTimeoutMs', path: ['requestTimeoutMs'] });
export type ConnectionLimits = z.infer<typeof ConnectionLimitsSchema>;

export const UnauthenticatedSchema = z
  .object({
    summaryWindowSeconds: z.number().int().min(1).max(3600).default(UNAUTHENTICATED_DEFAULTS.summaryWindowSeconds).describe('per client address, the first refused unauthenticated request of each window is audited and logged; the rest are counted into one summary record at its end'),
    maxSources: z.number().int().min(1).max(1_000_000).default(UNAUTHENTICATED_DEFAULTS.maxSources).describe('addresses counted separately per window; more are counted together as "other sources"'),
  })
  .strict();
export type UnauthenticatedConfig = z.infer<typeof UnauthenticatedSchema>;

export const ApiConfigSchema = z
  .object({
    allowedOrigins: z.array(z.string()).default([]).describe('browser Origins allowed on /ws; none by default'),
    connections: ConnectionLimitsSchema.default(CONNECTION_DEFAULTS),
    unauthenticated: UnauthenticatedSchema.default(UNAUTHENTICATED_DEFAULTS),
  })
  .strict()
  .default({ allowedOrigins: [], connections: CONNECTION_DEFAULTS, unauthenticated: UNAUTHENTICATED_DEFAULTS });
