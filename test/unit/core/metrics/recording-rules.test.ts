// The cluster:* recording rules as data: names, what each reads (its declared inputs, selected the
// kubernetes-mixin way by job), the two scopes, and the embedded series each stands for. What they
// compute is promtool's test (test/integration/metrics/promtool.test.ts).
import { describe, expect, it } from 'vitest';
import { SERIES_NAMES } from '../../../../core/metrics/series.js';
import { RECORDED_NAMES, RECORDING_RULES, RULE_GROUP, RULE_INPUTS, recordingRules, remoteWriteKeepRegex } from '../../../../core/metrics/recording-rules.js';
import { metricNames, selectors } from '../../../harness/promql-names.js';

const edge = recordingRules({ scope: 'edge' }).groups;
const central = recordingRules({ scope: 'central' }).groups;

describe('recording rules', () => {
  it('are one group of uniquely named cluster:<what>:<how> rules, edge scope by default', () => {
    expect(edge.map((g) => g.name)).toEqual([RULE_GROUP]);
    expect(recordingRules()).toEqual(recordingRules({ scope: 'edge' }));
    expect(new Set(RECORDED_NAMES).size).toBe(RECORDED_NAMES.length);
    for (const name of RECORDED_NAMES) expect(name).toMatch(/^cluster:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$/);
  });

  it('each reads exactly its declared inputs, raw exporter series only, never a cluster:* series', () => {
    for (const [i, r] of (edge[0]?.rules ?? []).entries()) {
      const def = RECORDING_RULES[i];
      expect(r.record).toBe(def?.record);
      expect(metricNames(r.expr), r.record).toEqual([...new Set(def?.inputs)].sort());
      for (const name of metricNames(r.expr)) expect(name.startsWith('cluster:'), r.record).toBe(false);
    }
    expect(RULE_INPUTS).toEqual([...new Set(RECORDING_RULES.flatMap((r) => r.inputs))].sort());
  });

  it('select each exporter by its kubernetes-mixin job, and cAdvisor without pod, pause and root cgroups', () => {
    for (const r of edge[0]?.rules ?? []) {
      for (const s of selectors(r.expr)) {
        if (s.metric.startsWith('kube_')) expect(s.matchers, r.record).toContain('job="kube-state-metrics"');
        else if (s.metric.startsWith('container_')) expect(s.matchers, r.record).toBe('job="kubelet", metrics_path="/metrics/cadvisor", container!="", container!="POD"');
        else if (s.metric.startsWith('flotilla_agent_')) expect(s.matchers, r.record).toBe('job="flotilla-agent"');
        else throw new Error(`${r.record} reads ${s.metric}`);
      }
    }
  });

  it('aggregate to the cluster (and only the labels they declare), so one file serves the edge and the center', () => {
    for (const [i, r] of (edge[0]?.rules ?? []).entries()) {
      const by = ['cluster', ...(RECORDING_RULES[i]?.by ?? [])].join(', ');
      for (const m of r.expr.matchAll(/\b(sum|max|count|min|avg) by \(([^)]*)\)/g)) {
        // The inner max of a join keeps the pod's identity; every outer aggregation is by the rule's labels.
        if (m[1] === 'max') continue;
        expect(m[2], r.record).toBe(by);
      }
    }
  });

  it('at the center select only series that carry a cluster; at the edge they have none to select by', () => {
    for (const r of central[0]?.rules ?? []) for (const s of selectors(r.expr)) expect(s.matchers, r.record).toMatch(/, cluster!=""$/);
    for (const r of edge[0]?.rules ?? []) for (const s of selectors(r.expr)) expect(s.matchers, r.record).not.toContain('cluster');
    // Otherwise the same expressions.
    expect(central[0]?.rules.map((r) => r.expr.replaceAll(', cluster!=""', ''))).toEqual(edge[0]?.rules.map((r) => r.expr));
  });

  it('name only embedded series that exist, each once', () => {
    const named = RECORDING_RULES.flatMap((r) => (r.embedded ?? []).map((e) => e.series));
    expect(new Set(named).size).toBe(named.length);
    for (const s of named) expect(SERIES_NAMES).toContain(s);
  });

  it('remote-write keeps up and every input', () => {
    expect(remoteWriteKeepRegex().split('|')).toEqual(['up', ...RULE_INPUTS]);
  });
});
