// The log service over a real FTS5 sink in a temp dir: acks only after the commit, publishes the
// stored records of each commit, answers 503 when the writer's wait list is full or the sink fails
// (nothing buffered without bound), records refusals rate-limited, and the `logs` topic's slow-client
// policy: a bounded buffer, then a dropped count, never an unbounded backlog.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../../config/daemon.js';
import type { DaemonConfig } from '../../../../config/schemas.js';
import { FlotillaError } from '../../../../core/errors.js';
import { generateSigningKey, type SigningKey } from '../../../../core/keys.js';
import { silentLogger } from '../../../../core/log.js';
import { LOGS_TOPIC_LIMITS } from '../../../../core/logs/api.js';
import type { LogRecord } from '../../../../core/logs/record.js';
import { initControlPlane } from '../../../../daemon/init.js';
import { Fts5LogSink } from '../../../../daemon/logs/fts5/sink.js';
import { IngestRefused } from '../../../../daemon/logs/ingest-rules.js';
import { LogService } from '../../../../daemon/logs/service.js';
import type { LogSink } from '../../../../daemon/logs/sink.js';
import { logsTopic } from '../../../../daemon/logs/topic.js';
import { DaemonMetrics } from '../../../../daemon/metrics.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { makeBatch, makeLines, sealBatch } from '../../../fixtures/logs/batches.js';
import { fakeSession, setSlow } from '../api/fake-session.js';
import { FLEET_ADMIN } from '../../../harness/identities.js';

let dir: string;
let config: DaemonConfig;
let registry: Registry;
let sink: Fts5LogSink;
let metrics: DaemonMetrics;
const key: SigningKey = generateSigningKey();
const services: LogService[] = [];

function service(over: { sink?: LogSink; writerQueueLimit?: number } = {}): LogService {
  const s = new LogService({
    sink: over.sink ?? sink,
    config: config.logs,
    pinnedKey: (keyid) => (keyid === key.keyid ? { cluster: 'alpha', key: key.publicKey } : undefined),
    registry,
    metrics,
    log: silentLogger(),
    refusalWindowSeconds: 60,
    refusalMaxSources: 10,
    ...(over.writerQueueLimit !== undefined ? { writerQueueLimit: over.writerQueueLimit } : {}),
  });
  services.push(s);
  return s;
}

/** A sink whose writes wait until the test lets them through. */
function gatedSink(inner: LogSink): { sink: LogSink; release: () => void; waiting: () => number; held: () => number } {
  const held: (() => void)[] = [];
  let waiting = 0;
  const wrapped = Object.create(inner) as LogSink;
  wrapped.write = async (records: readonly LogRecord[]) => {
    waiting += 1;
    await new Promise<void>((r) => held.push(r));
    waiting -= 1;
    return inner.write(records);
  };
  return { sink: wrapped, release: () => held.splice(0).forEach((r) => r()), waiting: () => waiting, held: () => held.length };
}

beforeEach(async () => {
  dir = tempDir('flotilla-logsvc-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  config = loadDaemonConfig(init.configPath, {}, {});
  registry = Registry.open(join(dir, 'registry.db'));
  sink = new Fts5LogSink({ file: join(dir, 'logs.db'), partitionHours: 24 });
  metrics = new DaemonMetrics(() => ({ healthy: 0, degraded: 0, critical: 0, unreachable: 0, unknown: 0 }));
});

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  registry.close();
  cleanupTempDirs();
});

const wait = (until: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (until() ? resolve() : setImmediate(check));
    check();
  });

