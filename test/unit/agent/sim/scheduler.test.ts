import { describe, expect, it } from 'vitest';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import { createRng } from '../../../../agent/sim/rng.js';
import { schedulePending } from '../../../../agent/sim/scheduler.js';
import type { SimState } from '../../../../agent/sim/state.js';

const T0 = new Date('2026-11-01T10:00:00Z');

function withPendingPod(state: SimState, cpuRequestMillis: number): SimState {
  const template = state.pods.find((p) => p.namespace === 'payments')!;
  state.pods.push({ ...structuredClone(template), name: 'api-pending', node: null, phase: 'Pending', pendingSince: null, cpuRequestMillis });
  return state;
}

describe('sim scheduler', () => {
  it('places a pending pod on the ready, schedulable node with the most free CPU', () => {
    const state = withPendingPod(contractFixtureState(T0, createRng(1)), 100);
    schedulePending(state);
    const pod = state.pods.find((p) => p.name === 'api-pending')!;
    // node-3 runs neither db pod, so it has the most CPU free.
    expect(pod).toMatchObject({ node: 'node-3', phase: 'Running', pendingSince: null });
  });

  it('keeps a pod that fits nowhere Pending with a FailedScheduling event that says why', () => {
    const state = withPendingPod(contractFixtureState(T0, createRng(1)), 100);
    state.nodes[0]!.ready = false;
    state.nodes[1]!.unschedulable = true;
    state.nodes[2]!.capacity.cpuMillis = 50;
    schedulePending(state);
    const pod = state.pods.find((p) => p.name === 'api-pending')!;
    expect(pod).toMatchObject({ node: null, phase: 'Pending', pendingSince: T0.toISOString() });
    const event = state.events.find((e) => e.object === 'pod/api-pending')!;
    expect(event.reason).toBe('FailedScheduling');
    expect(event.message).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable, 1 Insufficient cpu.');
  });
});
