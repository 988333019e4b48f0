// Stream positions over pods/log: timestamps normalised, what a resumed stream skips (the server cuts
// sinceTime to whole seconds and applies it inclusively), the index a line gets at its time, lines cut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, normaliseTs, Resume, sinceTimeFor, splitTimestamped, type StreamPosition } from '../../../../../agent/logs/kube-api/position.js';

describe('normaliseTs and splitTimestamped', () => {
  it('turns any RFC 3339 time into UTC with nine digits and refuses what is none', () => {
    expect(normaliseTs('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000000000Z');
    expect(normaliseTs('2026-01-02T03:04:05.123456789Z')).toBe('2026-01-02T03:04:05.123456789Z');
    expect(normaliseTs('2026-01-02T04:04:05.5+01:00')).toBe('2026-01-02T03:04:05.500000000Z');
    expect(normaliseTs('yesterday')).toBeNull();
    expect(normaliseTs('2026-13-40T03:04:05Z')).toBeNull();
  });

  it('splits the kubelet timestamp from the message, and says when a line has none', () => {
    const got = splitTimestamped(Buffer.from('2026-01-02T03:04:05.100000000Z hello world'));
    expect(got?.ts).toBe('2026-01-02T03:04:05.100000000Z');
    expect(got?.message.toString()).toBe('hello world');
    expect(splitTimestamped(Buffer.from('2026-01-02T03:04:05Z '))?.message.length).toBe(0);
    expect(splitTimestamped(Buffer.from('no time here'))).toBeNull();
    expect(splitTimestamped(Buffer.from(''))).toBeNull();
  });
});

/** The lines a kubelet returns for sinceTime = pos.ts, cut to whole seconds, inclusive. */
function served(lines: string[], pos: StreamPosition | undefined): string[] {
  const since = sinceTimeFor(pos);
  if (!since) return lines;
  const cut = `${since.slice(0, 19)}.000000000Z`;
  return lines.filter((t) => t >= cut);
}

function ids(lines: string[], from?: StreamPosition): { kept: string[]; pos: StreamPosition | undefined } {
  const r = new Resume(from);
  const kept: string[] = [];
  for (const t of served(lines, from)) {
    const v = r.advance(t);
    if (!v.skip) kept.push(`${v.ts}#${String(v.index)}`);
  }
  return { kept, pos: r.position };
}

describe('Resume', () => {
  const t = (s: number, frac = '000000000'): string => `2026-01-02T03:04:${String(s).padStart(2, '0')}.${frac}Z`;

  it('numbers lines at the same time, and a resumed stream skips the lines up to its position', () => {
    const lines = [t(1), t(1), t(2, '5'.padEnd(9, '0')), t(2, '5'.padEnd(9, '0')), t(2, '7'.padEnd(9, '0')), t(3)];
    const all = ids(lines).kept;
    expect(all).toEqual([`${t(1)}#0`, `${t(1)}#1`, `${t(2, '500000000')}#0`, `${t(2, '500000000')}#1`, `${t(2, '700000000')}#0`, `${t(3)}#0`]);
    // Read up to the first line at 02.5: resume skips the rest of second 01 and that one line.
    const first = ids(lines.slice(0, 3));
    expect(first.pos).toEqual({ ts: t(2, '500000000'), n: 1 });
    expect(ids(lines, first.pos).kept).toEqual(all.slice(3));
  });

  it('keeps its position while a resumed stream has only re-sent lines', () => {
    const r = new Resume({ ts: t(5), n: 2 });
    expect(r.position).toEqual({ ts: t(5), n: 2 });
    expect(r.advance(t(4, '900000000')).skip).toBe(true);
    expect(r.advance(t(5)).skip).toBe(true);
    expect(r.position).toEqual({ ts: t(5), n: 2 });
    expect(r.advance(t(5))).toMatchObject({ skip: true, index: 1 });
    expect(r.advance(t(5))).toMatchObject({ skip: false, index: 2 });
    expect(r.position).toEqual({ ts: t(5), n: 3 });
  });

  it('gives a line older than the newest one read (a clock stepped back) an id of its own', () => {
    const got = ids([t(5), t(4), t(4), t(5)]).kept;
    expect(new Set(got).size).toBe(4);
  });

  it('a line without a time takes the newest time read', () => {
    const r = new Resume();
    r.advance(t(7));
    expect(r.advance(null)).toMatchObject({ skip: false, ts: t(7), index: 1 });
  });

  it('resuming from any committed point yields exactly the rest of the ids (property)', () => {
    const stamp = fc.record({ s: fc.integer({ min: 0, max: 3 }), f: fc.constantFrom('000000000', '250000000', '250000001', '999999999') });
    fc.assert(
      fc.property(fc.array(stamp, { minLength: 1, maxLength: 40 }), fc.nat(), (raw, cutAt) => {
        const lines = raw.map(({ s, f }) => t(s, f)).sort();
        const all = ids(lines).kept;
        const k = cutAt % (lines.length + 1);
        const head = ids(lines.slice(0, k));
        const tail = ids(lines, head.pos).kept;
        expect([...head.kept, ...tail]).toEqual(all);
      }),
    );
  });
});

describe('LineSplitter', () => {
  it('joins lines across chunks and cuts an over-long one into continued pieces, the same way however it arrives', () => {
    const text = Buffer.from(`short\n${'x'.repeat(25)}\ntail`);
    const whole = new LineSplitter(10).push(text);
    const bytewise = new LineSplitter(10);
    const pieces = [...text].flatMap((b) => bytewise.push(Buffer.from([b])));
    expect(pieces).toEqual(whole);
    expect(whole.map((l) => [l.bytes.toString(), l.continued])).toEqual([
      ['short', false],
      ['xxxxxxxxxx', false],
      ['xxxxxxxxxx', true],
      ['xxxxx', true],
    ]);
    expect(bytewise.flush()?.bytes.toString()).toBe('tail');
    expect(bytewise.flush()).toBeUndefined();
  });

  it('forgets a partial line on reset', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('half'))).toEqual([]);
    s.reset();
    expect(s.push(Buffer.from('new\n')).map((l) => l.bytes.toString())).toEqual(['new']);
  });
});
