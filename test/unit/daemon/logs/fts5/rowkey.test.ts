import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../../core/errors.js';
import { ROWID_PER_US, TIEBREAKS, baseRowid, decodePage, decodeSeq, encodePage, encodeSeq, parseTs, partitionOf, partitionWidthMs, rowidMs, rowidRange } from '../../../../../daemon/logs/fts5/rowkey.js';

describe('parseTs', () => {
  it('reads RFC 3339 UTC to the nanosecond', () => {
    expect(parseTs('2026-12-01T10:00:00Z')).toEqual({ ms: Date.parse('2026-12-01T10:00:00Z'), us: Date.parse('2026-12-01T10:00:00Z') * 1000, subNs: 0 });
    expect(parseTs('2026-12-01T10:00:00.123456789Z')).toEqual({ ms: Date.parse('2026-12-01T10:00:00.123Z'), us: Date.parse('2026-12-01T10:00:00.123Z') * 1000 + 456, subNs: 789 });
    expect(parseTs('2026-12-01T10:00:00.5Z').ms).toBe(Date.parse('2026-12-01T10:00:00.500Z'));
  });

  it('refuses what is not a real UTC time at or after 1970', () => {
    for (const ts of ['2026-02-31T00:00:00Z', '2026-12-01T10:00:00', '2026-12-01T10:00:00+01:00', '1969-12-31T23:59:59Z', 'now', '2026-12-01T25:00:00Z']) {
      expect(() => parseTs(ts)).toThrow(FlotillaError);
    }
  });
});

describe('rowids', () => {
  const width = partitionWidthMs(168);

  it('order records by ts inside a partition and stay exact numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999_999 }), (ms, a, b) => {
        const ts = (ns: number) => `${new Date(ms).toISOString().slice(0, 19)}.${String(ms % 1000).padStart(3, '0')}${String(ns).padStart(6, '0')}Z`;
        const ta = parseTs(ts(a));
        const tb = parseTs(ts(b));
        const part = partitionOf(ta.ms, width);
        const ra = baseRowid(ta, part, width);
        const rb = baseRowid(tb, part, width);
        expect(Number.isSafeInteger(ra + TIEBREAKS - 1)).toBe(true);
        expect(Math.sign(ra - rb)).toBe(Math.sign(a - b));
        expect(rowidMs(part, width, ra)).toBe(ta.ms);
        const range = rowidRange(part, width, ta.ms, ta.ms)!;
        expect(ra).toBeGreaterThanOrEqual(range.lo);
        expect(ra + TIEBREAKS - 1).toBeLessThanOrEqual(range.hi);
      }),
    );
  });

  it('bound a partition by since and until in ms, or say it is out of range', () => {
    const w = partitionWidthMs(1);
    expect(rowidRange(2, w, undefined, undefined)).toEqual({ lo: 0, hi: w * 1000 * ROWID_PER_US - 1 });
    expect(rowidRange(2, w, 3 * w, undefined)).toBeNull();
    expect(rowidRange(2, w, undefined, 2 * w - 1)).toBeNull();
    expect(rowidRange(2, w, 2 * w + 5, 2 * w + 5)).toEqual({ lo: 5000 * ROWID_PER_US, hi: 6000 * ROWID_PER_US - 1 });
  });
});

describe('cursors', () => {
  it('round-trip and compare as strings in seq order', () => {
    expect(decodeSeq(encodeSeq(42))).toBe(42);
    expect(encodeSeq(9) < encodeSeq(10)).toBe(true);
    expect(decodePage(encodePage(493_000, 4_900_000_000_000_000))).toEqual({ part: 493_000, rowid: 4_900_000_000_000_000 });
  });

  it('refuse what they did not give out', () => {
    for (const c of ['', 'x', '1.2.3', '-1', '1e5', 'zzzzzzzzzzzzz.1']) expect(() => decodePage(c)).toThrow(FlotillaError);
    for (const c of ['', '-1', '1.5', 'abc', '12345678901234567']) expect(() => decodeSeq(c)).toThrow(FlotillaError);
  });
});
