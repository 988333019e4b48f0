import { describe, expect, it } from 'vitest';
import { classifyLogFile, containerLogPath, criLines, rfc3339Nano, rotatedSuffix, splitUtf8 } from '../../../../agent/sim/log-cri.js';

const MS = Date.parse('2026-03-01T10:00:00.120Z');

describe('CRI log format', () => {
  it('writes RFC3339Nano in UTC with the fraction trimmed like Go', () => {
    expect(rfc3339Nano({ ms: MS, nanos: 456_700 })).toBe('2026-03-01T10:00:00.1204567Z');
    expect(rfc3339Nano({ ms: MS, nanos: 0 })).toBe('2026-03-01T10:00:00.12Z');
    expect(rfc3339Nano({ ms: Date.parse('2026-03-01T10:00:00Z'), nanos: 0 })).toBe('2026-03-01T10:00:00Z');
    expect(rfc3339Nano({ ms: MS, nanos: 999_999 })).toBe('2026-03-01T10:00:00.120999999Z');
  });

  it("lays files out like kubelet and names rotated ones <n>.log.<YYYYMMDD-HHMMSS>", () => {
    expect(containerLogPath('payments', 'api-7d9-xk2p4', 'a1b2', 'api', 3)).toBe('pods/payments_api-7d9-xk2p4_a1b2/api/3.log');
    expect(rotatedSuffix(Date.parse('2026-03-01T09:08:07.900Z'))).toBe('20260301-090807');
    expect(classifyLogFile('3.log')).toEqual({ restart: 3, rotated: null });
    expect(classifyLogFile('3.log.20260301-090807')).toEqual({ restart: 3, rotated: '20260301-090807' });
    expect(classifyLogFile('3.log.gz')).toBeNull();
    expect(classifyLogFile('notes.txt')).toBeNull();
  });

  it('writes a short line as one F entry', () => {
    expect(criLines({ ms: MS, nanos: 1 }, 'stderr', 'boom')).toEqual(['2026-03-01T10:00:00.120000001Z stderr F boom']);
  });

  it('splits a long line into P partials closed by an F, each within the byte limit and never inside a character', () => {
    const text = `${'a'.repeat(10)}${'é'.repeat(20)}`;
    const lines = criLines({ ms: MS, nanos: 0 }, 'stdout', text, 16);
    const tags = lines.map((l) => l.split(' ')[2]);
    expect(tags.at(-1)).toBe('F');
    expect(tags.slice(0, -1).every((t) => t === 'P')).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    const pieces = lines.map((l) => l.split(' ').slice(3).join(' '));
    for (const p of pieces) expect(new TextEncoder().encode(p).length).toBeLessThanOrEqual(16);
    expect(pieces.join('')).toBe(text);
    expect(splitUtf8('short', 16)).toEqual(['short']);
  });

  it('refuses a newline inside one entry: the runtime ends an entry at each newline', () => {
    expect(() => criLines({ ms: MS, nanos: 0 }, 'stdout', 'a\nb')).toThrow(RangeError);
  });
});
