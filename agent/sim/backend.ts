// The sim as a ClusterBackend: each collect advances the model to `now` by one tick and observes it.
import type { SimConfig } from '../../config/schemas.js';
import type { ClusterBackend, ClusterObservation } from '../backend.js';
import { createSimState, type SimState } from './model.js';
import { observe } from './observe.js';
import { createRng, seedFromName, type Rng } from './rng.js';
import { tick } from './tick.js';

export class SimBackend implements ClusterBackend {
  readonly kind = 'sim';
  private state: SimState;
  private readonly rng: Rng;

  /** Without a seed the cluster name seeds the sim, so each cluster differs but replays the same. */
  constructor(config: SimConfig, cluster: string, start: Date) {
    this.rng = createRng(config.seed ?? seedFromName(cluster));
    this.state = createSimState(config, start, this.rng);
  }

  async collect(now: Date): Promise<ClusterObservation> {
    this.state = tick(this.state, now, this.rng);
    return observe(this.state);
  }

  async close(): Promise<void> {}
}
