import { describe, expect, it } from 'vitest';
import { createSimState, type SimShape } from '../../../../agent/sim/model.js';
import type { SimState } from '../../../../agent/sim/state.js';
import { observe } from '../../../../agent/sim/observe.js';
import { createRng, type Rng } from '../../../../agent/sim/rng.js';
import { tick } from '../../../../agent/sim/tick.js';
import type { ClusterObservation } from '../../../../agent/backend.js';

const START = new Date('2025-03-01T12:00:00.000Z');
const STEP_MS = 10_000;

function shape(over: Partial<SimShape> = {}): SimShape {
  return { nodes: 5, deployments: 12, faultRate: 0.05, kubernetesVersion: 'v1.31.4', ...over };
}

interface Run {
  state: SimState;
  rng: Rng;
  observations: ClusterObservation[];
}

function run(s: SimShape, seed: number, ticks: number, from?: Run): Run {
  const rng = from?.rng ?? createRng(seed);
  let state = from?.state ?? createSimState(s, START, rng);
  const observations: ClusterObservation[] = [];
  for (let i = 0; i < ticks; i += 1) {
    state = tick(state, new Date(Date.parse(state.now) + STEP_MS), rng);
    observations.push(observe(state));
  }
  return { state, rng, observations };
}

function assertInvariants(o: ClusterObservation): void {
  for (const w of o.workloads) {
    expect(w.ready).toBeGreaterThanOrEqual(0);
    expect(w.ready).toBeLessThanOrEqual(w.desired);
  }
  const p = o.pods;
  expect(p.running + p.pending + p.succeeded + p.failed + p.unknown).toBe(p.total);
  expect(p.total).toBe(o.workloads.reduce((sum, w) => sum + w.desired, 0));
  for (const n of o.nodes) {
    expect(n.usage.cpuMillis).toBeLessThanOrEqual(n.capacity.cpuMillis);
    expect(n.usage.memoryBytes).toBeLessThanOrEqual(n.capacity.memoryBytes);
    expect(n.usage.pods).toBeLessThanOrEqual(n.capacity.pods);
    expect(n.usage.cpuMillis).toBeGreaterThan(0);
    expect(n.ready || n.reason === 'KubeletNotReady').toBe(true);
  }
  expect(o.pods.pending).toBe(o.podProblems.filter((x) => x.reason === 'Pending').length);
  expect(o.restarts).toBeGreaterThanOrEqual(Math.max(0, ...o.podProblems.map((x) => x.restarts)));
}

function isHealthy(o: ClusterObservation): boolean {
  return o.nodes.every((n) => n.ready && !n.unschedulable) && o.workloads.every((w) => w.ready === w.desired) && o.podProblems.length === 0 && o.pods.running === o.pods.total;
}

