// The pipeline view's pure rendering against the fixture snapshot: cells per column, the columns
// that give way on a narrow terminal, the outbox on each chain, the detail lines and the totals.
import { describe, expect, it } from 'vitest';
import { headerLine, joinCells, MARKER_WIDTH } from '../../../../tui/render/columns.js';
import {
  outboxText,
  pipelineCells,
  pipelineColumns,
  pipelineDetail,
  pipelineHealthCounts,
  pipelineLineParts,
  pipelineTotalsText,
  rateText,
  snapshotAgeText,
} from '../../../../tui/render/pipeline-row.js';
import { NOW } from '../helpers.js';
import { PIPELINE, pipelineRow } from '../pipeline-helpers.js';

const byName = (name: string) => PIPELINE.rows.find((r) => r.cluster === name)!;
const ids = (width: number) => pipelineColumns(width).map((c) => c.id);
const MiB = 1024 * 1024;

describe('pipeline rows', () => {
  it('formats every column of a row on each chain', () => {
    const columns = pipelineColumns(160);
    expect(pipelineCells(byName('prod-us-1'), columns)).toEqual([
      'critical',
      'prod-us-1',
      'rabbitmq',
      '12m 5s',
      '0.0',
      '2.0k/5.0 MiB',
      '240 MiB 92%',
      'terminated',
      '0',
      '0',
      expect.stringMatching(/^shovel to the center terminated: .*… \+3$/),
    ]);
    expect(pipelineCells(byName('staging-us-1'), columns).slice(0, 10)).toEqual(['degraded', 'staging-us-1', 'daemon', '1s', '12.0', '300/1.5 KiB', '—', '—', '1', '12']);
    expect(pipelineCells(byName('edge-store-0417'), columns).slice(0, 10)).toEqual(['unknown', 'edge-store-0417', '-', '-', '0.0', '-', '—', '—', '0', '0']);
    expect(pipelineCells(byName('dev-1'), columns).at(-1)).toBe('');
  });

  it('gives up reasons, the shovel, the backlog, then the transport as the width shrinks, so names stay readable at 80', () => {
    expect(ids(80)).toEqual(['HEALTH', 'CLUSTER', 'LAG', 'INGEST/S', 'OUTBOX', 'DEAD', 'DROPPED']);
    expect(ids(85)).toEqual(['HEALTH', 'CLUSTER', 'TRANSPORT', 'LAG', 'INGEST/S', 'OUTBOX', 'DEAD', 'DROPPED']);
    expect(ids(100)).toEqual(['HEALTH', 'CLUSTER', 'TRANSPORT', 'LAG', 'INGEST/S', 'QUEUE/BEHIND', 'OUTBOX', 'DEAD', 'DROPPED']);
    expect(ids(120)).toEqual(['HEALTH', 'CLUSTER', 'TRANSPORT', 'LAG', 'INGEST/S', 'QUEUE/BEHIND', 'OUTBOX', 'SHOVEL', 'DEAD', 'DROPPED']);
    expect(ids(160)).toContain('REASONS');
    for (const width of [80, 84, 85, 90, 100, 110, 120, 140, 160, 200]) {
      const columns = pipelineColumns(width);
      expect(headerLine(columns).length, `header at ${width}`).toBeLessThanOrEqual(width);
      expect(columns.find((c) => c.id === 'CLUSTER')!.width, `cluster at ${width}`).toBeGreaterThanOrEqual(19);
      for (const row of PIPELINE.rows) expect((' '.repeat(MARKER_WIDTH) + joinCells(columns, pipelineCells(row, columns))).length).toBeLessThanOrEqual(width);
    }
    expect(headerLine(pipelineColumns(80))).toBe('  HEALTH   CLUSTER                      LAG INGEST/S         OUTBOX DEAD DROPPED');
  });

  it('shows the outbox as messages, bytes and fill of the cap by its ready bytes, "?" before the broker sampled it, "—" on the embedded chain', () => {
    const edge = byName('prod-eu-2').edge;
    expect(outboxText(edge, 14)).toBe('40 1.0 MiB 0%');
    expect(outboxText(byName('prod-us-1').edge, 14)).toBe('240 MiB 92%');
    expect(outboxText(byName('prod-us-1').edge, 20)).toBe('12k 240 MiB 92%');
    expect(outboxText(edge && { ...edge, outboxReadyBytes: null }, 14)).toBe('40 1.0 MiB ?%');
    expect(outboxText(edge && { ...edge, outboxBytes: null, outboxMessages: null }, 14)).toBe('?');
    expect(outboxText(null, 14)).toBe('—');
  });

  it('shows rates with a decimal while small and as short counts after', () => {
    expect([rateText(null), rateText(0), rateText(12.34), rateText(812.4), rateText(12_345)]).toEqual(['-', '0.0', '12.3', '812', '12k']);
  });

  it('splits a line around the health cell, keeping the selection marker', () => {
    const columns = pipelineColumns(80);
    const parts = pipelineLineParts(byName('prod-eu-2'), columns, true);
    expect(parts.before).toBe('> ');
    expect(parts.health).toBe('degraded');
    expect(parts.after).toMatch(/^ prod-eu-2 +2m 5s +0\.0 +40 1\.0 MiB 0% +0 +0$/);
    expect((parts.before + parts.health + parts.after).length).toBe(80);
    expect(pipelineLineParts(byName('prod-eu-2'), columns, false).before).toBe('  ');
  });
});

