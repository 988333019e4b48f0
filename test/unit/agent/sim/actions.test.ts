import { describe, expect, it } from 'vitest';
import * as act from '../../../../agent/sim/actions.js';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import type { SimState } from '../../../../agent/sim/state.js';
import { applyObject } from '../../../../agent/sim/objects.js';
import { createRng } from '../../../../agent/sim/rng.js';
import { parseSelector } from '../../../../agent/sim/selector.js';
import { tick } from '../../../../agent/sim/tick.js';
import { parseQuantity } from '../../../../agent/sim/workloads.js';

const START = new Date('2025-03-01T12:00:00.000Z');

function podNames(state: SimState, prefix: string): string[] {
  return state.pods.filter((p) => p.name.startsWith(prefix)).map((p) => p.name).sort();
}

function run(state: SimState, ticks: number): SimState {
  const rng = createRng(1);
  let s = state;
  for (let i = 0; i < ticks; i += 1) s = tick(s, new Date(Date.parse(s.now) + 10_000), rng);
  return s;
}

describe('sim actions', () => {
  it('rolls a restarted Deployment to new pod names, never below its replicas ready', () => {
    const state = contractFixtureState(START, createRng(1));
    const before = podNames(state, 'api-');
    act.restart(state, { namespace: 'payments', name: 'api', kind: 'Deployment' }, 'job-1');
    let s = state;
    const rng = createRng(2);
    for (let i = 0; i < 10; i += 1) {
      s = tick(s, new Date(Date.parse(s.now) + 10_000), rng);
      const ready = s.pods.filter((p) => p.name.startsWith('api-') && p.phase === 'Running').length;
      expect(ready).toBeGreaterThanOrEqual(3);
    }
    const after = podNames(s, 'api-');
    expect(after).toHaveLength(3);
    expect(after.filter((n) => before.includes(n))).toEqual([]);
  });

  it('rolls StatefulSet pods in place, keeping their names', () => {
    const state = contractFixtureState(START, createRng(1));
    act.restart(state, { namespace: 'checkout', name: 'db', kind: 'StatefulSet' }, 'job-1');
    const hash = state.workloads.find((w) => w.name === 'db')?.templateHash;
    const s = run(state, 6);
    expect(podNames(s, 'db-')).toEqual(['db-0', 'db-1']);
    expect(s.pods.filter((p) => p.name.startsWith('db-')).every((p) => p.template === hash)).toBe(true);
  });

  it('removes fields a manager stopped applying but keeps fields another manager owns', () => {
    const state = contractFixtureState(START, createRng(1));
    const cm = (data: Record<string, string>): Parameters<typeof applyObject>[1] => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'payments' }, data });
    expect(applyObject(state, cm({ a: '1', b: '2' }), 'flotilla')).toBe('created');
    expect(applyObject(state, cm({ z: '9' }), 'kubectl')).toBe('configured');
    expect(applyObject(state, cm({ a: '1' }), 'flotilla')).toBe('configured');
    expect(state.objects.find((o) => o.body.metadata.name === 'c')?.body.data).toEqual({ a: '1', z: '9' });
    expect(applyObject(state, cm({ a: '1' }), 'flotilla')).toBe('unchanged');
  });

  it('never puts secret values in an outcome', () => {
    const state = contractFixtureState(START, createRng(1));
    const outcome = act.writeCredentials(state, { namespace: 'payments', target: 'secret', name: 'api-credentials' }, { password: 's3cr3t-value' }, 'flotilla');
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t-value');
    expect(outcome.output).toEqual({ secret: 'api-credentials', keys: ['password'] });
  });

  it('honours a percentage budget and maxUnavailable', () => {
    const state = contractFixtureState(START, createRng(1));
    const pdb = state.objects.find((o) => o.body.kind === 'PodDisruptionBudget');
    pdb!.body.spec = { maxUnavailable: 0, selector: { matchLabels: { app: 'api' } } };
    expect(act.drainStep(state, 'node-1', createRng(3)).blocked).toEqual([{ pod: expect.stringMatching(/^payments\/api-/) as unknown, budget: 'payments/api' }]);
    pdb!.body.spec = { minAvailable: '60%', selector: { matchLabels: { app: 'api' } } };
    expect(act.drainStep(state, 'node-1', createRng(3)).blocked).toEqual([]);
  });

  it('reads label selectors and quantities the way Kubernetes writes them', () => {
    const match = parseSelector('app=web, tier!=cache,env in (staging, prod),!legacy');
    expect(match({ app: 'web', env: 'prod' })).toBe(true);
    expect(match({ app: 'web', env: 'prod', tier: 'cache' })).toBe(false);
    expect(match({ app: 'web', env: 'dev' })).toBe(false);
    expect(match({ app: 'web', env: 'prod', legacy: '' })).toBe(false);
    expect(() => parseSelector('app=(')).toThrow(/unreadable requirement/);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('512Mi')).toBe(512 * 1024 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('lots')).toBeUndefined();
  });

  it('keeps DaemonSet pods on a cordoned node and one per node', () => {
    const state = contractFixtureState(START, createRng(1));
    act.setUnschedulable(state, 'node-1', true);
    const s = run(state, 3);
    const agents = s.pods.filter((p) => p.name.startsWith('log-agent-'));
    expect(agents.map((p) => p.node).sort()).toEqual(['node-1', 'node-2', 'node-3']);
  });
});
