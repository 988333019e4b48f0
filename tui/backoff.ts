// Reconnect delays: exponential from 0.5 s to a 15 s cap, with jitter so a daemon restart is not met
// by every console at the same instant.

import { jitteredBackoffMs } from '../core/backoff.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Delay after the daemon refused the token: retrying fast would only flood its audit log. */
  authRetryMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, authRetryMs: 30_000 };

/** `failures` counts consecutive failed attempts (1 after the first); `random` is in [0, 1). */
export function backoffDelay(failures: number, random: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return jitteredBackoffMs(failures, random, { baseMs: opts.initialMs, capMs: opts.maxMs });
}

export function authRetryDelay(random: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.round(opts.authRetryMs * (0.75 + random * 0.5));
}
