import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgentMetrics } from '../../../../agent/metrics.js';
import { LogPipeline, type PipelineDeps } from '../../../../agent/logs/pipeline.js';
import type { LogInput } from '../../../../agent/logs/input.js';
import { silentLogger } from '../../../../core/log.js';
import { PipelineSchema } from '../../../../core/status.js';
import { FakeInput, FakeShipper, record } from './fakes.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let pipeline: LogPipeline | undefined;

function setup(inputs: LogInput[], shipper = new FakeShipper(), over: Partial<PipelineDeps> = {}) {
  const delays: number[] = [];
  let now = T0;
  let ids = 0;
  const metrics = createAgentMetrics('c1', 'fake', '0.1.0');
  pipeline = new LogPipeline({
    cluster: 'c1',
    inputs,
    shipper,
    batch: { maxRecords: 3, maxBytes: 1024 * 1024, flushMs: 10 },
    retry: { initialMs: 100, maxMs: 5000 },
    logger: silentLogger(),
    metrics: metrics.logs,
    clock: () => now,
    random: () => 0.5,
    newBatchId: () => `batch-${String(++ids).padStart(4, '0')}`,
    // Backoff waits are recorded, not waited for: each yields once so the loop cannot starve the test.
    sleep: (ms) => {
      delays.push(ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
    ...over,
  });
  return { pipeline, shipper, delays, metrics, advance: (ms: number) => (now += ms) };
}

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

describe('LogPipeline', () => {
  it('ships each chunk as one batch and commits it only after the ack, in read order', async () => {
    const input = new FakeInput();
    input.append([1, 2, 3, 4, 5, 6, 7].map((n) => record(n)));
    const { pipeline, shipper } = setup([input]);
    pipeline.start();
    await vi.waitFor(() => expect(input.commits).toHaveLength(3));
    expect(shipper.shipped.map((b) => b.records.map((r) => r.message))).toEqual([['line 1', 'line 2', 'line 3'], ['line 4', 'line 5', 'line 6'], ['line 7']]);
    expect(input.commits.map((c) => c.records)).toEqual(shipper.shipped.map((b) => b.records));
    expect(shipper.shipped.map((b) => b.cluster)).toEqual(['c1', 'c1', 'c1']);
    expect(input.reads[0]).toEqual({ records: 3, bytes: 1024 * 1024 });
  });

  it('retries the same batch (same batchId, same records) with growing jittered backoff while the hop is away', async () => {
    const input = new FakeInput();
    input.append([record(1), record(2)]);
    const shipper = new FakeShipper();
    shipper.script = ['retry', 'retry', 'retry'];
    const { pipeline, delays } = setup([input], shipper);
    pipeline.start();
    await vi.waitFor(() => expect(input.commits).toHaveLength(1));
    expect(shipper.shipped).toHaveLength(4);
    expect(new Set(shipper.shipped)).toEqual(new Set([shipper.shipped[0]]));
    expect(shipper.shipped.every((b) => b.batchId === 'batch-0001')).toBe(true);
    // initialMs 100 doubling, equal jitter at random 0.5: 3/4 of each ceiling.
    expect(delays).toEqual([75, 150, 300]);
    expect(pipeline.figures().lastError).toBeNull();
  });

  it('keeps retrying a refused batch at the longest delay, reports it as lastError, and never skips it', async () => {
    const input = new FakeInput();
    input.append([record(1)]);
    const shipper = new FakeShipper();
    shipper.script = ['refused', 'refused', 'refused', 'refused', 'hang'];
    const { pipeline, delays, metrics } = setup([input], shipper);
    pipeline.start();
    await vi.waitFor(() => expect(shipper.hanging).toBe(1));
    expect(input.commits).toHaveLength(0);
    expect(delays).toEqual([3750, 3750, 3750, 3750]);
    expect(pipeline.figures().lastError).toBe('the daemon refused the batch: 401 unauthenticated: unknown agent key');
    expect(new Set(shipper.shipped.map((b) => b.batchId))).toEqual(new Set(['batch-0001']));
    expect(await metrics.registry.getSingleMetricAsString('flotilla_agent_log_ship_errors_total')).toMatch(/kind="refused"[^}]*\} 4/);
    shipper.release();
    await vi.waitFor(() => expect(input.commits).toHaveLength(1));
    expect(pipeline.figures().lastError).toBeNull();
  });

  it('holds at most two batches per input: one read ahead while a batch is unacked, none beyond', async () => {
    const input = new FakeInput();
    input.append([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => record(n)));
    const shipper = new FakeShipper();
    shipper.script = ['hang'];
    const { pipeline } = setup([input], shipper);
    pipeline.start();
    await vi.waitFor(() => expect(shipper.hanging).toBe(1));
    await vi.waitFor(() => expect(input.reads).toHaveLength(2));
    expect(pipeline.figures().queueDepth).toBe(6);
    // nothing more is read while the first batch hangs, though lines wait
    await new Promise((r) => setTimeout(r, 100));
    expect(input.reads).toHaveLength(2);
    shipper.release();
    await vi.waitFor(() => expect(input.commits).toHaveLength(3));
    // committed in read order
    expect(input.commits.map((c) => (c.positions as { last: string }).last)).toEqual([record(3).id, record(6).id, record(9).id]);
  });

  it('runs inputs independently: one stuck input does not hold another', async () => {
    const a = new FakeInput('a');
    const b = new FakeInput('b');
    const shipper = new FakeShipper();
    shipper.script = ['hang'];
    const { pipeline } = setup([a, b], shipper, { stopGraceMs: 10 });
    a.append([record(1)]);
    pipeline.start();
    await vi.waitFor(() => expect(shipper.hanging).toBe(1));
    b.append([record(2)]);
    await vi.waitFor(() => expect(b.commits).toHaveLength(1));
    expect(a.commits).toHaveLength(0);
  });

  it('ships a chunk that carries only drops, so the daemon records them', async () => {
    const input = new FakeInput();
    input.append([], [{ path: '/var/log/a.log', file: 'f1', lines: 4, bytes: 400, reason: 'deleted_unread', at: '2026-01-01T00:00:00Z' }]);
    const { pipeline, shipper } = setup([input]);
    pipeline.start();
    await vi.waitFor(() => expect(input.commits).toHaveLength(1));
    expect(shipper.shipped[0]?.records).toEqual([]);
    expect(shipper.shipped[0]?.drops).toHaveLength(1);
  });

  it('outlives an input whose read fails: it pauses with backoff, reports why, and reads on', async () => {
    const input = new FakeInput('files');
    input.failReads = 1;
    input.append([record(1)]);
    const seen: (string | null | undefined)[] = [];
    const { pipeline } = setup([input], new FakeShipper(), {
      sleep: () => {
        seen.push(pipeline?.figures().lastError);
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    pipeline.start();
    await vi.waitFor(() => expect(input.commits).toHaveLength(1));
    expect(seen).toEqual(['log input files: disk on fire']);
    expect(pipeline.figures().lastError).toBeNull();
  });

  it('reports figures: rates, error lines per minute, what the inputs say, and metrics', async () => {
    const input = new FakeInput();
    input.figuresValue = { linesRead: 0, bytesBehind: 2048, oldestUnshippedMs: T0 - 125_000, droppedLines: 7, droppedBytes: 700, sources: 3, refused: Array.from({ length: 12 }, (_, i) => ({ path: `/f${i}`, reason: 'over maxFiles' })) };
    input.append([record(1, 'error'), record(2, 'fatal'), record(3, 'warn'), record(4), record(5, 'error')]);
    const { pipeline, metrics, advance } = setup([input]);
    pipeline.start();
    await vi.waitFor(() => expect(input.commits).toHaveLength(2));
    advance(1000);
    const f = PipelineSchema.parse(pipeline.figures());
    expect(f).toMatchObject({
      transport: 'daemon',
      queueDepth: 0,
      oldestUnshippedSeconds: 126,
      dropped: 7,
      droppedBytes: 700,
      bytesBehind: 2048,
      sources: 3,
      errorLinesPerMinute: 3,
      lastError: null,
    });
    expect(f.refusedSources?.count).toBe(12);
    expect(f.refusedSources?.listed).toHaveLength(10);
    // 5 lines in the one second since start.
    expect(f.linesReadPerSecond).toBe(5);
    expect(f.linesShippedPerSecond).toBe(5);
    advance(61_000);
    expect(pipeline.figures().errorLinesPerMinute).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/flotilla_agent_log_lines_read_total\{cluster="c1"\} 5/);
    expect(text).toMatch(/flotilla_agent_log_lines_shipped_total\{cluster="c1"\} 5/);
    expect(text).toMatch(/flotilla_agent_log_dropped_lines_total\{cluster="c1"\} 7/);
    expect(text).toMatch(/flotilla_agent_log_dropped_bytes_total\{cluster="c1"\} 700/);
    expect(text).toMatch(/flotilla_agent_log_bytes_behind\{cluster="c1"\} 2048/);
  });

  it('stop() abandons a ship attempt that outlasts the grace: nothing is committed, everything is closed', async () => {
    const input = new FakeInput();
    input.append([record(1)]);
    const shipper = new FakeShipper();
    shipper.script = ['hang'];
    const { pipeline } = setup([input], shipper, { stopGraceMs: 10 });
    pipeline.start();
    await vi.waitFor(() => expect(shipper.hanging).toBe(1));
    await pipeline.stop();
    expect(input.commits).toHaveLength(0);
    expect(shipper.closed).toBe(true);
    expect(input.closed).toBe(true);
  });

  it('stop() lets a ship attempt that answers within the grace commit', async () => {
    const input = new FakeInput();
    input.append([record(1)]);
    const shipper = new FakeShipper();
    shipper.script = ['hang'];
    const { pipeline } = setup([input], shipper, { stopGraceMs: 60_000 });
    pipeline.start();
    await vi.waitFor(() => expect(shipper.hanging).toBe(1));
    const readsAtStop = input.reads.length;
    const stopped = pipeline.stop();
    shipper.release();
    await stopped;
    expect(input.commits).toHaveLength(1);
    // the read ahead found nothing to ship, and nothing was read after the stop
    expect(input.reads).toHaveLength(readsAtStop);
    expect(input.closed).toBe(true);
  });
});
