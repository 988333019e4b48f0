// Retry delays: exponential from a short base up to a cap, with "equal jitter" (half fixed, half
// random) so a fleet of agents or consoles cut off together does not retry in lock-step.

/** `attempt` counts consecutive failures (1 after the first); `random` is in [0, 1]. */
export function jitteredBackoffMs(attempt: number, random: number, opts: { capMs: number; baseMs?: number }): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(opts.capMs, (opts.baseMs ?? 500) * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
