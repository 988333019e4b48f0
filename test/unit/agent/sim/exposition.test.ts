// The simulated cluster's kube-state-metrics- and cAdvisor-shaped series: the text format (escaping,
// grouping), the exact exposition of a tiny cluster, agreement with the status observation over a
// faulty run, and the CPU counters (monotonic across ticks and scrapes, reset by a restart).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimBackend, type SimClock } from '../../../../agent/sim/backend.js';
import { containerIdOf, coresInUse, CpuUsage } from '../../../../agent/sim/cpu-usage.js';
import { renderClusterSeries } from '../../../../agent/sim/exposition.js';
import { createSimState } from '../../../../agent/sim/model.js';
import { observe } from '../../../../agent/sim/observe.js';
import { escapeHelp, escapeLabelValue, ExpositionWriter, formatValue, joinLabels, labelPairs } from '../../../../agent/sim/prom-text.js';
import { createRng } from '../../../../agent/sim/rng.js';
import { namespaceObject, type SimPod, type SimState } from '../../../../agent/sim/state.js';
import { tick } from '../../../../agent/sim/tick.js';
import { workloadFromObject, workloadManifest } from '../../../../agent/sim/workloads.js';
import { SimConfigSchema } from '../../../../config/schemas.js';
import { parseExposition, samplesOf, sumOf, type Family } from '../../../harness/prom-exposition.js';

const T0 = '2026-03-01T10:00:00.000Z';
const T0_MS = Date.parse(T0);
const GiB = 2 ** 30;

describe('prometheus text format', () => {
  it('escapes backslash, double quote and line feed in label values, and nothing else', () => {
    expect(escapeLabelValue('plain value, with {braces} = and spaces')).toBe('plain value, with {braces} = and spaces');
    expect(escapeLabelValue('C:\\path "quoted"\nnext')).toBe('C:\\\\path \\"quoted\\"\\nnext');
    expect(labelPairs(['a', 'b', 'c'], ['x\\y', '', 'say "hi"\n'])).toBe('a="x\\\\y",c="say \\"hi\\"\\n"');
  });

  it('escapes backslash and line feed in HELP text but keeps double quotes', () => {
    expect(escapeHelp('a "quoted" C:\\dir\nsecond line')).toBe('a "quoted" C:\\\\dir\\nsecond line');
  });

  it('writes values as Go reads them', () => {
    expect([0, 1, 0.25, 17179869184, 1e-7, -3, NaN, Infinity, -Infinity].map(formatValue)).toEqual(['0', '1', '0.25', '17179869184', '1e-7', '-3', 'NaN', '+Inf', '-Inf']);
  });

  it('round-trips awkward label values through a strict parser', () => {
    const w = new ExpositionWriter();
    const g = w.family('test_gauge', 'gauge', 'A gauge with "awkward" help \\ text\nover two lines.');
    const awkward = 'back\\slash "quote" line\nfeed } { = , end';
    g(labelPairs(['odd', 'empty', 'plain'], [awkward, '', 'x']), 2);
    const [family] = parseExposition(w.text());
    expect(family?.help).toBe('A gauge with "awkward" help \\ text\nover two lines.');
    expect(family?.samples).toEqual([{ name: 'test_gauge', labels: { odd: awkward, plain: 'x' }, value: 2 }]);
  });

  it('keeps each family together, in declaration order, with HELP and TYPE even when empty', () => {
    const w = new ExpositionWriter();
    const a = w.family('a_total', 'counter', 'A.');
    const b = w.family('b', 'gauge', 'B.');
    w.family('c', 'gauge', 'C, empty.');
    a(labelPairs(['k'], ['1']), 1);
    b('', 5);
    a(labelPairs(['k'], ['2']), 2);
    expect(w.text()).toBe(['# HELP a_total A.', '# TYPE a_total counter', 'a_total{k="1"} 1', 'a_total{k="2"} 2', '# HELP b B.', '# TYPE b gauge', 'b 5', '# HELP c C, empty.', '# TYPE c gauge', ''].join('\n'));
  });

  it('refuses bad metric and label names and a family declared twice', () => {
    const w = new ExpositionWriter();
    expect(() => w.family('0bad', 'gauge', 'x')).toThrow(/metric name/);
    expect(() => w.family('bad-name', 'gauge', 'x')).toThrow(/metric name/);
    w.family('ok', 'gauge', 'x');
    expect(() => w.family('ok', 'gauge', 'x')).toThrow(/twice/);
    expect(() => labelPairs(['bad-label'], ['v'])).toThrow(/label name/);
    expect(() => labelPairs(['__reserved'], ['v'])).toThrow(/label name/);
    expect(() => labelPairs(['a', 'b'], ['v'])).toThrow(/label name/);
    expect(joinLabels('', 'a="1"', '', 'b="2"')).toBe('a="1",b="2"');
  });
});

