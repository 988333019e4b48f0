// Builds the job runner from the agent bundle. A bundle whose control-plane key is unusable is a
// broken config: the agent refuses to start (exit 78) rather than run on without ever taking a job.
import type { AgentConfig } from '../../config/schemas.js';
import { FlotillaError } from '../../core/errors.js';
import { keyIdOf, publicKeyFromBase64, type SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import type { EncryptionKey } from '../../core/secrets.js';
import type { ObjectStore } from '../../core/store/types.js';
import type { ClusterActions } from '../actions.js';
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
}

const REISSUE = 'Copy controlPlane from `flotilla info` on the control plane, or re-issue the bundle with `flotilla cluster add`.';

export async function openJobRunner(s: JobRunnerSetup): Promise<JobRunner> {
  const { controlPlane } = s.config;
  let publicKey;
  try {
    publicKey = publicKeyFromBase64(controlPlane.publicKey);
  } catch (e) {
    throw new FlotillaError('config', `controlPlane.publicKey in the agent bundle is not a usable Ed25519 key: ${(e as Error).message}`, REISSUE, { cause: e });
  }
  if (keyIdOf(publicKey) !== controlPlane.keyid) {
    throw new FlotillaError('config', `controlPlane.keyid ${controlPlane.keyid} in the agent bundle does not name controlPlane.publicKey (${keyIdOf(publicKey)})`, REISSUE);
  }
  return JobRunner.open({
    cluster: s.config.cluster,
    store: s.store,
    actions: s.actions,
    key: s.key,
    encryption: s.encryption,
    controlPlane: { keyid: controlPlane.keyid, publicKey },
    dataDir: s.dataDir,
    pollIntervalMs: s.config.store.pollIntervalMs,
    logger: s.logger.child({ part: 'jobs' }),
    metrics: s.metrics,
  });
}
