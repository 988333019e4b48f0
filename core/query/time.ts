// The values of `since:` and `until:`: a duration back from now (core/duration.ts: 15m, 1h30m) or a
// point in time: RFC 3339 (`2026-12-01T10:00:00.5+02:00`), the same without seconds
// (`2026-12-01T10:00Z`), or a date (`2026-12-01`, midnight UTC).
import { parseDuration } from '../duration.js';
import { isFlotillaError } from '../errors.js';
import type { TimeBound } from './ast.js';

// Fixed-width fields, optional groups nested once: no ambiguity for the engine to backtrack over.
const ABSOLUTE = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?([Zz]|[+-]\d\d:\d\d))?$/;
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** The bound, or what was expected instead (the parser places it in its error). */
export type TimeBoundResult = { ok: true; bound: TimeBound } | { ok: false; expected: string };

const EXPECTED = 'a duration (15m, 1h30m, 7d) or a time (2026-12-01, 2026-12-01T10:00Z, RFC 3339)';

export function parseTimeBound(text: string): TimeBoundResult {
  if (/^\d{4}-/.test(text)) {
    const ms = parseAbsolute(text);
    return ms === null ? { ok: false, expected: EXPECTED } : { ok: true, bound: { kind: 'absolute', ms } };
  }
  try {
    // Milliseconds are the resolution of every bound; rounding keeps format(parse(x)) exact.
    return { ok: true, bound: { kind: 'relative', ms: Math.round(parseDuration(text)) } };
  } catch (e) {
    if (isFlotillaError(e)) return { ok: false, expected: EXPECTED };
    throw e;
  }
}

function parseAbsolute(text: string): number | null {
  const m = ABSOLUTE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1970 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const base = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  // Date.UTC rolls 31 February into March; a real date reads back the same day.
  if (new Date(base).getUTCDate() !== day) return null;
  if (zone === 'Z' || zone === 'z') return base;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offH = Number(zone.slice(1, 3));
  const offM = Number(zone.slice(4, 6));
  if (offH > 23 || offM > 59) return null;
  const ms = base - sign * (offH * 60 + offM) * 60_000;
  // An offset could push 9999-12-31 past what prints as a four-digit year.
  return ms >= 0 && ms <= LATEST ? ms : null;
}

/** Canonical text: durations largest unit first (`1h30m`), times as ISO 8601 in UTC. */
export function formatTimeBound(b: TimeBound): string {
  if (b.kind === 'absolute') return new Date(b.ms).toISOString();
  if (b.ms === 0) return '0s';
  let rest = b.ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