describe('LogService ingest', () => {
  it('acks once committed and publishes the stored records of each commit', async () => {
    const logs = service();
    const commits: { rev: number; ids: string[] }[] = [];
    logs.subscribe((c) => commits.push({ rev: c.rev, ids: c.records.map((r) => r.id) }));
    const lines = makeLines('alpha', 0, 3);
    const ack = await logs.ingest(sealBatch(makeBatch('alpha', lines), key), '127.0.0.1');
    expect(ack).toMatchObject({ stored: 3, duplicates: 0 });
    expect(commits).toEqual([{ rev: 1, ids: lines.map((l) => l.id) }]);
    // a resend stores nothing new, so nothing is published
    expect(await logs.ingest(sealBatch(makeBatch('alpha', lines), key), '127.0.0.1')).toMatchObject({ stored: 0, duplicates: 3 });
    expect(commits).toHaveLength(1);
    expect((await sink.storedAfter({ filters: [], fields: [], text: [] }, null, 10)).items).toHaveLength(3);
  });

  it('answers 503 when the writer has its limit of batches waiting, and takes batches again after', async () => {
    const gate = gatedSink(sink);
    const logs = service({ sink: gate.sink, writerQueueLimit: 2 });
    const first = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), key), undefined);
    const second = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 1, 2)), key), undefined);
    await wait(() => gate.waiting() === 1);
    const refused = await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 2, 3)), key), undefined).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FlotillaError);
    expect((refused as FlotillaError).httpStatus).toBe(503);
    gate.release();
    // Both were waiting when the writer started: one group commit, one sink write.
    expect(await first).toMatchObject({ stored: 1 });
    expect(await second).toMatchObject({ stored: 1 });
    expect(gate.waiting()).toBe(0);
    const third = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 2, 3)), key), undefined);
    await wait(() => gate.waiting() === 1);
    gate.release();
    expect(await third).toMatchObject({ stored: 1 });
  });

  it('commits the batches waiting for the writer in one sink write, each acked with its own share', async () => {
    const writes: number[] = [];
    const gate = gatedSink(sink);
    const counting = Object.create(gate.sink) as LogSink;
    counting.write = (records: readonly LogRecord[]) => {
      writes.push(records.length);
      return gate.sink.write(records);
    };
    const logs = service({ sink: counting });
    const busy = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 2)), key), undefined);
    await wait(() => gate.waiting() === 1);
    const shared = makeLines('alpha', 2, 5);
    const waiting = [
      logs.ingest(sealBatch(makeBatch('alpha', shared), key), undefined),
      // the same lines again (a resend while the first is waiting) and one new line
      logs.ingest(sealBatch(makeBatch('alpha', [...shared, ...makeLines('alpha', 5, 6)]), key), undefined),
      logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), key), undefined),
    ];
    gate.release();
    await busy;
    await wait(() => gate.waiting() === 1);
    gate.release();
    const acks = await Promise.all(waiting);
    expect(writes).toEqual([2, 3 + 4 + 1]);
    expect(acks.map((a) => [a.stored, a.duplicates])).toEqual([[3, 0], [1, 3], [0, 1]]);
    expect((await sink.stats()).records).toBe(6);
  });

  it('commits each batch of a failed group on its own, so one batch the store refuses holds no other back', async () => {
    const poison = makeLines('alpha', 0, 1);
    const picky = Object.create(sink) as LogSink;
    picky.write = (records: readonly LogRecord[]) => (records.some((r) => r.id === poison[0]!.id) ? Promise.reject(new Error('log record has an unknown level')) : sink.write(records));
    const gate = gatedSink(picky);
    const logs = service({ sink: gate.sink });
    const busy = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 10, 11)), key), undefined);
    await wait(() => gate.waiting() === 1);
    const bad = logs.ingest(sealBatch(makeBatch('alpha', poison), key), undefined).catch((e: unknown) => e);
    const good = logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 1, 3)), key), undefined);
    gate.release();
    await busy;
    // the group's write, then each batch's own: a write not yet let through is one held
    for (let k = 0; k < 3; k++) {
      await wait(() => gate.held() === 1);
      gate.release();
    }
    expect(((await bad) as FlotillaError).httpStatus).toBe(503);
    expect(await good).toMatchObject({ stored: 2, duplicates: 0 });
  });

  it('answers 503 and acks nothing when the sink cannot commit', async () => {
    const broken = Object.create(sink) as LogSink;
    broken.write = () => Promise.reject(new Error('database or disk is full'));
    const logs = service({ sink: broken });
    const e = await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 1)), key), undefined).catch((err: unknown) => err);
    expect((e as FlotillaError).httpStatus).toBe(503);
    expect(await metrics.registry.getSingleMetricAsString('flotilla_log_ingest_batches_total')).toMatch(/result="busy"\} 1/);
  });

  it('acks a batch whose records the store refused one by one, and counts them as rejected', async () => {
    const picky = Object.create(sink) as LogSink;
    const lines = makeLines('alpha', 0, 3);
    picky.write = async (records: readonly LogRecord[]) => {
      const kept = await sink.write(records.filter((r) => r.id !== lines[1]!.id));
      return { ...kept, rejected: [{ id: lines[1]!.id, reason: 'document_parsing_exception: bad' }] };
    };
    const logs = service({ sink: picky });
    expect(await logs.ingest(sealBatch(makeBatch('alpha', lines), key), undefined)).toMatchObject({ stored: 2, duplicates: 0 });
    expect(await metrics.registry.getSingleMetricAsString('flotilla_log_ingest_records_total')).toMatch(/result="rejected"\} 1/);
    // A consumer batch gets them back, to dead-letter each record.
    const more = makeLines('alpha', 10, 13);
    const r = await logs.commitBatches([{ cluster: 'alpha', keyid: key.keyid, batch: makeBatch('alpha', more) }]);
    expect(r).toEqual({ stored: 3, duplicates: 0, rejected: [{ id: lines[1]!.id, reason: 'document_parsing_exception: bad' }] });
  });

  it('counts every refusal but records one per source, reason and window, then a summary', async () => {
    const logs = service();
    const stranger = generateSigningKey();
    for (let i = 0; i < 5; i++) {
      const e = await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', i, i + 1)), stranger), '10.0.0.9').catch((err: unknown) => err);
      expect(e).toBeInstanceOf(IngestRefused);
    }
    expect(registry.rejections.list({ limit: 100 }).map((r) => r.reason)).toEqual(['unknown_key']);
    expect(await metrics.registry.getSingleMetricAsString('flotilla_log_ingest_rejected_total')).toMatch(/reason="unknown_key"\} 5/);
    await logs.stop();
    const recorded = registry.rejections.list({ limit: 100 });
    expect(recorded).toHaveLength(2);
    expect(recorded[0]!.message).toMatch(/^5 log batches refused as unknown_key from 10\.0\.0\.9/);
    expect(registry.audit.list(100).filter((a) => a.action === 'log.ingest')).toHaveLength(2);
  });
});

