import { describe, expect, it } from 'vitest';
import { criParser } from '../../../../../agent/logs/formats/cri.js';
import { dockerParser } from '../../../../../agent/logs/formats/docker.js';
import type { LineParser } from '../../../../../agent/logs/formats/parser.js';
import type { LineBase } from '../../../../../agent/logs/formats/partial.js';
import { baseName, metaFromPath } from '../../../../../agent/logs/formats/path-meta.js';
import { plainParser } from '../../../../../agent/logs/formats/plain.js';
import { leadingTs, normaliseTs } from '../../../../../agent/logs/formats/ts.js';
import type { BuildStats } from '../../../../../agent/logs/record-build.js';
import { recordId } from '../../../../../agent/logs/record-id.js';
import { CONTINUED_MARKER, LOG_LIMITS, LogRecordSchema, type LogRecord } from '../../../../../core/logs/record.js';

const base: LineBase = { cluster: 'c1', namespace: 'payments', pod: 'api-1', container: 'api', node: 'n1', file: 'F' };
const READ_TS = '2026-12-01T11:00:00.000Z';

/** Feeds whole-file text to a parser as the reader would, line by line with offsets. */
function feed(p: LineParser, text: string | Buffer, startAt = 0): { records: LogRecord[]; stats: BuildStats; next: number } {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const records: LogRecord[] = [];
  const stats: BuildStats = { malformed: 0 };
  let off = startAt;
  for (;;) {
    const nl = buf.indexOf(0x0a, off);
    if (nl < 0) break;
    p.line(buf.subarray(off, nl), off, nl + 1, READ_TS, records, stats);
    off = nl + 1;
  }
  for (const r of records) LogRecordSchema.parse(r);
  return { records, stats, next: off };
}

describe('timestamps', () => {
  it('keeps UTC nanoseconds and converts offsets to Z', () => {
    expect(normaliseTs('2026-12-01T10:00:00.123456789Z')).toBe('2026-12-01T10:00:00.123456789Z');
    expect(normaliseTs('2026-12-01T12:00:00.5+02:00')).toBe('2026-12-01T10:00:00.5Z');
    expect(normaliseTs('2026-12-01t10:00:00z')).toBe('2026-12-01T10:00:00Z');
    expect(normaliseTs('2026-13-45T10:00:00Z')).toBeUndefined();
    expect(normaliseTs('yesterday')).toBeUndefined();
    expect(leadingTs('2026-12-01T10:00:00.1Z hello')).toBe('2026-12-01T10:00:00.1Z');
    expect(leadingTs('12 apples')).toBeUndefined();
  });
});

describe('path metadata', () => {
  it('reads kubelet CRI paths, rotated ones too', () => {
    expect(metaFromPath('cri', '/var/log/pods/payments_api-7d9_0c1e-uid/api/0.log')).toEqual({ namespace: 'payments', pod: 'api-7d9', container: 'api' });
    expect(metaFromPath('cri', '/var/log/pods/kube-system_dns-1_u/coredns/3.log.20261201-100000')).toEqual({ namespace: 'kube-system', pod: 'dns-1', container: 'coredns' });
  });
  it('reads /var/log/containers link names and falls back to the file name', () => {
    expect(metaFromPath('docker', `/var/log/containers/api-1_payments_api-${'a'.repeat(64)}.log`)).toEqual({ namespace: 'payments', pod: 'api-1', container: 'api' });
    expect(metaFromPath('plain', '/srv/app/worker.log.1', 'batch')).toEqual({ namespace: 'batch', pod: '', container: 'worker' });
    expect(baseName('/x/.hidden')).toBe('.hidden');
  });
});

