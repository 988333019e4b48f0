// The pipeline rules on their own: what makes a cluster's log pipeline unknown, degraded or
// critical, and how the fleet snapshot orders and totals the rows.
import { describe, expect, it } from 'vitest';
import type { EdgeFigures, PipelineFigures } from '../../../../core/status.js';
import { CRITICAL_LAG_FACTOR, OUTBOX_CRITICAL_RATIO, OUTBOX_DEGRADED_RATIO, pipelineRow, pipelineSnapshot, PIPELINE_RECENT_SECONDS, type PipelineInputs } from '../../../../daemon/logs/pipeline-model.js';
import { IngestFigures } from '../../../../daemon/logs/ingest-figures.js';
import { makeDrop } from '../../../fixtures/logs/batches.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const figures = (over: Partial<PipelineFigures> = {}): PipelineFigures => ({ queueDepth: 10, oldestUnshippedSeconds: 1, dropped: 0, transport: 'daemon', bytesBehind: 2048, linesReadPerSecond: 100, linesShippedPerSecond: 99, lastError: null, ...over });
const inputs = (over: Partial<PipelineInputs> = {}): PipelineInputs => ({
  cluster: 'alpha',
  nowMs: NOW,
  report: { receivedAtMs: NOW - 5_000, intervalSeconds: 10, figures: figures() },
  silentAfterIntervals: 3,
  lagSeconds: 60,
  ingest: { linesPerSecond: 99, newestTs: '2026-12-02T11:59:58.000Z', newestTsMs: NOW - 2_000, deadLetters: 0, recentDeadLetters: 0 },
  dropped: { lines: 0, bytes: 0 },
  recentDrops: [],
  ...over,
});

describe('pipeline rows', () => {
  it('is healthy with a fresh report, no lag, no errors, no recent drops or refusals; and carries the figures', () => {
    expect(pipelineRow(inputs())).toEqual({
      cluster: 'alpha',
      health: 'healthy',
      reasons: [],
      transport: 'daemon',
      reportAgeSeconds: 5,
      agent: { queueDepth: 10, bytesBehind: 2048, oldestUnshippedSeconds: 1, linesReadPerSecond: 100, linesShippedPerSecond: 99, lastError: null },
      edge: null,
      ingestLinesPerSecond: 99,
      newestIngestedTs: '2026-12-02T11:59:58.000Z',
      lagSeconds: 2,
      deadLetters: 0,
      dropped: { lines: 0, bytes: 0 },
    });
  });

  it('is unknown before a report and when the agent is silent, whatever the figures say', () => {
    expect(pipelineRow(inputs({ report: null }))).toMatchObject({ health: 'unknown', transport: null, agent: null, reportAgeSeconds: null });
    const silent = pipelineRow(inputs({ report: { receivedAtMs: NOW - 31_000, intervalSeconds: 10, figures: figures({ oldestUnshippedSeconds: 9999 }) } }));
    expect(silent.health).toBe('unknown');
    expect(silent.reasons).toEqual(['agent silent for 31s: its pipeline figures are that old']);
  });

  it('turns a lag past the threshold into degraded and past ten times it into critical', () => {
    expect(pipelineRow(inputs({ report: { receivedAtMs: NOW, intervalSeconds: 10, figures: figures({ oldestUnshippedSeconds: 61 }) } }))).toMatchObject({ health: 'degraded', reasons: ['logs lag 1m 1s behind at the agent'] });
    const critical = pipelineRow(inputs({ report: { receivedAtMs: NOW, intervalSeconds: 10, figures: figures({ oldestUnshippedSeconds: 60 * CRITICAL_LAG_FACTOR + 1, lastError: 'connect ECONNREFUSED' }) } }));
    expect(critical.health).toBe('critical');
    expect(critical.reasons).toEqual(['logs lag 10m 1s behind at the agent', 'log shipping failing: connect ECONNREFUSED']);
  });

  it('is degraded by drops and refusals of the recent window only', () => {
    const recent = makeDrop({ lines: 12, bytes: 960, at: new Date(NOW - 60_000).toISOString() });
    const old = makeDrop({ lines: 500, bytes: 40_000, at: new Date(NOW - (PIPELINE_RECENT_SECONDS + 60) * 1000).toISOString() });
    expect(pipelineRow(inputs({ recentDrops: [old], dropped: { lines: 500, bytes: 40_000 } })).health).toBe('healthy');
    const dropped = pipelineRow(inputs({ recentDrops: [recent, old] }));
    expect(dropped.health).toBe('degraded');
    expect(dropped.reasons[0]).toMatch(/^12 log lines \(.+\) dropped in the last 15 min$/);
    const refused = pipelineRow(inputs({ ingest: { ...inputs().ingest, deadLetters: 4, recentDeadLetters: 1 } }));
    expect(refused).toMatchObject({ health: 'degraded', deadLetters: 4 });
    expect(refused.reasons[0]).toMatch(/^1 log batch or record refused/);
  });

  it('carries the edge broker\'s outbox and shovel, and judges a fill, a shovel not running and an unreadable edge', () => {
    const MIB = 2 ** 20;
    const edge = (over: Partial<EdgeFigures> = {}): EdgeFigures => ({ sampledAt: new Date(NOW - 7_000).toISOString(), outboxMessages: 12, outboxBytes: 4 * MIB, outboxReadyBytes: 3 * MIB, outboxMaxBytes: 100 * MIB, shovel: { state: 'running', reason: null }, error: null, ...over });
    const row = (e: EdgeFigures) => pipelineRow(inputs({ report: { receivedAtMs: NOW - 5_000, intervalSeconds: 10, figures: figures({ transport: 'rabbitmq', edge: e }) } }));
    expect(row(edge())).toMatchObject({ health: 'healthy', edge: { outboxMessages: 12, outboxBytes: 4 * MIB, outboxReadyBytes: 3 * MIB, outboxMaxBytes: 100 * MIB, shovelState: 'running', shovelReason: null, sampledAgeSeconds: 7, error: null } });
    // The cap counts ready bytes only: what the shovel holds unacked through a cut does not fill it.
    expect(row(edge({ outboxBytes: 200 * MIB })).health).toBe('healthy');
    expect(row(edge({ outboxReadyBytes: OUTBOX_DEGRADED_RATIO * 100 * MIB }))).toMatchObject({ health: 'degraded', reasons: ['edge outbox 50% full (50 MiB of 100 MiB)'] });
    expect(row(edge({ outboxReadyBytes: OUTBOX_CRITICAL_RATIO * 100 * MIB }))).toMatchObject({ health: 'critical', reasons: ['edge outbox 90% full (90 MiB of 100 MiB): at its cap it refuses publishes and the agent pauses'] });
    expect(row(edge({ shovel: { state: 'starting', reason: null } }))).toMatchObject({ health: 'degraded', reasons: ['shovel to the center starting (it reconnects every few seconds while the center is away)'] });
    expect(row(edge({ shovel: { state: 'terminated', reason: 'econnrefused' } }))).toMatchObject({ health: 'critical', reasons: ['shovel to the center terminated: econnrefused'] });
    expect(row(edge({ shovel: null }))).toMatchObject({ health: 'critical', edge: { shovelState: 'absent' } });
    expect(row(edge({ outboxMessages: null, outboxBytes: null, outboxReadyBytes: null, shovel: null, error: 'GET /api/queues: ECONNREFUSED' }))).toMatchObject({ health: 'degraded', reasons: ['cannot read the edge broker: GET /api/queues: ECONNREFUSED'] });
  });

  it('judges nothing for a cluster whose logs are off', () => {
    expect(pipelineRow(inputs({ report: { receivedAtMs: NOW, intervalSeconds: 10, figures: figures({ transport: 'off', oldestUnshippedSeconds: 9999 }) } })).health).toBe('healthy');
  });
});

