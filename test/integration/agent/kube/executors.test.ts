// The shared executor contract against the kube backend and the Kubernetes API test server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { KubeBackend } from '../../../../agent/kube/backend.js';
import { loadKubeConfig } from '../../../../agent/kube/config.js';
import { executorContract } from '../../../contract/executors.js';
import { seedExecutorFixture, startKubeApiServer } from '../../../harness/kube-api-server.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

executorContract('kube', async () => {
  const server = await startKubeApiServer({ tickMs: 20 });
  seedExecutorFixture(server);
  const file = join(tempDir(), 'kubeconfig');
  writeFileSync(file, server.kubeconfig('edge'));
  const backend = new KubeBackend(loadKubeConfig({ kubeconfig: file, context: 'edge', inCluster: false }), { evictionBackoff: { baseMs: 100, capMs: 500 }, drainPollMs: 50 });
  return {
    backend,
    async cleanup() {
      await backend.close();
      await server.close();
    },
  };
});