describe('CRI parser', () => {
  it('reads full lines with their stream and time', () => {
    const { records, stats } = feed(criParser(base), '2026-12-01T10:00:00.000000001Z stdout F hello\n2026-12-01T10:00:01Z stderr F {"level":"error","msg":"boom"}\n');
    expect(records.map((r) => [r.ts, r.stream, r.message, r.level])).toEqual([
      ['2026-12-01T10:00:00.000000001Z', 'stdout', 'hello', 'unknown'],
      ['2026-12-01T10:00:01Z', 'stderr', 'boom', 'error'],
    ]);
    expect(records[0]!.id).toBe(recordId('c1', 'F', 0, 0));
    expect(stats.malformed).toBe(0);
  });

  it('joins P pieces into one record with the id and time of the first', () => {
    const text = '2026-12-01T10:00:00Z stdout P ERROR par\n2026-12-01T10:00:00.1Z stderr F other\n2026-12-01T10:00:00.2Z stdout P t one \n2026-12-01T10:00:00.3Z stdout F and two\n';
    const { records } = feed(criParser(base), text);
    expect(records.map((r) => [r.stream, r.message])).toEqual([
      ['stderr', 'other'],
      ['stdout', 'ERROR part one and two'],
    ]);
    expect(records[1]!.id).toBe(recordId('c1', 'F', 0, 0));
    expect(records[1]!.ts).toBe('2026-12-01T10:00:00Z');
    expect(records[1]!.level).toBe('error');
  });

  it('keeps an empty message', () => {
    expect(feed(criParser(base), '2026-12-01T10:00:00Z stdout F\n2026-12-01T10:00:00Z stdout F \n').records.map((r) => r.message)).toEqual(['', '']);
  });

  it('keeps lines without CRI framing whole, counted as malformed', () => {
    const { records, stats } = feed(criParser(base), 'ERROR no timestamp here\n2026-12-01T10:00:00Z stdweird F x\n\n');
    expect(records.map((r) => [r.message, r.level, r.ts])).toEqual([
      ['ERROR no timestamp here', 'unknown', READ_TS],
      ['2026-12-01T10:00:00Z stdweird F x', 'unknown', READ_TS],
      ['', 'unknown', READ_TS],
    ]);
    expect(stats.malformed).toBe(3);
  });

  it('emits a run of partials past the limit as marked parts and resumes it after a restart with the same ids', () => {
    const piece = 'x'.repeat(16 * 1024);
    const lines = Array.from({ length: 8 }, (_, i) => `2026-12-01T10:00:0${i}Z stdout P ${piece}\n`).join('') + '2026-12-01T10:00:09Z stdout F end\n';
    const whole = feed(criParser(base), lines);
    const total = 8 * piece.length + 3;
    expect(whole.records.length).toBe(Math.ceil(total / LOG_LIMITS.messageBytes));
    whole.records.forEach((r, i) => {
      expect(r.id).toBe(recordId('c1', 'F', 0, i));
      expect(r.message.endsWith(CONTINUED_MARKER)).toBe(i < whole.records.length - 1);
      expect(r.ts).toBe('2026-12-01T10:00:00Z');
    });
    // Stop after five pieces, take the resume point, and continue in a new parser from there.
    const buf = Buffer.from(lines);
    let cut = 0;
    for (let i = 0; i < 5; i++) cut = buf.indexOf(0x0a, cut) + 1;
    const first = criParser(base);
    const a = feed(first, buf.subarray(0, cut));
    const resume = first.resume(cut);
    expect(resume.partials).toHaveLength(1);
    const b = feed(criParser(base, resume.partials), buf, resume.offset);
    const ids = new Map([...a.records, ...b.records].map((r) => [r.id, r.message]));
    expect([...ids.keys()]).toEqual(whole.records.map((r) => r.id));
    expect([...ids.values()]).toEqual(whole.records.map((r) => r.message));
  });

  it('resumes before an open run that emitted nothing yet', () => {
    const p = criParser(base);
    const { next } = feed(p, '2026-12-01T10:00:00Z stdout F a\n2026-12-01T10:00:00Z stdout P b\n');
    expect(p.resume(next)).toEqual({ offset: 32, partials: [] });
  });
});

describe('docker parser', () => {
  it('reads entries, joins pieces without a newline, and keeps bad lines', () => {
    const text = [
      '{"log":"hello\\n","stream":"stdout","time":"2026-12-01T10:00:00.5Z"}',
      '{"log":"WARN pa","stream":"stderr","time":"2026-12-01T10:00:01Z"}',
      '{"log":"rt\\r\\n","stream":"stderr","time":"2026-12-01T10:00:02Z"}',
      'not json',
      '{"log":5}',
      '',
    ].join('\n');
    const { records, stats } = feed(dockerParser(base), text);
    expect(records.map((r) => [r.stream, r.message, r.ts, r.level])).toEqual([
      ['stdout', 'hello', '2026-12-01T10:00:00.5Z', 'unknown'],
      ['stderr', 'WARN part', '2026-12-01T10:00:01Z', 'warn'],
      ['stdout', 'not json', READ_TS, 'unknown'],
      ['stdout', '{"log":5}', READ_TS, 'unknown'],
    ]);
    expect(stats.malformed).toBe(2);
  });
});

describe('plain parser', () => {
  it('reads one record a line, with a leading timestamp when there is one', () => {
    const { records } = feed(plainParser(base), 'one\n2026-12-01T10:00:00Z [error] two\n\n');
    expect(records.map((r) => [r.message, r.ts, r.level, r.stream])).toEqual([
      ['one', READ_TS, 'unknown', 'stdout'],
      ['2026-12-01T10:00:00Z [error] two', '2026-12-01T10:00:00Z', 'error', 'stdout'],
      ['', READ_TS, 'unknown', 'stdout'],
    ]);
    expect(records[1]!.id).toBe(recordId('c1', 'F', 4, 0));
  });
});