describe('pipeline detail', () => {
  it('lists the figures the table has no room for and the reasons, cut with a count', () => {
    const d = pipelineDetail(byName('prod-us-1'), 3);
    expect(d.cluster).toBe('prod-us-1');
    expect(d.health).toBe('critical');
    expect(d.figures).toBe(
      'rabbitmq · queued 2.0k · behind 5.0 MiB · oldest 12m 5s · read 1.5k/s · shipped 0.0/s · outbox 12k msgs, 240 MiB, 92% of the 256 MiB cap · shovel terminated · dropped 0 (0 B) · report 2s ago',
    );
    expect(d.reasons).toEqual([
      'shovel to the center terminated: connection refused',
      'edge outbox 92% full (236 MiB of 256 MiB): at its cap it refuses publishes and the agent pauses',
      '+2 more (flotilla pipeline lists them all)',
    ]);
    expect(pipelineDetail(byName('prod-us-1'), 4).reasons).toHaveLength(4);
  });

  it('says so when nothing is wrong, when logs are off, and when the agent never reported', () => {
    expect(pipelineDetail(byName('prod-eu-1'), 3).reasons).toEqual(['nothing wrong']);
    expect(pipelineDetail(byName('dev-1'), 3)).toMatchObject({ reasons: ['logs off: this cluster does not ship them'] });
    expect(pipelineDetail(byName('edge-store-0417'), 3).figures).toBe('no transport · no report yet · dropped 0 (0 B)');
    expect(pipelineDetail(pipelineRow('x', { transport: 'rabbitmq' }), 3).figures).toContain('edge not read yet');
    expect(pipelineDetail(byName('staging-us-1'), 3).figures).toContain('dropped 12 (960 B)');
  });

  it('keeps reasons on one line', () => {
    expect(pipelineDetail(pipelineRow('x', { health: 'degraded', reasons: ['a\nb\tc'] }), 3).reasons).toEqual(['a b c']);
  });
});

describe('pipeline totals', () => {
  it('counts clusters by health worst first, leaving out zeros', () => {
    expect(pipelineHealthCounts(PIPELINE)).toEqual([
      { health: 'critical', text: '1 critical' },
      { health: 'degraded', text: '2 degraded' },
      { health: 'unknown', text: '1 unknown' },
      { health: 'healthy', text: '3 healthy' },
    ]);
  });

  it('sums ingest, outboxes, dead letters, drops and the worst lag; the outbox only when some cluster has an edge', () => {
    expect(pipelineTotalsText(PIPELINE)).toBe('ingest 13k lines/s · outbox 12k (241 MiB) · dead 1 · dropped 12 · max lag 12m 5s');
    const embedded = { ...PIPELINE, rows: PIPELINE.rows.map((r) => ({ ...r, edge: null })), totals: { ...PIPELINE.totals, outboxMessages: 0, outboxBytes: 0, maxLagSeconds: null } };
    expect(pipelineTotalsText(embedded)).toBe('ingest 13k lines/s · dead 1 · dropped 12 · max lag -');
    expect(PIPELINE.totals.outboxBytes).toBe(241 * MiB);
  });

  it("tells the snapshot's age by its own time", () => {
    expect(snapshotAgeText(PIPELINE, NOW)).toBe('2s old');
    expect(snapshotAgeText(PIPELINE, NOW + 90_000)).toBe('1m old');
  });
});
