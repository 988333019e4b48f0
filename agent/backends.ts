// Picks the cluster backend named in the agent config.
import type { AgentConfig } from '../config/schemas.js';
import type { Backend } from './backend.js';
import { KubeBackend } from './kube/backend.js';
import { loadKubeConfig } from './kube/config.js';
import { SimBackend } from './sim/backend.js';

export function openBackend(config: AgentConfig, now: Date): Backend {
  switch (config.agent.backend) {
    case 'sim':
      return new SimBackend(config.sim, config.cluster, now);
    case 'kube':
      return new KubeBackend(loadKubeConfig(config.kube ?? { inCluster: false }));
  }
}
