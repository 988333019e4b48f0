// Records as documents, the two cursors, and what Elasticsearch's answers mean to the sink.
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../../core/errors.js';
import type { LogRecord } from '../../../../../core/logs/record.js';
import { decodePage, decodeSeq, encodePage, encodeSeq, nextSeq, SEQ_PER_MS } from '../../../../../daemon/logs/elasticsearch/cursor.js';
import { checkRecords, fromSource, toDocument, tsMs } from '../../../../../daemon/logs/elasticsearch/documents.js';
import { errorReason, failure, itemOutcome, requestOutcome } from '../../../../../daemon/logs/elasticsearch/outcomes.js';
import { histogramBody, histogramFrom, searchBody, spansFrom } from '../../../../../daemon/logs/elasticsearch/requests.js';

const rec = (over: Partial<LogRecord> = {}): LogRecord => ({
  id: 'a'.repeat(32),
  ts: '2026-03-01T10:00:00.123456789Z',
  cluster: 'prod',
  namespace: 'ns',
  pod: 'p',
  container: 'c',
  node: '',
  stream: 'stdout',
  level: 'info',
  message: 'hello',
  fields: { 'http.status': 503, ok: true, note: null, user: '42' },
  ...over,
});

describe('documents', () => {
  it('keeps the record, adds seq and the field pairs as the query compares them', () => {
    const d = toDocument(rec(), 7);
    expect(d).toMatchObject({ ts: '2026-03-01T10:00:00.123456789Z', seq: 7, fields: rec().fields });
    expect(d.field_values).toEqual(['http.status\u0000503', 'ok\u0000true', 'note\u0000null', 'user\u000042']);
    expect(fromSource('i', 'a'.repeat(32), d)).toEqual({ ...rec(), cursor: encodeSeq(7) });
  });

  it('refuses a batch with a record the sink can tell is bad', () => {
    expect(checkRecords([rec()])).toEqual([Date.parse('2026-03-01T10:00:00.123Z')]);
    for (const bad of [{ ts: 'yesterday' }, { ts: '2026-02-31T00:00:00Z' }, { ts: '1969-12-31T23:59:59Z' }, { level: 'loud' as LogRecord['level'] }, { id: 'x' }, { fields: { 'a\u0000b': 1 } }]) {
      expect(() => checkRecords([rec(), rec(bad)])).toThrow(FlotillaError);
    }
    expect(tsMs('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(tsMs('2023-02-29T00:00:00Z')).toBeNull();
  });

  it('says when a document is not one of ours', () => {
    expect(() => fromSource('other-index', 'a'.repeat(32), { message: 'x' })).toThrow(expect.objectContaining({ next: expect.stringMatching(/indexPrefix/) }));
    expect(() => fromSource('i', 'not-an-id', toDocument(rec(), 1))).toThrow(FlotillaError);
  });
});

describe('cursors', () => {
  it('assigns seq in order, never below the clock, so it keeps rising across restarts', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(nextSeq(0, now)).toBe(now * SEQ_PER_MS);
    expect(nextSeq(now * SEQ_PER_MS, now)).toBe(now * SEQ_PER_MS + 1);
    expect(nextSeq(5, now)).toBe(now * SEQ_PER_MS);
    expect(Number.isSafeInteger(Date.parse('2248-01-01T00:00:00Z') * SEQ_PER_MS)).toBe(true);
  });

  it('encodes seq so cursors also compare as strings', () => {
    expect(encodeSeq(42)).toBe('0000000000000042');
    expect(encodeSeq(9) < encodeSeq(10)).toBe(true);
    expect(decodeSeq(encodeSeq(1772359200000 * 1024))).toBe(1772359200000 * 1024);
    expect(() => decodeSeq('12a')).toThrow(FlotillaError);
  });

  it('round-trips page cursors and refuses others', () => {
    const c = encodePage(['2026-03-01T10:00:00.000000999Z', 12]);
    expect(decodePage(c)).toEqual(['2026-03-01T10:00:00.000000999Z', 12]);
    for (const bad of ['not a cursor', '2026-03-01T10:00:00Z~', '~12', '2026-03-01~12', '2026-03-01T10:00:00Z~99999999999999999']) expect(() => decodePage(bad)).toThrow(FlotillaError);
    expect(() => encodePage([1, 2])).toThrow(FlotillaError);
    expect(searchBody({ filters: [], fields: [], text: [] }, 10, c).search_after).toEqual(['2026-03-01T10:00:00.000000999Z', 12]);
  });
});

describe('answers', () => {
  it('reads bulk items', () => {
    expect(itemOutcome({ create: { status: 201 } })).toEqual({ kind: 'created' });
    expect(itemOutcome({ create: { status: 409, error: { type: 'version_conflict_engine_exception' } } })).toEqual({ kind: 'exists' });
    expect(itemOutcome({ create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'busy' } } })).toEqual({ kind: 'retry', reason: 'es_rejected_execution_exception: busy' });
    expect(itemOutcome({ create: { status: 503, error: { type: 'unavailable_shards_exception', reason: 'x' } } }).kind).toBe('retry');
    expect(itemOutcome({ create: { status: 404, error: { type: 'index_not_found_exception' } } })).toEqual({ kind: 'missing_index' });
    expect(itemOutcome({ create: { status: 400, error: { type: 'document_parsing_exception', reason: 'bad ts', caused_by: { type: 'illegal_argument_exception', reason: 'no date' } } } })).toEqual({
      kind: 'rejected',
      reason: 'document_parsing_exception: bad ts (caused by illegal_argument_exception: no date)',
    });
    expect(errorReason({ type: 't', reason: 'r'.repeat(1000) }).length).toBe(500);
  });

  it('reads failed requests: retry, retry when it may have been applied, or give up with what to fix', () => {
    const where = 'http://es:9200';
    expect(requestOutcome({ name: 'ConnectionError', message: 'ECONNRESET' }, where).kind).toBe('retry_ambiguous');
    expect(requestOutcome({ name: 'TimeoutError', message: 'timeout' }, where).kind).toBe('retry_ambiguous');
    expect(requestOutcome({ name: 'ResponseError', meta: { statusCode: 429, body: { error: { type: 'es_rejected_execution_exception', reason: 'x' } } } }, where).kind).toBe('retry');
    expect(requestOutcome({ name: 'ResponseError', meta: { statusCode: 502 } }, where).kind).toBe('retry_ambiguous');
    const auth = requestOutcome({ name: 'ResponseError', meta: { statusCode: 401, body: { error: { type: 'security_exception', reason: 'no' } } } }, where);
    expect(auth.kind === 'fatal' && auth.error.kind).toBe('config');
    expect(failure({ name: 'ProductNotSupportedError', message: 'x' }, where).message).toMatch(/does not answer as Elasticsearch/);
    expect(failure({ name: 'ResponseError', meta: { statusCode: 403, body: { error: { type: 'security_exception', reason: 'action denied' } } } }, where).next).toMatch(/create_doc/);
    expect(failure({ name: 'ConnectionError', message: 'ECONNREFUSED' }, where).kind).toBe('unavailable');
  });
});

