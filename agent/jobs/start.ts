// Builds the job runner from the agent bundle. A bundle whose control-plane key is unusable leaves
// the agent reporting status but running no jobs (every job would fail verification anyway), and
// says so loudly rather than refusing to start.
import type { AgentConfig } from '../../config/schemas.js';
import { isFlotillaError } from '../../core/errors.js';
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

export async function openJobRunner(s: JobRunnerSetup): Promise<JobRunner | undefined> {
  const { controlPlane } = s.config;
  let publicKey;
  try {
    publicKey = publicKeyFromBase64(controlPlane.publicKey);
  } catch (e) {
    s.logger.error({ err: (e as Error).message, next: isFlotillaError(e) ? e.next : undefined }, 'controlPlane.publicKey in the agent bundle is not a usable key: jobs will not run. Re-issue the bundle with `flotilla cluster add`.');
    return undefined;
  }
  if (keyIdOf(publicKey) !== controlPlane.keyid) {
    s.logger.error({ keyid: controlPlane.keyid, actual: keyIdOf(publicKey) }, 'controlPlane.keyid in the agent bundle does not name controlPlane.publicKey: jobs will not run. Re-issue the bundle with `flotilla cluster add`.');
    return undefined;
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
