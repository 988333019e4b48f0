import { describe, expect, it } from 'vitest';
import type { PipelineFigures, StatusReport } from '../../../../core/status.js';
import { formatLag } from '../../../../core/duration.js';
import { formatBytes } from '../../../../core/units.js';
import { assessReport, deriveHealth, type HealthInput } from '../../../../daemon/health/model.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');

function input(over: Partial<HealthInput> = {}): HealthInput {
  return { registration: 'registered', report: makeStatusReport('c1', 1), receivedAtMs: NOW - 2000, nowMs: NOW, intervalSeconds: 10, unreachableAfterIntervals: 3, ...over };
}

describe('assessReport', () => {
  it('is healthy with no problems and no reasons', () => {
    expect(assessReport(makeStatusReport('c', 1))).toEqual({ health: 'healthy', reasons: [] });
  });

  it('is degraded with one NotReady node of five', () => {
    expect(assessReport(makeStatusReport('c', 1, { nodes: 5, notReady: 1 }))).toEqual({ health: 'degraded', reasons: ['1/5 nodes NotReady'] });
  });

  it('stays degraded at exactly half the nodes NotReady, critical past half', () => {
    expect(assessReport(makeStatusReport('c', 1, { nodes: 4, notReady: 2 })).health).toBe('degraded');
    expect(assessReport(makeStatusReport('c', 1, { nodes: 5, notReady: 3 }))).toEqual({ health: 'critical', reasons: ['3/5 nodes NotReady'] });
  });

  it('is critical with no nodes at all', () => {
    expect(assessReport(makeStatusReport('c', 1, { nodes: 0 })).reasons).toEqual(['no nodes reported']);
  });

  it('is critical when a kube-system workload has none ready, and lists degraded reasons after', () => {
    const r = assessReport(makeStatusReport('c', 1, { downSystemWorkloads: 1, crashLoops: 2 }));
    expect(r).toEqual({ health: 'critical', reasons: ['kube-system/app-0 0/2 ready', '2 pods CrashLoopBackOff'] });
  });

  it('summarises more than three kube-system workloads down', () => {
    const r = assessReport(makeStatusReport('c', 1, { workloads: 6, downSystemWorkloads: 5 }));
    expect(r.reasons).toContain('2 more kube-system workloads down');
    expect(r.reasons.filter((x) => x.endsWith('0/2 ready'))).toHaveLength(3);
  });

  it('counts workloads not fully ready, pod problems and dropped log lines as degraded', () => {
    const r = assessReport(makeStatusReport('c', 1, { unreadyWorkloads: 2, crashLoops: 1, dropped: 12 }));
    expect(r).toEqual({ health: 'degraded', reasons: ['2 workloads not fully ready', '1 pod CrashLoopBackOff', 'dropped 12 log lines (0 B)'] });
  });
});

