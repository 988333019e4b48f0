import { describe, expect, it } from 'vitest';
import { buildRecords, type BuildStats, type RecordSource } from '../../../../agent/logs/record-build.js';
import { recordId } from '../../../../agent/logs/record-id.js';
import { CONTINUED_MARKER, LOG_LIMITS, LogRecordSchema } from '../../../../core/logs/record.js';

const src = (bytes: Buffer | string, over: Partial<RecordSource> = {}): RecordSource => ({
  cluster: 'prod-eu-1',
  namespace: 'payments',
  pod: 'api-1',
  container: 'api',
  node: 'node-a',
  stream: 'stdout',
  ts: '2026-12-01T10:00:00.123456789Z',
  idParts: ['file-1', 4096],
  bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
  ...over,
});

const valid = (records: unknown[]): void => {
  for (const r of records) LogRecordSchema.parse(r);
};

describe('record building', () => {
  it('builds one schema-valid record with a deterministic id', () => {
    const [r, ...rest] = buildRecords(src('GET /healthz 200'));
    expect(rest).toEqual([]);
    expect(r).toEqual({
      id: recordId('prod-eu-1', 'file-1', 4096, 0),
      ts: '2026-12-01T10:00:00.123456789Z',
      cluster: 'prod-eu-1',
      namespace: 'payments',
      pod: 'api-1',
      container: 'api',
      node: 'node-a',
      stream: 'stdout',
      level: 'unknown',
      message: 'GET /healthz 200',
      fields: {},
    });
    expect(buildRecords(src('other text'))[0]!.id).toBe(r!.id);
    expect(buildRecords(src('GET /healthz 200', { idParts: ['file-1', 4097] }))[0]!.id).not.toBe(r!.id);
    valid([r]);
  });

  it('keeps invalid UTF-8 as replacement characters', () => {
    const stats: BuildStats = { malformed: 0 };
    const [r] = buildRecords(src(Buffer.concat([Buffer.from('price: '), Buffer.from([0xff, 0xfe]), Buffer.from(' euro ERROR')])), stats);
    expect(r!.message).toBe('price: \ufffd\ufffd euro ERROR');
    expect(stats.malformed).toBe(0);
    valid([r]);
  });

  it('strips control characters and ANSI colours but keeps tabs', () => {
    const [r] = buildRecords(src('\x1b[31mERROR\x1b[0m\tdisk\x07 full\r'));
    expect(r!.message).toBe('ERROR\tdisk full');
    expect(r!.level).toBe('error');
  });

  it('keeps binary garbage as one unknown-level record and counts it', () => {
    const garbage = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256));
    const stats: BuildStats = { malformed: 0 };
    const records = buildRecords(src(garbage), stats);
    expect(records).toHaveLength(1);
    expect(records[0]!.level).toBe('unknown');
    expect(records[0]!.fields).toEqual({});
    expect([...records[0]!.message].some((c) => c !== '\t' && (c < ' ' || c === '\x7f'))).toBe(false);
    expect(stats.malformed).toBe(1);
    valid(records);
  });

  it('marks a line the parser could not frame as malformed, level unknown', () => {
    const stats: BuildStats = { malformed: 0 };
    const [r] = buildRecords(src('ERROR no timestamp', { malformed: true }), stats);
    expect(r!.level).toBe('unknown');
    expect(r!.message).toBe('ERROR no timestamp');
    expect(stats.malformed).toBe(1);
  });

  it('splits a 10 MB line into marked parts with their own ids, no character cut', () => {
    const line = Buffer.from('ERROR ' + 'é'.repeat(5 * 1024 * 1024));
    const records = buildRecords(src(line));
    expect(records.length).toBeGreaterThanOrEqual(Math.ceil(line.length / LOG_LIMITS.messageBytes));
    records.forEach((r, i) => {
      expect(r.id).toBe(recordId('prod-eu-1', 'file-1', 4096, i));
      expect(r.level).toBe('error');
      expect(r.message.includes('\ufffd')).toBe(false);
      expect(r.message.endsWith(CONTINUED_MARKER)).toBe(i < records.length - 1);
      expect(Buffer.byteLength(r.message.replace(CONTINUED_MARKER, ''))).toBeLessThanOrEqual(LOG_LIMITS.messageBytes);
    });
    const joined = records.map((r, i) => (i < records.length - 1 ? r.message.slice(0, -CONTINUED_MARKER.length) : r.message)).join('');
    expect(joined).toBe(line.toString('utf8'));
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    valid(records);
  });

  it('flattens a JSON line and shows its msg', () => {
    const [r] = buildRecords(src('{"level":50,"time":1,"msg":"payment failed","user":{"id":42},"pid":7}'));
    expect(r!.message).toBe('payment failed');
    expect(r!.level).toBe('error');
    expect(r!.fields).toEqual({ level: 50, time: 1, 'user.id': 42, pid: 7 });
    valid([r]);
  });

  it('uses message, severity and ECS log.level, and the raw line when there is no message', () => {
    expect(buildRecords(src('{"severity":"WARNING","message":"slow"}'))[0]).toMatchObject({ message: 'slow', level: 'warn' });
    expect(buildRecords(src('{"log":{"level":"info"},"x":1}'))[0]).toMatchObject({ message: '{"log":{"level":"info"},"x":1}', level: 'info' });
    expect(buildRecords(src('{"msg":"ERROR in text"}'))[0]!.level).toBe('error');
  });

  it('treats broken JSON and JSON arrays as text', () => {
    expect(buildRecords(src('{"level":"error", broken'))[0]).toMatchObject({ message: '{"level":"error", broken', fields: {} });
    expect(buildRecords(src('[1,2]'))[0]!.fields).toEqual({});
  });

  it('survives deeply nested JSON', () => {
    const deep = '{"a":' + '['.repeat(15_000) + ']'.repeat(15_000) + '}';
    const [r] = buildRecords(src(deep));
    expect(Object.keys(r!.fields)).toEqual(['a.0.0.0']);
    expect(String(r!.fields['a.0.0.0'])).toHaveLength(LOG_LIMITS.fieldValueChars);
    valid([r]);
  });

  it('clamps over-long names to what the schema allows', () => {
    const [r] = buildRecords(src('x', { container: 'c'.repeat(300), cluster: 'k'.repeat(80) }));
    valid([r]);
  });
});
