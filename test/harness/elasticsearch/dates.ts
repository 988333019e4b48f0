// Elasticsearch's dates: `strict_date_optional_time(_nanos)||epoch_millis` parsed to epoch
// nanoseconds (a bigint, as date_nanos keeps them), and printed as the two ISO formats print them —
// `strict_date_optional_time_nanos` with three to nine fraction digits (trailing zeros past the third
// dropped), `strict_date_optional_time` with exactly three.
import { EsError } from './errors.js';

const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt](\d\d)(?::(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?)?([Zz]|[+-]\d\d(?::?\d\d)?)?$/;

/** Epoch nanoseconds of a date value, or null when it is none of the default formats. */
export function parseDateNanos(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) * 1_000_000n : null;
  if (typeof value !== 'string') return null;
  if (/^-?\d+$/.test(value)) return BigInt(value) * 1_000_000n;
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const day = Number(d);
  const base = Date.UTC(Number(y), Number(mo) - 1, day, Number(h), Number(mi), Number(s));
  if (Number(mo) < 1 || Number(mo) > 12 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || new Date(base).getUTCDate() !== day) return null;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return BigInt(base - offsetMin * 60_000) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}

export const NANOS_MIN = 0n;
/** The largest date_nanos: 2262-04-11T23:47:16.854775807Z (a signed 64-bit count of nanoseconds). */
export const NANOS_MAX = 9_223_372_036_854_775_807n;

export function msOf(nanos: bigint): number {
  return Number(nanos >= 0n ? nanos / 1_000_000n : (nanos - 999_999n) / 1_000_000n);
}

function iso(nanos: bigint): { head: string; ns: bigint } {
  const ms = msOf(nanos);
  const head = new Date(ms).toISOString().slice(0, 19);
  return { head, ns: nanos - BigInt(ms - (ms % 1000 + 1000) % 1000) * 1_000_000n };
}

export function formatNanos(nanos: bigint): string {
  const { head, ns } = iso(nanos);
  let frac = ns.toString().padStart(9, '0');
  while (frac.length > 3 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${head}.${frac}Z`;
}

export function formatMillis(nanos: bigint): string {
  const { head, ns } = iso(nanos);
  return `${head}.${ns.toString().padStart(9, '0').slice(0, 3)}Z`;
}

/** Prints a date in a named format; the test server knows the ISO ones and epoch_millis. */
export function formatDate(nanos: bigint, format: string | undefined, nanosField: boolean): string {
  const f = format ?? (nanosField ? 'strict_date_optional_time_nanos' : 'strict_date_optional_time');
  switch (f) {
    case 'strict_date_optional_time_nanos':
      return formatNanos(nanos);
    case 'strict_date_optional_time':
    case 'date_optional_time':
    case 'strict_date_time':
      return formatMillis(nanos);
    case 'epoch_millis':
      return String(msOf(nanos));
    default:
      throw new EsError(400, 'illegal_argument_exception', `Invalid format: [${f}]: the test server prints only ISO formats and epoch_millis`);
  }
}