/** Two nodes (one NotReady and cordoned), a Deployment with a running and a pending pod, an OOM-killed StatefulSet pod. */
function tinyCluster(): SimState {
  const web = workloadManifest({ namespace: 'shop', name: 'web', kind: 'Deployment', replicas: 2, container: 'web', cpuMillis: 250, memoryMiB: 256 });
  const db = workloadManifest({ namespace: 'shop', name: 'db', kind: 'StatefulSet', replicas: 1, container: 'postgres', cpuMillis: 500, memoryMiB: 1024 });
  const workloads = [workloadFromObject(web, 2), workloadFromObject(db, 2)];
  const hash = workloads[0]!.templateHash;
  const pod = (over: Partial<SimPod> & Pick<SimPod, 'name' | 'uid' | 'workload'>): SimPod => {
    const w = workloads[over.workload]!;
    return { namespace: 'shop', ordinal: 0, template: w.templateHash, node: 'worker-01', phase: 'Running', restarts: 0, cpuRequestMillis: w.cpuRequestMillis, memoryRequestBytes: w.memoryRequestBytes, cpuLoad: 0.5, memoryLoad: 0.5, problem: null, pendingSince: null, ...over };
  };
  const node = (name: string, ready: boolean) => ({ name, ready, unschedulable: !ready, notReadySinceTick: ready ? null : 5, capacity: { cpuMillis: 4000, memoryBytes: 16 * GiB, pods: 110 }, systemShare: 0.05 });
  return {
    tick: 7,
    now: T0,
    kubernetesVersion: 'v1.31.4',
    faultRate: 0,
    nodes: [node('worker-01', true), node('worker-02', false)],
    workloads,
    pods: [
      pod({ name: `web-${hash}-aaaaa`, uid: '11111111-1111-4111-8111-111111111111', workload: 0 }),
      pod({ name: `web-${hash}-bbbbb`, uid: '22222222-2222-4222-8222-222222222222', workload: 0, node: null, phase: 'Pending', pendingSince: T0 }),
      pod({ name: 'db-0', uid: '33333333-3333-4333-8333-333333333333', workload: 1, restarts: 3, cpuLoad: 0.2, memoryLoad: 0.75, problem: { reason: 'OOMKilled', since: T0 } }),
    ],
    objects: [namespaceObject('shop'), web, db].map((body) => ({ body, managers: {} })),
    faults: [],
    events: [],
    nextFaultId: 1,
  };
}

/** A busy cluster: a fault starts at most ticks, 10 s apart. */
function faultyRun(seed: number, ticks = 50): { states: SimState[] } {
  const rng = createRng(seed);
  let state = createSimState({ nodes: 6, deployments: 20, faultRate: 0.7, kubernetesVersion: 'v1.31.4' }, new Date(T0_MS), rng);
  const states = [state];
  for (let i = 1; i <= ticks; i += 1) {
    state = tick(state, new Date(T0_MS + i * 10_000), rng);
    states.push(state);
  }
  return { states };
}