describe('logs topic', () => {
  async function subscribed(logs: LogService, query: string) {
    const topic = logsTopic(logs, () => ['alpha'], { visible: () => null, view: () => null });
    const { sock, session } = fakeSession();
    const opened = await topic.match('logs', query, undefined, FLEET_ADMIN)!.open(session);
    session.sendText(JSON.stringify(opened.snapshot));
    opened.started?.();
    return { topic, sock, session };
  }

  it('sends the snapshot, then only the matching lines of each commit', async () => {
    const logs = service();
    await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 0, 2, { level: 'error' })), key), undefined);
    const { sock, topic } = await subscribed(logs, 'level:error');
    expect(sock.sent[0]).toMatchObject({ topic: 'logs', kind: 'snapshot', rev: 1, more: false });
    expect(sock.sent[0].data).toHaveLength(2);
    await logs.ingest(sealBatch(makeBatch('alpha', [...makeLines('alpha', 2, 4, { level: 'error' }), ...makeLines('alpha', 4, 6, { level: 'info' })]), key), undefined);
    expect(sock.sent[1]).toMatchObject({ topic: 'logs', kind: 'lines', rev: 2 });
    expect(sock.sent[1].lines.map((l: LogRecord) => l.level)).toEqual(['error', 'error']);
    // a commit with nothing matching sends nothing
    await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', 6, 7, { level: 'info' })), key), undefined);
    expect(sock.sent).toHaveLength(2);
    topic.close();
  });

  it('holds up to bufferedLines for a slow client, then counts the rest as dropped', async () => {
    const logs = service();
    const { sock, session, topic } = await subscribed(logs, '');
    setSlow(sock, true);
    const limit = LOGS_TOPIC_LIMITS.bufferedLines;
    let n = 0;
    while (n < limit + 1500) {
      await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', n, n + 2500)), key), undefined);
      n += 2500;
    }
    expect(sock.sent).toHaveLength(1);
    setSlow(sock, false);
    topic.flush(session);
    expect(sock.sent[1]).toMatchObject({ topic: 'logs', kind: 'lines' });
    expect(sock.sent[1].lines).toHaveLength(limit);
    expect(sock.sent[1].lines[limit - 1].id).toBe(makeLines('alpha', limit - 1, limit)[0]!.id);
    expect(sock.sent[2]).toEqual({ topic: 'logs', kind: 'dropped', count: n - limit });
    // live again
    await logs.ingest(sealBatch(makeBatch('alpha', makeLines('alpha', n, n + 1)), key), undefined);
    expect(sock.sent[3]).toMatchObject({ kind: 'lines', lines: [{ id: makeLines('alpha', n, n + 1)[0]!.id }] });
    topic.close();
  });

  it('refuses a query that does not parse with its position', () => {
    const topic = logsTopic(service(), () => [], { visible: () => null, view: () => null });
    expect(() => topic.match('logs', 'level:nope', undefined, FLEET_ADMIN)).toThrow(expect.objectContaining({ kind: 'usage', details: expect.objectContaining({ position: 6 }) }) as Error);
    topic.close();
  });
});
