import { describe, expect, it } from 'vitest';
import { healthOf, summarize, toRow, type FleetEntry } from '../../../../daemon/fleet/row.js';
import { assessReport } from '../../../../daemon/health/model.js';
import type { ClusterRecord } from '../../../../daemon/registry/cluster-record.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';

const RECEIVED = Date.parse('2025-06-01T12:00:00.000Z');
const UNREACHABLE_AFTER = 3;

function record(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name: 'prod-eu-1',
    labels: { env: 'prod' },
    createdAt: '2025-06-01T00:00:00.000Z',
    expiresAt: null,
    intervalSeconds: 10,
    registration: 'registered',
    tokenHash: 'hash',
    tokenBurned: true,
    agentKeyid: 'key-1',
    agentPublicKey: 'pub',
    registeredAt: '2025-06-01T00:01:00.000Z',
    health: 'unknown',
    ...over,
  };
}

function entry(opts: { record?: Partial<ClusterRecord>; report?: Parameters<typeof makeStatusReport>[2] | null; health?: FleetEntry['health'] } = {}): FleetEntry {
  const report = opts.report === null ? null : makeStatusReport('prod-eu-1', 7, opts.report ?? {});
  return { record: record(opts.record), latest: report ? summarize(report, RECEIVED, 'etag-7', { logsLagSeconds: 60 }) : null, health: opts.health ?? 'unknown' };
}

describe('summarize', () => {
  it('keeps what a row shows and the report assessment, stamped with the receipt time and etag', () => {
    const report = makeStatusReport('prod-eu-1', 7, { nodes: 5, notReady: 2, crashLoops: 1, intervalSeconds: 30 });
    const s = summarize(report, RECEIVED, 'etag-7', { logsLagSeconds: 60 });
    expect(s).toEqual({
      seq: 7,
      reportedAt: report.reportedAt,
      receivedAtMs: RECEIVED,
      etag: 'etag-7',
      intervalSeconds: 30,
      kubernetesVersion: 'v1.31.4',
      agentVersion: 'fake-agent',
      nodes: { ready: 3, total: 5 },
      pods: { running: report.pods.running, total: report.pods.total },
      restarts: report.restarts,
      pipeline: { dropped: 0, droppedBytes: 0, lastError: null, errorLinesPerMinute: null },
      figures: report.pipeline,
      assessment: assessReport(report),
    });
    expect(s.assessment).toMatchObject({ health: 'degraded', reasons: expect.arrayContaining(['2/5 nodes NotReady']) as string[] });
  });
});

describe('summarize: log pipeline', () => {
  const withPipeline = (p: Partial<ReturnType<typeof makeStatusReport>['pipeline']>) => {
    const r = makeStatusReport('prod-eu-1', 7, {});
    return { ...r, pipeline: { ...r.pipeline, transport: 'daemon' as const, ...p } };
  };

  it('keeps the error-lines rate for the row, null from an agent whose logs are off', () => {
    const s = summarize(withPipeline({ errorLinesPerMinute: 42 }), RECEIVED, 'e', { logsLagSeconds: 60 });
    expect(toRow({ record: record(), latest: s, health: 'healthy' }, RECEIVED, UNREACHABLE_AFTER).errorLinesPerMinute).toBe(42);
    const off = summarize(withPipeline({ transport: 'off', errorLinesPerMinute: 0 }), RECEIVED, 'e', { logsLagSeconds: 60 });
    expect(toRow({ record: record(), latest: off, health: 'healthy' }, RECEIVED, UNREACHABLE_AFTER).errorLinesPerMinute).toBeNull();
    expect(toRow({ record: record(), latest: null, health: 'unknown' }, RECEIVED, UNREACHABLE_AFTER).errorLinesPerMinute).toBeNull();
  });

  it('judges drops and errors against the previous summary, and the lag against the configured threshold', () => {
    const first = summarize(withPipeline({ dropped: 5, droppedBytes: 2048, lastError: 'ECONNREFUSED' }), RECEIVED, 'e1', { logsLagSeconds: 60 });
    expect(first.assessment.reasons).toEqual(['dropped 5 log lines (2.0 KiB)']);
    const second = summarize(withPipeline({ dropped: 5, droppedBytes: 2048, lastError: 'ECONNREFUSED', oldestUnshippedSeconds: 30 }), RECEIVED, 'e2', { logsLagSeconds: 20, previous: first });
    expect(second.assessment.reasons).toEqual(['logs lag 30s behind', 'log shipping failing: ECONNREFUSED']);
  });
});

