// POST /api/v1/clusters/:name/logging on a real daemon: a viewer is refused; the daemon transport
// writes a signed logging config with a growing version and submits the configure-logging job that
// names it by version and hash; rabbitmq without logs.rabbitmq in the daemon config is a config error
// saying what to add; a bad body is a usage error.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { configDigest, LoggingConfigSchema } from '../../../core/logs/logging-config.js';
import { storeKeys } from '../../../core/store/types.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.daemon.stop();
});
afterAll(cleanupTempDirs);

async function registered(name: string): Promise<{ keyid: string; key: ReturnType<typeof publicKeyFromBase64> }> {
  const info = (await fx.api('GET', '/api/v1/info')).body;
  const cp = { keyid: info.controlPlane.keyid as string, key: publicKeyFromBase64(info.controlPlane.publicKey as string) };
  const agent = new FakeJobAgent(await fx.addCluster(name), fx.store, cp);
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return cp;
}

describe('switching a cluster’s log transport', () => {
  it('writes a signed, versioned logging config and submits configure-logging naming it (operator), refusing a viewer', async () => {
    const cp = await registered('alpha');
    const viewer = (await fx.api('POST', '/api/v1/tokens', { body: { role: 'viewer', name: 'vic' } })).body.token;
    const refused = await fx.api('POST', '/api/v1/clusters/alpha/logging', { token: viewer, body: { transport: 'daemon' } });
    expect(refused.status).toBe(403);
    expect(await fx.store.get(storeKeys.config('alpha', 'logging'), 1 << 20)).toBeNull();

    for (const version of [1, 2]) {
      const res = await fx.api('POST', '/api/v1/clusters/alpha/logging', { body: { transport: 'daemon' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ cluster: 'alpha', version, transport: 'daemon', job: { type: 'configure-logging', cluster: 'alpha' } });
      const obj = await fx.store.get(storeKeys.config('alpha', 'logging'), 1 << 20);
      if (!obj) throw new Error('no logging config in the store');
      const config = LoggingConfigSchema.parse(openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.config, maxBytes: 1 << 20, keyFor: (id) => (id === cp.keyid ? cp.key : undefined) }).payload);
      expect(config).toMatchObject({ cluster: 'alpha', version, transport: 'daemon' });
      expect(res.body.job.params).toEqual({ version, sha256: configDigest(obj.body) });
    }
  });

  it('refuses rabbitmq without a central broker in the daemon config (config, with the fix), and a bad body (usage)', async () => {
    await registered('beta');
    const res = await fx.api('POST', '/api/v1/clusters/beta/logging', { body: { transport: 'rabbitmq' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.error.code).toBe('config');
    expect(res.body.error.next).toMatch(/logs\.rabbitmq/);
    const bad = await fx.api('POST', '/api/v1/clusters/beta/logging', { body: { transport: 'kafka' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('usage');
  });
});
