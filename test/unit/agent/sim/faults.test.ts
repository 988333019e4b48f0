import { describe, expect, it } from 'vitest';
import { isDaemonPod, progressFaults, recoverFaults, replacePod, startFault } from '../../../../agent/sim/faults.js';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import type { FaultKind, SimState } from '../../../../agent/sim/state.js';
import { createRng } from '../../../../agent/sim/rng.js';

const T0 = new Date('2026-11-01T10:00:00Z');

/** Starts faults from successive seeds until one of `kind` exists; the sim picks kinds at random. */
function stateWithFault(kind: FaultKind): SimState {
  for (let seed = 1; seed < 500; seed += 1) {
    const state = contractFixtureState(T0, createRng(seed));
    startFault(state, createRng(seed));
    if (state.faults[0]?.kind === kind) return state;
  }
  throw new Error(`no seed below 500 starts a ${kind} fault`);
}

describe('sim faults', () => {
  it('crash-loops a pod with restarts and BackOff events while it lasts, and recovers it when due', () => {
    const state = stateWithFault('crashloop');
    const fault = state.faults[0]!;
    const pod = () => state.pods.find((p) => `${p.namespace}/${p.name}` === fault.target)!;
    expect(pod().problem?.reason).toBe('CrashLoopBackOff');
    const restarts = pod().restarts;
    progressFaults(state, createRng(2));
    expect(pod().restarts).toBe(restarts + 1);
    expect(state.events.find((e) => e.reason === 'BackOff')!.count).toBe(2);
    state.tick = fault.endsTick;
    recoverFaults(state, createRng(3));
    expect(state.faults).toEqual([]);
    expect(pod().problem).toBeNull();
  });

  it('takes a node NotReady with an event and brings it back, never more than a third of the nodes', () => {
    const state = stateWithFault('node-not-ready');
    const node = state.nodes.find((n) => n.name === state.faults[0]!.target)!;
    expect(node.ready).toBe(false);
    expect(state.events.some((e) => e.reason === 'NodeNotReady' && e.object === `node/${node.name}`)).toBe(true);
    // Three nodes allow one node fault at a time.
    for (let seed = 1; seed < 50; seed += 1) startFault(state, createRng(seed));
    expect(state.faults.filter((f) => f.kind === 'node-not-ready' || f.kind === 'maintenance')).toHaveLength(1);
    state.tick = Math.max(...state.faults.map((f) => f.endsTick));
    recoverFaults(state, createRng(4));
    expect(node.ready).toBe(true);
  });

  it('replaces a pod in the same slot; a DaemonSet pod stays on its node', () => {
    const state = contractFixtureState(T0, createRng(1));
    const daemonIndex = state.pods.findIndex((p) => isDaemonPod(state, p));
    const deployIndex = state.pods.findIndex((p) => p.namespace === 'payments');
    const daemonNode = state.pods[daemonIndex]!.node;
    const oldName = state.pods[deployIndex]!.name;
    const replaced = replacePod(state, deployIndex, createRng(5), 9_000);
    expect(state.pods[deployIndex]).toBe(replaced);
    expect(replaced).toMatchObject({ node: null, phase: 'Pending', cpuRequestMillis: 9_000 });
    expect(replaced.name).not.toBe(oldName);
    expect(replacePod(state, daemonIndex, createRng(6))).toMatchObject({ node: daemonNode, phase: 'Running' });
  });
});
