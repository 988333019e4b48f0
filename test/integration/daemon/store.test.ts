/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { generateSigningKey } from '../../../core/keys.js';
import { storeKeys } from '../../../core/store/types.js';
import { FakeAgent, makeStatusReport } from '../../harness/fake-agent.js';
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

async function registeredAgent(name: string): Promise<FakeAgent> {
  const agent = new FakeAgent(await fx.addCluster(name), fx.store);
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return agent;
}

async function rejections(cluster: string): Promise<{ reason: string; key: string }[]> {
  return (await fx.api('GET', `/api/v1/rejections?cluster=${cluster}`)).body.items;
}

describe('daemon store sync', () => {
  it('publishes the control-plane key in the store', async () => {
    const obj = await fx.store.get(storeKeys.controlPlaneKey(), 4096);
    const info = (await fx.api('GET', '/api/v1/info')).body;
    expect(JSON.parse(String(obj?.body))).toEqual(info.controlPlane);
  });

  it('registers an agent, pins its key, burns the token, accepts its reports and audits it', async () => {
    const agent = await registeredAgent('alpha');
    await agent.report({ nodes: 5, notReady: 1 });
    const row = await waitUntil(async () => {
      const r = (await fx.api('GET', '/api/v1/clusters')).body.items[0];
      return r.reportedAt ? r : undefined;
    });
    expect(row).toMatchObject({ name: 'alpha', registration: 'registered', health: 'degraded', reasons: ['1/5 nodes NotReady'], nodes: { ready: 4, total: 5 }, agentVersion: 'fake-agent' });
    const detail = (await fx.api('GET', '/api/v1/clusters/alpha')).body;
    expect(detail.nodes).toHaveLength(5);
    expect(detail.transitions[0]).toMatchObject({ from: 'unknown', to: 'degraded' });
    const audit = (await fx.api('GET', '/api/v1/audit')).body.items;
    expect(audit.find((a: any) => a.action === 'cluster.register')).toMatchObject({ actor: { id: 'store' }, target: 'alpha', allowed: true, detail: { keyid: agent.key.keyid } });

    // A second agent with the same (now burned) token is rejected and recorded; the first stays pinned.
    const thief = new FakeAgent(agent.bundle, fx.store);
    await thief.register();
    await waitUntil(async () => (await rejections('alpha')).some((r) => r.reason === 'token_reused'), { what: 'token_reused rejection' });
    expect((await fx.api('GET', '/api/v1/clusters/alpha')).body.row.registration).toBe('registered');
    await agent.report();
    await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.health === 'healthy', { what: 'first agent still accepted' });
  });

  it('rejects a registration with the wrong token', async () => {
    const agent = new FakeAgent(await fx.addCluster('beta'), fx.store);
    await agent.register({}, 'fbt_not-the-token-0000000000000');
    await waitUntil(async () => (await rejections('beta')).some((r) => r.reason === 'bad_token'), { what: 'bad_token' });
    expect((await fx.api('GET', '/api/v1/clusters/beta')).body.row.registration).toBe('pending');
  });

  it('rejects every bad status file, records each once, and keeps serving', async () => {
    const agent = await registeredAgent('gamma');
    await agent.report();
    await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/gamma')).body.row.reportedAt, { what: 'first report' });
    const good = makeStatusReport('gamma', 100);
    const cases: [string, Buffer][] = [
      ['malformed_json', Buffer.from('{"payloadType": "x", "payl')],
      ['malformed_json', agent.statusEnvelope(good).subarray(0, 40)],
      ['oversize', Buffer.alloc(fx.config.limits.statusMaxBytes + 10, 0x20)],
      ['invalid_utf8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
      ['unknown_key', agent.statusEnvelope(good, generateSigningKey())],
      ['wrong_payload_type', sealEnvelope(PAYLOAD_TYPES.job, good, agent.key)],
      ['wrong_cluster', agent.statusEnvelope(makeStatusReport('other', 101))],
      ['stale', agent.statusEnvelope(makeStatusReport('gamma', 1))],
      ['malformed_payload', sealEnvelope(PAYLOAD_TYPES.status, { cluster: 'gamma', seq: 102 }, agent.key)],
    ];
    for (const [reason, body] of cases) {
      const before = (await rejections('gamma')).filter((r) => r.reason === reason).length;
      await agent.writeStatusBytes(body);
      await waitUntil(async () => (await rejections('gamma')).filter((r) => r.reason === reason).length > before, { what: `rejection ${reason}` });
      expect((await fx.api('GET', '/healthz')).status).toBe(200);
    }
    // A bad file left in place is not recorded again on later polls.
    const count = (await rejections('gamma')).length;
    await fx.api('GET', '/api/v1/clusters');
    await new Promise((r) => setTimeout(r, 300));
    expect((await rejections('gamma')).length).toBe(count);
    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/flotilla_store_rejections_total\{reason="stale"\} 1/);
    const audit = (await fx.api('GET', '/api/v1/audit?limit=1000')).body.items;
    expect(audit.filter((a: any) => a.action === 'store.reject' && a.allowed === false).length).toBeGreaterThanOrEqual(cases.length);
    // The agent's next genuine report is still accepted.
    agent.seq = 200;
    await agent.report({ crashLoops: 3 });
    await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/gamma')).body.row.reasons.includes('3 pods CrashLoopBackOff'), { what: 'recovery' });
  });

  it('records a report for an unknown cluster', async () => {
    const stranger = new FakeAgent({ cluster: 'ghost', bootstrapToken: 'x'.repeat(16), status: { intervalSeconds: 10 } } as never, fx.store);
    await stranger.report();
    await waitUntil(async () => (await fx.api('GET', '/api/v1/rejections')).body.items.some((r: any) => r.reason === 'unknown_cluster' && r.cluster === 'ghost'), { what: 'unknown_cluster' });
  });
});