describe('healthOf', () => {
  it('is unknown until the agent registers and reports, and after the TTL', () => {
    expect(healthOf(entry({ record: { registration: 'pending' }, report: null }), RECEIVED, UNREACHABLE_AFTER)).toEqual({ health: 'unknown', reasons: ['agent not registered'] });
    expect(healthOf(entry({ report: null }), RECEIVED, UNREACHABLE_AFTER)).toEqual({ health: 'unknown', reasons: ['awaiting first report'] });
    expect(healthOf(entry({ record: { registration: 'expired' } }), RECEIVED, UNREACHABLE_AFTER)).toEqual({ health: 'unknown', reasons: ['cluster TTL expired'] });
  });

  it('is the report assessment while fresh, and unreachable after the allowed silence', () => {
    const e = entry({ report: { nodes: 5, notReady: 1 } });
    expect(healthOf(e, RECEIVED + 30_000, UNREACHABLE_AFTER)).toEqual({ health: 'degraded', reasons: ['1/5 nodes NotReady'] });
    const stale = healthOf(e, RECEIVED + 30_001, UNREACHABLE_AFTER);
    expect(stale.health).toBe('unreachable');
    expect(stale.reasons).toHaveLength(1);
  });

  it('counts silence in the interval the agent reports, not the one the cluster was added with', () => {
    const e = entry({ record: { intervalSeconds: 10 }, report: { intervalSeconds: 60 } });
    expect(healthOf(e, RECEIVED + 150_000, UNREACHABLE_AFTER).health).toBe('healthy');
    expect(healthOf(e, RECEIVED + 180_001, UNREACHABLE_AFTER).health).toBe('unreachable');
  });
});

describe('toRow', () => {
  it('measures data age from receipt, whatever the agent clock claims, and never below zero', () => {
    const e = entry();
    e.latest = { ...e.latest!, reportedAt: '2099-01-01T00:00:00.000Z' };
    const row = toRow(e, RECEIVED + 12_999, UNREACHABLE_AFTER);
    expect(row.dataAgeSeconds).toBe(12);
    expect(row.reportedAt).toBe('2099-01-01T00:00:00.000Z');
    expect(toRow(e, RECEIVED - 5_000, UNREACHABLE_AFTER).dataAgeSeconds).toBe(0);
  });

  it('derives health when the row is built, not from the health last recorded', () => {
    const e = entry({ health: 'healthy' });
    expect(toRow(e, RECEIVED + 1_000, UNREACHABLE_AFTER)).toMatchObject({ health: 'healthy', reasons: [] });
    expect(toRow(e, RECEIVED + 31_000, UNREACHABLE_AFTER).health).toBe('unreachable');
  });

  it('shows a cluster without a report with its registration, labels, interval and TTL, and no figures', () => {
    const e = entry({ record: { registration: 'pending', intervalSeconds: 15, expiresAt: '2025-06-02T00:00:00.000Z' }, report: null });
    expect(toRow(e, RECEIVED, UNREACHABLE_AFTER)).toEqual({
      name: 'prod-eu-1',
      labels: { env: 'prod' },
      registration: 'pending',
      health: 'unknown',
      reasons: ['agent not registered'],
      reportedAt: null,
      dataAgeSeconds: null,
      intervalSeconds: 15,
      kubernetesVersion: null,
      agentVersion: null,
      nodes: { ready: 0, total: 0 },
      pods: { running: 0, total: 0 },
      restarts: 0,
      errorLinesPerMinute: null,
      expiresAt: '2025-06-02T00:00:00.000Z',
    });
  });

  it('shows the report figures and its interval once there is one', () => {
    const e = entry({ report: { nodes: 4, notReady: 1, intervalSeconds: 20 } });
    expect(toRow(e, RECEIVED + 2_000, UNREACHABLE_AFTER)).toMatchObject({
      registration: 'registered',
      health: 'degraded',
      intervalSeconds: 20,
      kubernetesVersion: 'v1.31.4',
      agentVersion: 'fake-agent',
      nodes: { ready: 3, total: 4 },
      dataAgeSeconds: 2,
    });
  });
});
