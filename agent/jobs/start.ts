// Builds the job runner from the agent bundle. A bundle whose control-plane key is unusable is a
// broken config: the agent refuses to start (exit 78) rather than run on without ever taking a job.
import type { KeyObject } from 'node:crypto';
import type { AgentConfig } from '../../config/schemas.js';
import { FlotillaError } from '../../core/errors.js';
import { keyIdOf, publicKeyFromBase64, type SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import type { EncryptionKey } from '../../core/secrets.js';
import type { ObjectStore } from '../../core/store/types.js';
import type { ClusterActions } from '../actions.js';
import type { LoggingApplier } from '../logs/logging-apply.js';
import type { MonitoringApplier } from '../monitoring/apply.js';
import { JobRunner, type JobMetrics } from './runner.js';

export interface JobRunnerSetup {
  config: AgentConfig;
  store: ObjectStore;
  actions: ClusterActions;
  key: SigningKey;
  encryption: EncryptionKey;
  dataDir: string;
  metrics: JobMetrics;
  logger: Logger;
  logging?: LoggingApplier;
  monitoring?: MonitoringApplier;
}

const REISSUE = 'Copy controlPlane from `flotilla info` on the control plane, or re-issue the bundle with `flotilla cluster add`.';

/** The control-plane key of the agent bundle, checked against its key id; jobs and configs are verified with it. */
export function bundleControlPlane(config: AgentConfig): { keyid: string; publicKey: KeyObject } {
  const { controlPlane } = config;
  let publicKey;
  try {
    publicKey = publicKeyFromBase64(controlPlane.publicKey);
  } catch (e) {
    throw new FlotillaError('config', `controlPlane.publicKey in the agent bundle is not a usable Ed25519 key: ${(e as Error).message}`, REISSUE, { cause: e });
  }
  if (keyIdOf(publicKey) !== controlPlane.keyid) {
    throw new FlotillaError('config', `controlPlane.keyid ${controlPlane.keyid} in the agent bundle does not name controlPlane.publicKey (${keyIdOf(publicKey)})`, REISSUE);
  }
  return { keyid: controlPlane.keyid, publicKey };
}

export async function openJobRunner(s: JobRunnerSetup): Promise<JobRunner> {
  const { keyid, publicKey } = bundleControlPlane(s.config);
  return JobRunner.open({
    cluster: s.config.cluster,
    store: s.store,
    actions: s.actions,
    key: s.key,
    encryption: s.encryption,
    controlPlane: { keyid, publicKey },
    dataDir: s.dataDir,
    pollIntervalMs: s.config.store.pollIntervalMs,
    logger: s.logger.child({ part: 'jobs' }),
    metrics: s.metrics,
    ...(s.logging ? { logging: s.logging } : {}),
    ...(s.monitoring ? { monitoring: s.monitoring } : {}),
  });
}
