/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The daemon and an agent working over S3 (s3rver): the bundle carries the bucket settings, the agent
// registers and reports through the bucket, and the daemon shows the cluster with its data; jobs run
// through the bucket and, once collected, leave it under the retention (keep the newest 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../config/daemon.js';
import type { AgentConfig, DaemonConfig } from '../../../config/schemas.js';
import type { S3StoreConfig } from '../../../core/store/config.js';
import { silentLogger } from '../../../core/log.js';
import { S3Store } from '../../../core/store/s3.js';
import { storeKeys } from '../../../core/store/types.js';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { initControlPlane } from '../../../daemon/init.js';
import { startDaemon, type DaemonHandle } from '../../../daemon/main.js';
import { waitUntil } from '../../harness/proc.js';
import { startS3rver, type S3Service } from '../../harness/s3rver.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let s3: S3Service;
let daemon: DaemonHandle | undefined;
let agent: AgentHandle | undefined;
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

function restoreEnv(name: 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

beforeAll(async () => {
  s3 = await startS3rver('flotilla-fleet');
  // Both parts take credentials from the standard AWS chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
});
afterAll(async () => {
  await agent?.stop();
  await daemon?.stop();
  await s3.stop();
  restoreEnv('AWS_ACCESS_KEY_ID', savedEnv.id);
  restoreEnv('AWS_SECRET_ACCESS_KEY', savedEnv.secret);
  cleanupTempDirs();
});

describe('daemon and agent over S3', () => {
  it('registers an agent from its bundle, shows its reports, and runs jobs through the bucket', async () => {
    const dir = tempDir('flotilla-s3-daemon-');
    const init = await initControlPlane({ dataDir: dir, port: 0 });
    const store: S3StoreConfig = { type: 's3', bucket: s3.bucket, prefix: 'fleet/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, pollIntervalMs: 100 };
    // a fresh bucket prefix holds no control plane yet: starting one there is what create allows
    const config: DaemonConfig = { ...loadDaemonConfig(init.configPath, {}, {}), store: { ...store, create: true }, jobs: { retention: { keepLast: 2, keepHours: 0 } } };
    daemon = await startDaemon(config, { logger: silentLogger() });
    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${daemon!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    };

    const info = (await api('GET', '/api/v1/info')).body;
    expect(info.store).toBe(`s3://${s3.bucket}/fleet/ at ${s3.endpoint}`);

    const added = await api('POST', '/api/v1/clusters', { name: 'edge-s3', labels: { store: 's3' } });
    expect(added.status).toBe(201);
    const bundle = added.body.bundle as AgentConfig;
    expect(bundle.store).toEqual(store);
    expect(JSON.stringify(bundle)).not.toMatch(/S3RVER/);

    agent = await startAgent({ ...bundle, status: { intervalSeconds: 1 } }, { logger: silentLogger(), dataDir: tempDir('flotilla-s3-agent-') });
    const row = await waitUntil(
      async () => {
        const r = (await api('GET', '/api/v1/clusters/edge-s3')).body.row;
        return r.registration === 'registered' && r.reportedAt ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'edge-s3 registered and reporting over S3' },
    );
    expect(row.nodes.total).toBeGreaterThan(0);
    expect(['healthy', 'degraded', 'critical']).toContain(row.health);

    // Everything went through the bucket, under the configured prefix.
    const direct = new S3Store({ bucket: s3.bucket, prefix: 'fleet/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const keys = (await direct.list('')).map((e) => e.key);
    expect(keys).toEqual(expect.arrayContaining([storeKeys.controlPlaneKey(), storeKeys.registration('edge-s3'), storeKeys.status('edge-s3')]));

    // Jobs go out and results come back by key through the bucket; collected ones leave it.
    const ids: string[] = [];
    for (const type of ['cordon', 'uncordon', 'cordon', 'uncordon', 'cordon']) {
      const res = await api('POST', '/api/v1/jobs', { cluster: 'edge-s3', type, params: { node: 'worker-01' } });
      expect(res.status).toBe(201);
      ids.push(res.body.jobs[0].id as string);
    }
    await waitUntil(async () => (await Promise.all(ids.map(async (id) => (await api('GET', `/api/v1/jobs/${id}`)).body.state))).every((st) => st === 'succeeded'), { timeoutMs: 30_000, what: 'the jobs to succeed over S3' });
    const under = async (prefix: string) => (await direct.list(prefix)).map((e) => e.key).sort();
    await waitUntil(async () => (await under(storeKeys.jobsPrefix('edge-s3'))).length === 2 && (await under(storeKeys.resultsPrefix('edge-s3'))).length === 2, { what: 'retention over S3' });
    expect(await under(storeKeys.jobsPrefix('edge-s3'))).toEqual([storeKeys.job('edge-s3', 4), storeKeys.job('edge-s3', 5)]);
    expect(await under(storeKeys.resultsPrefix('edge-s3'))).toEqual([storeKeys.result('edge-s3', 4), storeKeys.result('edge-s3', 5)]);
    direct.close();
  });
});
