// Picks the cluster backend named in the agent config.
import { join } from 'node:path';
import type { AgentConfig } from '../config/schemas.js';
import type { Logger } from '../core/log.js';
import type { Backend } from './backend.js';
import { KubeBackend } from './kube/backend.js';
import { loadKubeConfig } from './kube/config.js';
import { SimBackend } from './sim/backend.js';
import { SIM_LOG_SUBDIR } from './sim/log-cri.js';

/** The simulated cluster writes its pods' CRI log files under `<dataDir>/sim-logs/pods/`, where the agent's CRI input tails them. */
export function openBackend(config: AgentConfig, now: Date, dataDir: string, logger?: Logger): Backend {
  switch (config.agent.backend) {
    case 'sim':
      return new SimBackend(config.sim, config.cluster, now, { logDir: join(dataDir, SIM_LOG_SUBDIR), ...(logger ? { logger } : {}) });
    case 'kube':
      return new KubeBackend(loadKubeConfig(config.kube ?? { inCluster: false }));
  }
}
