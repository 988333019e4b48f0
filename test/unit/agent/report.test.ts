import { describe, expect, it } from 'vitest';
import type { ClusterObservation } from '../../../agent/backend.js';
import { buildStatusReport, REPORT_LIMITS, summaryMetrics, validateStatusReport, type ReportContext } from '../../../agent/report.js';
import { createSimState } from '../../../agent/sim/model.js';
import { observe } from '../../../agent/sim/observe.js';
import { createRng } from '../../../agent/sim/rng.js';
import { tick } from '../../../agent/sim/tick.js';
import { isFlotillaError } from '../../../core/errors.js';
import { StatusReportSchema, type NodeStatus } from '../../../core/status.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const ctx = (over: Partial<ReportContext> = {}): ReportContext => ({
  cluster: 'prod-eu-1',
  seq: 7,
  now: NOW,
  intervalSeconds: 10,
  agentVersion: '0.1.0',
  pipeline: { queueDepth: 0, oldestUnshippedSeconds: 0, dropped: 0 },
  ...over,
});

function node(name: string, ready = true): NodeStatus {
  return { name, ready, unschedulable: false, capacity: { cpuMillis: 4000, memoryBytes: 1000, pods: 110 }, usage: { cpuMillis: 1000, memoryBytes: 500, pods: 11 } };
}

function observation(over: Partial<ClusterObservation> = {}): ClusterObservation {
  return {
    observedAt: NOW.toISOString(),
    kubernetesVersion: 'v1.31.4',
    nodes: [node('a'), node('b')],
    workloads: [{ namespace: 'payments', name: 'api', kind: 'Deployment', desired: 2, ready: 2 }],
    pods: { running: 2, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 2 },
    restarts: 0,
    podProblems: [],
    warningEvents: [],
    ...over,
  };
}

describe('status report builder', () => {
  it('fills the report from the observation and the context', () => {
    const report = buildStatusReport(observation(), ctx());
    expect(report).toMatchObject({ cluster: 'prod-eu-1', seq: 7, reportedAt: NOW.toISOString(), intervalSeconds: 10, agentVersion: '0.1.0', kubernetesVersion: 'v1.31.4', restarts: 0 });
    expect(report.metrics).toEqual({ cpuUsageRatio: 0.25, memoryUsageRatio: 0.5, podDensityRatio: 0.1 });
    expect(StatusReportSchema.safeParse(report).success).toBe(true);
  });

  it('prefers summary metrics the backend supplies', () => {
    const metrics = { cpuUsageRatio: 0.61, memoryUsageRatio: 0.42, podDensityRatio: 0.3 };
    expect(buildStatusReport(observation({ metrics }), ctx()).metrics).toEqual(metrics);
  });

  it('keeps the 50 most recent events, newest first, and cuts oversize strings', () => {
    const warningEvents = Array.from({ length: 120 }, (_, i) => ({
      ts: new Date(NOW.getTime() - i * 1000).toISOString(),
      namespace: 'checkout',
      object: `pod/cart-${i}`,
      reason: 'BackOff',
      message: 'x'.repeat(5000),
      count: i + 1,
    }));
    const report = validateStatusReport(buildStatusReport(observation({ warningEvents: [...warningEvents].reverse() }), ctx()));
    expect(report.events).toHaveLength(REPORT_LIMITS.events);
    expect(report.events[0]!.object).toBe('pod/cart-0');
    expect(report.events[49]!.object).toBe('pod/cart-49');
    expect(report.events[0]!.message).toHaveLength(2048);
  });

  it('caps pod problems to the schema maximum, keeping the most restarted', () => {
    const podProblems = Array.from({ length: 700 }, (_, i) => ({ namespace: 'payments', pod: `api-${i}`, reason: 'CrashLoopBackOff' as const, restarts: i, sinceSeconds: 30 }));
    const report = validateStatusReport(buildStatusReport(observation({ podProblems }), ctx()));
    expect(report.podProblems).toHaveLength(REPORT_LIMITS.podProblems);
    expect(report.podProblems[0]!.restarts).toBe(699);
  });

  it('keeps not-ready nodes when the node list is capped, and sums metrics over all nodes', () => {
    const nodes = Array.from({ length: 5002 }, (_, i) => node(`n-${i}`, i !== 5001));
    const report = validateStatusReport(buildStatusReport(observation({ nodes }), ctx()));
    expect(report.nodes).toHaveLength(5000);
    expect(report.nodes.some((n) => n.name === 'n-5001')).toBe(true);
    expect(report.metrics).toEqual(summaryMetrics(nodes));
  });

  it('refuses an invalid report with an internal error that says what to do', () => {
    const bad = buildStatusReport(observation({ restarts: -1 }), ctx());
    let thrown: unknown;
    try {
      validateStatusReport(bad);
    } catch (e) {
      thrown = e;
    }
    expect(isFlotillaError(thrown)).toBe(true);
    if (isFlotillaError(thrown)) {
      expect(thrown.kind).toBe('internal');
      expect(thrown.message).toContain('restarts');
      expect(thrown.next.length).toBeGreaterThan(0);
    }
  });

  it('builds valid reports from a faulty sim at every tick', () => {
    const rng = createRng(99);
    let state = createSimState({ nodes: 4, deployments: 30, faultRate: 0.7, kubernetesVersion: 'v1.30.2' }, NOW, rng);
    for (let i = 1; i <= 80; i += 1) {
      state = tick(state, new Date(NOW.getTime() + i * 10_000), rng);
      const parsed = StatusReportSchema.safeParse(buildStatusReport(observe(state), ctx({ seq: i })));
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0])).toBe(true);
    }
  });
});