describe('cluster series', () => {
  it('renders a tiny cluster exactly as cluster-series.tiny.prom', () => {
    const state = tinyCluster();
    const cpu = new CpuUsage();
    cpu.observe(state, T0_MS);
    cpu.observe(state, T0_MS + 10_000);
    let text = renderClusterSeries(state, cpu);
    // The golden file names the container ids and the template hash by placeholders.
    for (const p of state.pods) text = text.replaceAll(containerIdOf(p), `<cid:${p.name.split('-')[0]}>`);
    text = text.replaceAll(state.workloads[0]!.templateHash, '<hash>');
    expect(text).toBe(readFileSync(new URL('./cluster-series.tiny.prom', import.meta.url), 'utf8'));
  });

  it('parses strictly and agrees with the status observation at every tick of a faulty run', () => {
    const { states } = faultyRun(21);
    const cpu = new CpuUsage();
    let sawPending = false;
    let sawUnknown = false;
    let sawNotReady = false;
    let sawProblem = false;
    for (const state of states) {
      cpu.observe(state, Date.parse(state.now));
      const families = parseExposition(renderClusterSeries(state, cpu));
      const o = observe(state);
      expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Running' })).toBe(o.pods.running);
      expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Pending' })).toBe(o.pods.pending);
      expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Unknown' })).toBe(o.pods.unknown);
      expect(sumOf(families, 'kube_pod_status_phase', { phase: 'Succeeded' }) + sumOf(families, 'kube_pod_status_phase', { phase: 'Failed' })).toBe(0);
      // One phase per pod, every pod once.
      expect(sumOf(families, 'kube_pod_status_phase')).toBe(o.pods.total);
      expect(samplesOf(families, 'kube_pod_status_phase').length).toBe(5 * o.pods.total);
      expect(sumOf(families, 'kube_pod_container_status_restarts_total')).toBe(o.restarts);
      expect(sumOf(families, 'kube_node_status_condition', { condition: 'Ready', status: 'true' })).toBe(o.nodes.filter((n) => n.ready).length);
      expect(sumOf(families, 'kube_node_spec_unschedulable')).toBe(o.nodes.filter((n) => n.unschedulable).length);
      for (const n of o.nodes) {
        expect(sumOf(families, 'kube_node_status_capacity', { node: n.name, resource: 'cpu' }) * 1000).toBe(n.capacity.cpuMillis);
        expect(sumOf(families, 'kube_node_status_allocatable', { node: n.name, resource: 'memory' })).toBe(n.capacity.memoryBytes);
        // cAdvisor sees the containers; the node's usage adds its system daemons on top.
        const workingSet = sumOf(families, 'container_memory_working_set_bytes', { node: n.name });
        expect(workingSet).toBeLessThanOrEqual(n.usage.memoryBytes + 1);
        if (!n.ready) expect(samplesOf(families, 'container_memory_working_set_bytes', { node: n.name })).toEqual([]);
      }
      for (const w of o.workloads) {
        const [family, label] = w.kind === 'Deployment' ? ['kube_deployment', 'deployment'] : w.kind === 'StatefulSet' ? ['kube_statefulset', 'statefulset'] : ['kube_daemonset', 'daemonset'];
        const id = { namespace: w.namespace, [label]: w.name };
        if (w.kind === 'Deployment') {
          expect(sumOf(families, `${family}_spec_replicas`, id)).toBe(w.desired);
          expect(sumOf(families, `${family}_status_replicas_available`, id)).toBe(w.ready);
        } else if (w.kind === 'StatefulSet') {
          expect(sumOf(families, `${family}_replicas`, id)).toBe(w.desired);
          expect(sumOf(families, `${family}_status_replicas_ready`, id)).toBe(w.ready);
        }
      }
      // The report lists a crash-looping pod while it runs; kube-state-metrics keeps the last status a pod on a lost node had.
      const waiting = samplesOf(families, 'kube_pod_container_status_waiting_reason', { reason: 'CrashLoopBackOff' }).length;
      expect(waiting).toBe(state.pods.filter((p) => p.problem !== null && p.node !== null).length);
      expect(waiting).toBeGreaterThanOrEqual(o.podProblems.filter((p) => p.reason !== 'Pending').length);
      sawPending ||= o.pods.pending > 0;
      sawUnknown ||= o.pods.unknown > 0;
      sawNotReady ||= o.nodes.some((n) => !n.ready);
      sawProblem ||= waiting > 0;
    }
    // The run exercised what it checks.
    expect([sawPending, sawUnknown, sawNotReady, sawProblem]).toEqual([true, true, true, true]);
  }, 30_000);
});

