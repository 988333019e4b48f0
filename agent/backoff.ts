// Retry delays for store failures: exponential from a short base, capped (at the report interval),
// with "equal jitter" so a fleet of agents cut off together does not retry in lock-step.

export function backoffDelayMs(attempt: number, capMs: number, random: number, baseMs = 500): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
