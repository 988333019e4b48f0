import { FlotillaError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration anything takes: 100 years, so "now + duration" is always a valid date. */
export const MAX_DURATION_MS = 36_500 * 86_400_000;

/** Parses "90s", "15m", "24h", "1h30m", "7d" into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(trimmed)) !== null) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (trimmed.length === 0 || matched !== trimmed.length) {
    throw new FlotillaError('usage', `"${text.slice(0, 60)}" is not a duration`, 'Write a duration like 30s, 15m, 24h or 1h30m.');
  }
  if (!(total <= MAX_DURATION_MS)) {
    throw new FlotillaError('usage', `"${text.slice(0, 60)}" is longer than the longest duration Flotilla takes (36500d)`, 'Write a shorter duration, e.g. 30d or 365d.');
  }
  return total;
}

/**
 * How long ago `then` was at `nowMs`, in ms: `then` is an ISO time or epoch ms. Never negative, so a
 * time ahead of our clock (a skewed agent, say) reads as just now; null when `then` is not a time.
 */
export function ageSince(then: number, nowMs: number): number;
export function ageSince(then: string | number | null | undefined, nowMs: number): number | null;
export function ageSince(then: string | number | null | undefined, nowMs: number): number | null {
  if (then === null || then === undefined) return null;
  const t = typeof then === 'number' ? then : Date.parse(then);
  return Number.isNaN(t) ? null : Math.max(0, nowMs - t);
}

/** Short human age: 4s, 2m, 3h, 5d; "-" for no age. */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "2m 5s", "45s", "3h 10m": an age precise enough to watch a lag shrink. */
export function formatLag(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
}