describe('the pipeline snapshot', () => {
  it('puts the worst first, then by name, and totals the fleet', () => {
    const rows = [
      pipelineRow(inputs({ cluster: 'c-ok' })),
      pipelineRow(inputs({ cluster: 'b-unknown', report: null, ingest: { ...inputs().ingest, newestTsMs: null, newestTs: null } })),
      pipelineRow(inputs({ cluster: 'a-critical', report: { receivedAtMs: NOW, intervalSeconds: 10, figures: figures({ oldestUnshippedSeconds: 3600 }) }, ingest: { ...inputs().ingest, newestTsMs: NOW - 90_000 } })),
      pipelineRow(inputs({ cluster: 'a-ok', dropped: { lines: 3, bytes: 30 } })),
    ];
    const s = pipelineSnapshot(rows, NOW);
    expect(s.at).toBe('2026-12-02T12:00:00.000Z');
    expect(s.rows.map((r) => r.cluster)).toEqual(['a-critical', 'b-unknown', 'a-ok', 'c-ok']);
    expect(s.totals).toEqual({ clusters: 4, byHealth: { healthy: 2, degraded: 0, critical: 1, unknown: 1 }, ingestLinesPerSecond: 396, queueDepth: 30, bytesBehind: 6144, outboxMessages: 0, outboxBytes: 0, deadLetters: 0, droppedLines: 3, maxLagSeconds: 90 });
  });
});

describe('ingest figures', () => {
  it('counts what was stored per cluster over the last minute, keeps the newest ts, and counts refusals in and out of the window', () => {
    const f = new IngestFigures();
    f.stored([{ cluster: 'a', ts: '2026-12-02T11:59:00.000Z' }, { cluster: 'a', ts: '2026-12-02T11:59:30.000Z' }, { cluster: 'b', ts: '2026-12-02T11:00:00.000Z' }], NOW - 10_000);
    f.stored([{ cluster: 'a', ts: '2026-12-02T11:58:00.000Z' }], NOW);
    f.refused('a', NOW - (PIPELINE_RECENT_SECONDS + 5) * 1000);
    f.refused('a', NOW);
    expect(f.figures('a', NOW)).toEqual({ linesPerSecond: 0.1, newestTs: '2026-12-02T11:59:30.000Z', newestTsMs: Date.parse('2026-12-02T11:59:30.000Z'), deadLetters: 2, recentDeadLetters: 1 });
    expect(f.figures('a', NOW + 120_000).linesPerSecond).toBe(0);
    expect(f.figures('nobody', NOW)).toEqual({ linesPerSecond: 0, newestTs: null, newestTsMs: null, deadLetters: 0, recentDeadLetters: 0 });
  });
});