interface CpuSeries {
  key: string;
  pod: string;
  id: string;
  value: number;
}

/** The CPU counters of an exposition, parsed strictly on their own (the rest of it is checked elsewhere). */
function cpuSeries(text: string): CpuSeries[] {
  const name = 'container_cpu_usage_seconds_total';
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) || l === `# TYPE ${name} counter`);
  return samplesOf(parseExposition(`${lines.join('\n')}\n`), name).map((s) => ({ key: `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`, pod: s.labels.pod ?? '', id: s.labels.id ?? '', value: s.value }));
}

describe('container CPU counters', () => {
  it('integrate request × load over time, at the load that held in each interval', () => {
    const rng = createRng(4);
    let state = createSimState({ nodes: 3, deployments: 6, faultRate: 0, kubernetesVersion: 'v1.31.4' }, new Date(T0_MS), rng);
    const cpu = new CpuUsage();
    cpu.observe(state, T0_MS);
    const expected = new Map<string, number>();
    for (let i = 1; i <= 12; i += 1) {
      const before = state;
      const at = T0_MS + i * 15_000;
      state = tick(state, new Date(at), rng);
      cpu.observe(state, at);
      for (const p of before.pods) expected.set(p.uid, (expected.get(p.uid) ?? 0) + coresInUse(p) * 15);
    }
    for (const p of state.pods) {
      expect(cpu.run(p)?.seconds).toBeCloseTo(expected.get(p.uid) ?? 0, 9);
    }
    expect(cpu.size).toBe(state.pods.filter((p) => p.node !== null).length);
  });

  it('never decrease across ticks and scrapes between them; only a new container (a restart) starts again', () => {
    const { states } = faultyRun(33);
    const cpu = new CpuUsage();
    // By container id: a series may pause (its node NotReady, the kubelet unreachable) and come back, never lower.
    const last = new Map<string, number>();
    // By pod uid (a replaced StatefulSet pod keeps its name, not its uid): the container id in use,
    // which changes only when the pod's restart count grows.
    const idOf = new Map<string, { id: string; restarts: number }>();
    let resets = 0;
    for (const state of states) {
      const tickAt = Date.parse(state.now);
      const restartsOf = new Map(state.pods.map((p) => [p.uid, p.restarts]));
      // A scrape at the tick itself and two before the next one: a scrape may land anywhere.
      for (const at of [tickAt, tickAt + 3_000, tickAt + 7_500]) {
        cpu.observe(state, at);
        for (const s of cpuSeries(renderClusterSeries(state, cpu))) {
          const before = last.get(s.id);
          if (before !== undefined) expect(s.value, s.id).toBeGreaterThanOrEqual(before);
          last.set(s.id, s.value);
          const uid = /\/pod([0-9a-f-]{36})\//.exec(s.id)![1]!;
          const restarts = restartsOf.get(uid)!;
          const seen = idOf.get(uid);
          if (seen && seen.id !== s.id) {
            expect(restarts, `new container id for ${s.key} without a restart`).toBeGreaterThan(seen.restarts);
            expect(before).toBeUndefined();
            resets += 1;
          }
          idOf.set(uid, { id: s.id, restarts });
        }
      }
    }
    expect(resets).toBeGreaterThan(0);
  }, 30_000);

  it('reset when the container restarts: a new container id counting from 0, as cAdvisor does', () => {
    const state = tinyCluster();
    const backendLike = new CpuUsage();
    backendLike.observe(state, T0_MS);
    backendLike.observe(state, T0_MS + 60_000);
    const web = state.pods[0]!;
    const before = cpuSeries((renderClusterSeries(state, backendLike))).find((s) => s.pod === web.name)!;
    expect(before.value).toBeCloseTo(0.125 * 60, 9);
    // The kubelet restarts the container (what a crash-loop fault does to the pod).
    const restarted = structuredClone(state);
    restarted.pods[0]!.restarts += 1;
    backendLike.observe(restarted, T0_MS + 60_000);
    const atRestart = cpuSeries((renderClusterSeries(restarted, backendLike))).filter((s) => s.pod === web.name);
    expect(atRestart).toHaveLength(1);
    expect(atRestart[0]!.id).not.toBe(before.id);
    expect(atRestart[0]!.id.endsWith(containerIdOf(restarted.pods[0]!))).toBe(true);
    expect(atRestart[0]!.value).toBe(0);
    backendLike.observe(restarted, T0_MS + 70_000);
    const later = cpuSeries((renderClusterSeries(restarted, backendLike))).find((s) => s.pod === web.name)!;
    expect(later.value).toBeCloseTo(0.125 * 10, 9);
    // The restart count in kube-state-metrics' series follows.
    expect(sumOf(parseExposition(renderClusterSeries(restarted, backendLike)), 'kube_pod_container_status_restarts_total', { pod: web.name })).toBe(1);
  });

  it('add nothing when time runs backwards, and count nothing while a pod is not running', () => {
    const state = tinyCluster();
    const cpu = new CpuUsage();
    cpu.observe(state, T0_MS + 20_000);
    cpu.observe(state, T0_MS + 30_000);
    const web = state.pods[0]!;
    expect(cpu.run(web)?.seconds).toBeCloseTo(1.25, 9);
    cpu.observe(state, T0_MS);
    expect(cpu.run(web)?.seconds).toBeCloseTo(1.25, 9);
    // The node went away: the pod is Unknown, its container not scraped and not counted.
    const lost = structuredClone(state);
    lost.pods[0]!.phase = 'Unknown';
    cpu.observe(lost, T0_MS + 40_000);
    cpu.observe(lost, T0_MS + 100_000);
    expect(cpu.run(web)?.seconds).toBeCloseTo(2.5, 9);
    expect(cpuSeries((renderClusterSeries(lost, cpu))).map((s) => s.pod)).toEqual(['db-0']);
  });
});