describe('assessReport: the log pipeline', () => {
  const report = makeStatusReport('c', 1);
  const pipe = (p: Partial<PipelineFigures>): StatusReport => ({ ...report, pipeline: { ...report.pipeline, transport: 'daemon', ...p } });
  const prev = (p: Partial<PipelineFigures>) => ({ dropped: 0, droppedBytes: 0, lastError: null, ...p });

  it('is degraded when the oldest unshipped line is older than the configured lag, never at it', () => {
    expect(assessReport(pipe({ oldestUnshippedSeconds: 125 }), { logsLagSeconds: 125 }).health).toBe('healthy');
    expect(assessReport(pipe({ oldestUnshippedSeconds: 125 }), { logsLagSeconds: 60 })).toEqual({ health: 'degraded', reasons: ['logs lag 2m 5s behind'] });
    expect(assessReport(pipe({ oldestUnshippedSeconds: 61 }))).toEqual({ health: 'degraded', reasons: ['logs lag 1m 1s behind'] });
  });

  it('is degraded when dropped grew since the previous report, with lines and bytes of the growth', () => {
    const opts = { logsLagSeconds: 60, previousPipeline: prev({ dropped: 10, droppedBytes: 1024 }) };
    expect(assessReport(pipe({ dropped: 10, droppedBytes: 1024 }), opts).health).toBe('healthy');
    expect(assessReport(pipe({ dropped: 13, droppedBytes: 1024 + 3 * 1024 * 1024 }), opts)).toEqual({ health: 'degraded', reasons: ['dropped 3 log lines (3.0 MiB)'] });
    expect(assessReport(pipe({ dropped: 11, droppedBytes: 1100 }), opts).reasons).toEqual(['dropped 1 log line (76 B)']);
  });

  it('counts all drops as new when the counter went down (the agent restarted)', () => {
    const opts = { logsLagSeconds: 60, previousPipeline: prev({ dropped: 100, droppedBytes: 9000 }) };
    expect(assessReport(pipe({ dropped: 4, droppedBytes: 400 }), opts).reasons).toEqual(['dropped 4 log lines (400 B)']);
    expect(assessReport(pipe({ dropped: 0, droppedBytes: 0 }), opts).health).toBe('healthy');
  });

  it('names the bytes when the lines were gone before they could be counted', () => {
    expect(assessReport(pipe({ dropped: 0, droppedBytes: 4096 }), { logsLagSeconds: 60, previousPipeline: prev({}) }).reasons).toEqual(['dropped 4.0 KiB of log lines (lines uncounted)']);
  });

  it('counts drops seen in a first report (no previous one) as new', () => {
    expect(assessReport(pipe({ dropped: 2, droppedBytes: 20 }), { logsLagSeconds: 60, previousPipeline: null }).reasons).toEqual(['dropped 2 log lines (20 B)']);
  });

  it('is degraded when lastError is set in this report and the one before', () => {
    const failing = pipe({ lastError: 'the daemon refused the batch: 401 unauthenticated: unknown agent key' });
    expect(assessReport(failing, { logsLagSeconds: 60, previousPipeline: prev({}) }).health).toBe('healthy');
    expect(assessReport(failing, { logsLagSeconds: 60, previousPipeline: null }).health).toBe('healthy');
    expect(assessReport(failing, { logsLagSeconds: 60, previousPipeline: prev({ lastError: 'cannot reach the daemon' }) })).toEqual({
      health: 'degraded',
      reasons: ['log shipping failing: the daemon refused the batch: 401 unauthenticated: unknown agent key'],
    });
    expect(assessReport(pipe({ lastError: 'x'.repeat(400) }), { logsLagSeconds: 60, previousPipeline: prev({ lastError: 'y' }) }).reasons[0]).toHaveLength('log shipping failing: '.length + 120);
  });

  it('reads an older agent report without the new figures', () => {
    expect(assessReport(makeStatusReport('c', 1, { dropped: 0 }), { logsLagSeconds: 60, previousPipeline: prev({}) }).health).toBe('healthy');
  });

  it('formats lags and sizes', () => {
    expect([formatLag(5), formatLag(120), formatLag(125), formatLag(3600), formatLag(3660 + 59)]).toEqual(['5s', '2m', '2m 5s', '1h', '1h 1m']);
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(20 * 1024 * 1024), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '20 MiB', '5.0 GiB']);
  });

  it('does not count an apps workload with zero ready as critical', () => {
    const report = makeStatusReport('c', 1);
    const workloads = [{ namespace: 'apps', name: 'web', kind: 'Deployment' as const, desired: 3, ready: 0 }];
    expect(assessReport({ ...report, workloads })).toEqual({ health: 'degraded', reasons: ['1 workload not fully ready'] });
  });
});

describe('deriveHealth', () => {
  it('says an unregistered cluster is unknown', () => {
    expect(deriveHealth(input({ registration: 'pending', report: null, receivedAtMs: null }))).toEqual({ health: 'unknown', reasons: ['agent not registered'] });
  });

  it('says a registered cluster without a report is awaiting it', () => {
    expect(deriveHealth(input({ report: null, receivedAtMs: null }))).toEqual({ health: 'unknown', reasons: ['awaiting first report'] });
  });

  it('says an expired cluster is unknown even with fresh data', () => {
    expect(deriveHealth(input({ registration: 'expired' }))).toEqual({ health: 'unknown', reasons: ['cluster TTL expired'] });
  });

  it('shows a fresh report as it is', () => {
    expect(deriveHealth(input())).toEqual({ health: 'healthy', reasons: [] });
  });

  it('is not unreachable at exactly the threshold, and is one millisecond past it', () => {
    expect(deriveHealth(input({ receivedAtMs: NOW - 30_000 })).health).toBe('healthy');
    expect(deriveHealth(input({ receivedAtMs: NOW - 30_001 }))).toEqual({ health: 'unreachable', reasons: ['no report for 30s'] });
  });

  it('never shows healthy from stale data, and names the age', () => {
    expect(deriveHealth(input({ receivedAtMs: NOW - 47_000 }))).toEqual({ health: 'unreachable', reasons: ['no report for 47s'] });
    expect(deriveHealth(input({ receivedAtMs: NOW - 3 * 3600_000 })).reasons).toEqual(['no report for 3h']);
  });

  it("uses the report's own interval over the configured one", () => {
    const report = makeStatusReport('c1', 1, { intervalSeconds: 60 });
    expect(deriveHealth(input({ report, receivedAtMs: NOW - 120_000, intervalSeconds: 10 })).health).toBe('healthy');
    expect(deriveHealth(input({ report, receivedAtMs: NOW - 181_000, intervalSeconds: 10 })).health).toBe('unreachable');
  });

  it('honours unreachableAfterIntervals', () => {
    expect(deriveHealth(input({ receivedAtMs: NOW - 11_000, unreachableAfterIntervals: 1 })).health).toBe('unreachable');
  });

  it('treats a receipt in the future (clock step) as fresh', () => {
    expect(deriveHealth(input({ receivedAtMs: NOW + 5000 })).health).toBe('healthy');
  });
});