describe('histogram', () => {
  const base = Date.parse('2026-03-01T00:00:07.123Z');

  it('aligns buckets to since with the offset', () => {
    const plan = histogramBody({ filters: [], fields: [], text: [], sinceMs: base, untilMs: base + 59_999 }, 6);
    expect(plan.bucketMs).toBe(10_000);
    const agg = (plan.body.aggs as { over_time: { date_histogram: { offset: string; fixed_interval: string } } }).over_time.date_histogram;
    expect(agg.fixed_interval).toBe('10000ms');
    expect((base - Number(agg.offset.slice(1, -2))) % 10_000).toBe(0);
  });

  it('reads bucket keys into slots, clamped, by level', () => {
    const h = histogramFrom({ over_time: { buckets: [{ key: base, levels: { buckets: [{ key: 'error', doc_count: 2 }, { key: 'info', doc_count: 1 }] } }, { key: base + 20_000, levels: { buckets: [{ key: 'warn', doc_count: 4 }] } }, { key: base + 90_000, levels: { buckets: [{ key: 'nonsense', doc_count: 9 }] } }] } }, { sinceMs: base, untilMs: base + 59_999 }, 6, 10_000);
    expect(h.buckets).toEqual([{ error: 2, info: 1 }, {}, { warn: 4 }, {}, {}, {}]);
    expect(h.total).toBe(7);
  });

  it('reads index spans from the formatted min and max', () => {
    const spans = spansFrom({ indices: { buckets: [{ key: 'a', oldest: { value: 1, value_as_string: '2026-03-01T00:00:00.000000001Z' }, newest: { value: 2, value_as_string: '2026-03-01T01:00:00.5Z' } }, { key: 'b', oldest: { value: null }, newest: { value: null } }] } });
    expect(spans.get('a')).toEqual({ index: 'a', oldestMs: Date.parse('2026-03-01T00:00:00Z'), newestMs: Date.parse('2026-03-01T01:00:00.500Z') });
    expect(spans.get('b')).toEqual({ index: 'b', oldestMs: null, newestMs: null });
  });
});
