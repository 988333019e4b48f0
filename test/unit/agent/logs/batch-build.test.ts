import { describe, expect, it } from 'vitest';
import { buildBatch, capDrops, errorLines, MAX_DROPS_PER_BATCH } from '../../../../agent/logs/batch-build.js';
import { offFigures, pipelineFigures } from '../../../../agent/logs/figures.js';
import { LogBatchSchema, type LogDrop } from '../../../../core/logs/batch.js';
import { PipelineSchema } from '../../../../core/status.js';
import { record } from './fakes.js';

function drop(i: number): LogDrop {
  return { path: `/var/log/${i}.log`, file: `f${i}`, lines: 2, bytes: 100, reason: 'deleted_unread', at: '2026-01-01T00:00:00Z' };
}

describe('buildBatch', () => {
  it('builds a batch the daemon schema accepts', () => {
    const b = buildBatch('c1', 'batch-0001', new Date('2026-01-01T00:00:00Z'), [record(1), record(2, 'error')], [drop(1)]);
    expect(LogBatchSchema.parse(b)).toEqual(b);
    expect(b.sentAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('folds drops past the cap into one entry, keeping the totals', () => {
    const drops = Array.from({ length: 1500 }, (_, i) => drop(i));
    const capped = capDrops(drops);
    expect(capped).toHaveLength(MAX_DROPS_PER_BATCH);
    expect(capped.reduce((n, d) => n + d.lines, 0)).toBe(3000);
    expect(capped.reduce((n, d) => n + d.bytes, 0)).toBe(150_000);
    expect(capped.at(-1)?.path).toBe('(501 more files)');
    expect(capDrops(drops.slice(0, 3))).toEqual(drops.slice(0, 3));
  });

  it('counts error and fatal lines', () => {
    expect(errorLines([record(1, 'error'), record(2, 'fatal'), record(3, 'warn'), record(4, 'unknown')])).toBe(2);
  });
});

describe('pipeline figures', () => {
  it('reports transport off with zeros when logs do not ship', () => {
    expect(PipelineSchema.parse(offFigures())).toMatchObject({ transport: 'off', queueDepth: 0, dropped: 0, lastError: null });
  });

  it('sums inputs, takes the oldest unshipped line, caps listed refusals and the error text', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const f = pipelineFigures(
      [
        { linesRead: 10, bytesBehind: 100, oldestUnshippedMs: now - 5000, droppedLines: 1, droppedBytes: 10, sources: 2, refused: [{ path: '/a', reason: 'unreadable' }] },
        { linesRead: 20, bytesBehind: 50, oldestUnshippedMs: now - 90_500, droppedLines: 2, droppedBytes: 20, sources: 1, refused: [] },
        { linesRead: 0, bytesBehind: 0, oldestUnshippedMs: null, droppedLines: 0, droppedBytes: 0, sources: 0, refused: [] },
      ],
      { transport: 'daemon', inFlightRecords: 4, linesReadPerSecond: 1 / 3, linesShippedPerSecond: 0, errorLinesLastMinute: 2, lastError: 'x'.repeat(600) },
      now,
    );
    expect(PipelineSchema.parse(f)).toEqual(f);
    expect(f).toMatchObject({ queueDepth: 4, oldestUnshippedSeconds: 90, dropped: 3, droppedBytes: 30, bytesBehind: 150, sources: 3, linesReadPerSecond: 0.33, errorLinesPerMinute: 2 });
    expect(f.refusedSources).toEqual({ count: 1, listed: [{ path: '/a', reason: 'unreadable' }] });
    expect(f.lastError).toHaveLength(512);
  });

  it('never reports a negative age when the clock stepped back', () => {
    const now = 1_000_000;
    const f = pipelineFigures([{ linesRead: 0, bytesBehind: 0, oldestUnshippedMs: now + 10_000, droppedLines: 0, droppedBytes: 0, sources: 1, refused: [] }], { transport: 'daemon', inFlightRecords: 0, linesReadPerSecond: 0, linesShippedPerSecond: 0, errorLinesLastMinute: 0, lastError: null }, now);
    expect(f.oldestUnshippedSeconds).toBe(0);
  });
});
