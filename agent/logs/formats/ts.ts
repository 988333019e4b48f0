// Timestamps as the record wants them: RFC 3339 in UTC with `Z`, the source's sub-second digits kept
// (up to nanoseconds), so lines of one container keep their order. Pure.

const RFC3339 = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(\.\d{1,9})?\d*([Zz]|[+-]\d\d:?\d\d)$/;
const UTC_FAST = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/** The record form of an RFC 3339 timestamp, or undefined when `s` is none (or not a real date). */
export function normaliseTs(s: string): string | undefined {
  // Date.parse rejects month 13 or hour 25; the sink files records by their time, so it must be one.
  if (UTC_FAST.test(s)) return Number.isNaN(Date.parse(s)) ? undefined : s;
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const zone = m[4]!.toUpperCase() === 'Z' ? 'Z' : m[4]!.length === 5 ? `${m[4]!.slice(0, 3)}:${m[4]!.slice(3)}` : m[4]!;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}${m[3] ?? ''}Z`;
}

// A plain line may start with its own timestamp: `2026-12-01T10:00:00.123Z message`.
const LEADING = /^(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:[Zz]|[+-]\d\d:?\d\d))(?:\s|$)/;

/** The timestamp a line starts with, normalised, or undefined. */
export function leadingTs(line: string): string | undefined {
  const c = line.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return undefined;
  const m = LEADING.exec(line.length > 48 ? line.slice(0, 48) : line);
  return m ? normaliseTs(m[1]!) : undefined;
}

/** The record form of a Date (millisecond precision), for lines that carry no time of their own. */
export function tsOf(d: Date): string {
  return d.toISOString();
}
