import { SIM_LOGS_DEFAULT } from '../../../../config/schemas.js';
import { SimBackend, type SimClock } from '../../../../agent/sim/backend.js';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import { createRng } from '../../../../agent/sim/rng.js';
import { executorContract } from '../../../contract/executors.js';

const START = new Date('2025-03-01T12:00:00.000Z');

/** Time moves only when someone waits: drains and polls finish without real waiting. */
function manualClock(): SimClock & { advance(ms: number): void } {
  let now = START.getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      now += ms;
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) throw signal.reason as Error;
    },
  };
}

executorContract('sim', async () => {
  const clock = manualClock();
  const state = contractFixtureState(START, createRng(7));
  const backend = new SimBackend({ nodes: 3, deployments: 0, faultRate: 0, kubernetesVersion: 'v1.31.4', seed: 7, logs: SIM_LOGS_DEFAULT }, 'contract', START, { clock, state });
  return {
    backend,
    cleanup: () => backend.close(),
    advance: async (ms) => {
      clock.advance(ms);
      await Promise.resolve();
    },
  };
});