describe('sim model', () => {
  it('builds a cluster of the requested size across several namespaces', () => {
    const state = createSimState(shape({ nodes: 7, deployments: 20 }), START, createRng(1));
    const o = observe(state);
    expect(o.nodes).toHaveLength(7);
    expect(o.workloads).toHaveLength(20);
    expect(new Set(o.workloads.map((w) => w.namespace)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(o.workloads.map((w) => `${w.namespace}/${w.name}`)).size).toBe(20);
    expect(o.kubernetesVersion).toBe('v1.31.4');
    expect(isHealthy(o)).toBe(true);
  });

  it('replays the same sequence from the same seed and a different one from another seed', () => {
    const a = run(shape({ faultRate: 0.3 }), 42, 40).observations;
    const b = run(shape({ faultRate: 0.3 }), 42, 40).observations;
    const c = run(shape({ faultRate: 0.3 }), 43, 40).observations;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('does not mutate the state it is given', () => {
    const rng = createRng(5);
    const before = createSimState(shape({ faultRate: 1 }), START, rng);
    const copy = structuredClone(before);
    tick(before, new Date(START.getTime() + STEP_MS), rng);
    expect(before).toEqual(copy);
  });

  it('stays healthy with faultRate 0, while usage drifts', () => {
    const { observations } = run(shape({ faultRate: 0 }), 7, 60);
    for (const o of observations) {
      assertInvariants(o);
      expect(isHealthy(o)).toBe(true);
      expect(o.warningEvents).toEqual([]);
    }
    const cpu = new Set(observations.map((o) => o.nodes[0]!.usage.cpuMillis));
    expect(cpu.size).toBeGreaterThan(10);
  });

  it('produces every kind of fault with warning events, and the invariants hold throughout', () => {
    const seen = new Set<string>();
    const events = new Set<string>();
    let climbing = false;
    for (const seed of [1, 2, 3]) {
      const { observations } = run(shape({ faultRate: 0.6 }), seed, 120);
      const restartsByPod = new Map<string, number>();
      for (const o of observations) {
        assertInvariants(o);
        for (const p of o.podProblems) {
          seen.add(p.reason);
          const key = `${p.namespace}/${p.pod}`;
          if (p.reason === 'CrashLoopBackOff' && (restartsByPod.get(key) ?? Infinity) < p.restarts) climbing = true;
          restartsByPod.set(key, p.restarts);
        }
        if (o.nodes.some((n) => !n.ready)) seen.add('NotReady');
        if (o.nodes.some((n) => n.unschedulable)) seen.add('Cordoned');
        if (o.pods.unknown > 0) seen.add('Unknown');
        for (const e of o.warningEvents) {
          events.add(e.reason);
          expect(e.count).toBeGreaterThanOrEqual(1);
        }
      }
    }
    expect([...seen].sort()).toEqual(['Cordoned', 'CrashLoopBackOff', 'NotReady', 'OOMKilled', 'Pending', 'Unknown']);
    expect([...events].sort()).toEqual(['BackOff', 'FailedScheduling', 'NodeNotReady', 'OOMKilling']);
    expect(climbing).toBe(true);
  });

  it('counts repeated warnings on one event rather than adding new ones', () => {
    const { observations } = run(shape({ faultRate: 0.6 }), 11, 80);
    const maxCount = Math.max(...observations.flatMap((o) => o.warningEvents.map((e) => e.count)));
    expect(maxCount).toBeGreaterThan(1);
    for (const o of observations) {
      const keys = o.warningEvents.map((e) => `${e.namespace}/${e.object}/${e.reason}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('recovers from every fault once faults stop starting', () => {
    const faulty = run(shape({ faultRate: 0.8 }), 9, 40);
    expect(faulty.observations.some((o) => !isHealthy(o))).toBe(true);
    const calm = run(shape(), 0, 20, { ...faulty, state: { ...faulty.state, faultRate: 0 } });
    const last = calm.observations.at(-1)!;
    assertInvariants(last);
    expect(isHealthy(last)).toBe(true);
    expect(calm.state.faults).toEqual([]);
  });

  it('leaves pods Pending when a one-node cluster is cordoned for maintenance', () => {
    let found = false;
    for (let seed = 1; seed < 40 && !found; seed += 1) {
      for (const o of run(shape({ nodes: 1, deployments: 6, faultRate: 0.5 }), seed, 30).observations) {
        assertInvariants(o);
        if (o.nodes[0]!.unschedulable && o.pods.pending > 0) {
          expect(o.pods.pending).toBe(o.pods.total);
          const why = o.warningEvents.find((e) => e.reason === 'FailedScheduling');
          expect(why?.message).toContain('1 node(s) were unschedulable');
          found = true;
          break;
        }
      }
    }
    expect(found).toBe(true);
  });

  it('keeps the clock monotonic when the host clock steps back', () => {
    const rng = createRng(3);
    const state = createSimState(shape(), START, rng);
    const next = tick(state, new Date(START.getTime() - 60_000), rng);
    expect(next.now).toBe(START.toISOString());
  });
});