describe('SimBackend.clusterMetrics', () => {
  function manualClock(startMs: number): SimClock & { set(ms: number): void } {
    let now = startMs;
    return {
      now: () => new Date(now),
      set(ms) {
        now = ms;
      },
      sleep: async () => {},
    };
  }

  it('does not tick the world: between collects only the CPU counters move, and they move on with the clock', async () => {
    const clock = manualClock(T0_MS);
    const backend = new SimBackend(SimConfigSchema.parse({ nodes: 4, deployments: 10, faultRate: 0.3, seed: 9 }), 'c', new Date(T0_MS), { clock });
    const o = await backend.collect(new Date(T0_MS + 10_000));
    clock.set(T0_MS + 12_000);
    const a = parseExposition(backend.clusterMetrics());
    clock.set(T0_MS + 19_000);
    const b = parseExposition(backend.clusterMetrics());
    expect(sumOf(a, 'kube_pod_status_phase', { phase: 'Running' })).toBe(o.pods.running);
    const cpuA = sumOf(a, 'container_cpu_usage_seconds_total');
    const cpuB = sumOf(b, 'container_cpu_usage_seconds_total');
    expect(cpuB).toBeGreaterThan(cpuA);
    // 7 s at the cores in use, which the node usage in the report carries too (with system daemons on top).
    const usedCores = o.nodes.reduce((sum, n) => sum + n.usage.cpuMillis, 0) / 1000;
    expect(cpuB - cpuA).toBeLessThanOrEqual(usedCores * 7 + 1e-6);
    expect(cpuB - cpuA).toBeGreaterThan(0);
    const kubeOnly = (fs: Family[]) => fs.filter((f) => f.name.startsWith('kube_'));
    expect(kubeOnly(b)).toEqual(kubeOnly(a));
    await backend.close();
  });
});
