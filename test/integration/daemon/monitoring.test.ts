// POST /api/v1/clusters/:name/monitoring on a real daemon: an operator sets a cluster's monitoring
// settings, the daemon signs the edge Prometheus config generated from them into
// clusters/<c>/config/monitoring.json with a growing version and submits the configure-monitoring job
// naming it by version and hash; a viewer is refused and changes nothing; a bad body is a usage error;
// the change is audited. The central file_sd file (metrics.federation.fileSdPath) follows the registry:
// written at start, rewritten when a cluster is added or removed or its settings change, and left
// alone when its content would not change.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { configDigest, MonitoringConfigSchema } from '../../../core/metrics/monitoring-config.js';
import { storeKeys } from '../../../core/store/types.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.daemon.stop();
  fx = undefined;
});
afterAll(cleanupTempDirs);

async function start(flags: Record<string, unknown> = {}): Promise<Fixture> {
  fx = await startFixture(flags);
  return fx;
}

async function registered(f: Fixture, name: string): Promise<{ keyid: string; key: ReturnType<typeof publicKeyFromBase64> }> {
  const info = (await f.api('GET', '/api/v1/info')).body;
  const cp = { keyid: info.controlPlane.keyid as string, key: publicKeyFromBase64(info.controlPlane.publicKey as string) };
  const agent = new FakeJobAgent(await f.addCluster(name), f.store, cp);
  await agent.register();
  await waitUntil(async () => (await f.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return cp;
}

async function token(f: Fixture, role: 'viewer' | 'operator'): Promise<string> {
  return (await f.api('POST', '/api/v1/tokens', { body: { role, name: role } })).body.token as string;
}

const SIM = { mode: 'federate', federateTarget: 'edge-alpha.example:9090', backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '15s' };

describe("setting a cluster's monitoring", () => {
  it('signs a versioned monitoring config from the settings and submits configure-monitoring naming it (operator); refuses a viewer, audits both', async () => {
    const f = await start();
    const cp = await registered(f, 'alpha');
    const viewer = await token(f, 'viewer');
    const refused = await f.api('POST', '/api/v1/clusters/alpha/monitoring', { token: viewer, body: SIM });
    expect(refused.status).toBe(403);
    expect(await f.store.get(storeKeys.config('alpha', 'monitoring'), 1 << 20)).toBeNull();

    const operator = await token(f, 'operator');
    for (const [version, body] of [[1, SIM], [2, { ...SIM, scrapeInterval: '1m', retention: '6h' }]] as const) {
      const res = await f.api('POST', '/api/v1/clusters/alpha/monitoring', { token: operator, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ cluster: 'alpha', version, settings: { ...body }, job: { type: 'configure-monitoring', cluster: 'alpha', destructive: false } });
      const obj = await f.store.get(storeKeys.config('alpha', 'monitoring'), 1 << 20);
      if (!obj) throw new Error('no monitoring config in the store');
      const config = MonitoringConfigSchema.parse(openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.config, maxBytes: 1 << 20, keyFor: (id) => (id === cp.keyid ? cp.key : undefined) }).payload);
      expect(config).toMatchObject({ kind: 'monitoring', cluster: 'alpha', version, settings: body });
      expect(config.files.map((x) => x.name)).toEqual(['prometheus.yml', 'rules.yml', 'prometheus.flags']);
      expect(config.files[0]?.content).toContain(`scrape_interval: ${body.scrapeInterval}`);
      expect(config.files[0]?.content).toMatch(/external_labels:\n\s+cluster: alpha/);
      expect(res.body.job.params).toEqual({ version, sha256: configDigest(obj.body) });
    }
    const audit = (await f.api('GET', '/api/v1/audit?limit=50')).body.items as { action: string; target: string; allowed: boolean; detail: Record<string, unknown> }[];
    const records = audit.filter((r) => r.action === 'cluster.monitoring');
    expect(records.map((r) => r.detail.version)).toEqual([2, 1]);
    expect(records[0]).toMatchObject({ target: 'alpha', allowed: true, detail: { settings: { scrapeInterval: '1m' } } });
    expect(audit.some((r) => r.action === 'job.submit' && !r.allowed && r.target === '/api/v1/clusters/alpha/monitoring')).toBe(true);
  });

  it('refuses a bad body (usage, with the fix), an unknown cluster and one without an agent yet', async () => {
    const f = await start();
    await registered(f, 'beta');
    for (const body of [{ mode: 'kafka' }, { mode: 'federate' }, { mode: 'federate', federateTarget: 'e:9090', backend: 'sim' }, { mode: 'remote-write', remoteWriteUrl: 'https://u:p@c/api/v1/write' }, { federateTarget: 'e:9090', extra: 1 }]) {
      const bad = await f.api('POST', '/api/v1/clusters/beta/monitoring', { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('usage');
      expect(bad.body.error.next).toMatch(/federateTarget/);
    }
    expect((await f.api('POST', '/api/v1/clusters/beta/monitoring', { body: 'not json' })).body.error.code).toBe('usage');
    const tooSlow = await f.api('POST', '/api/v1/clusters/beta/monitoring', { body: { federateTarget: 'e:9090', scrapeInterval: '10m' } });
    expect(tooSlow.status).toBe(400);
    expect(tooSlow.body.error.message).toMatch(/scrapeInterval/);
    expect((await f.api('POST', '/api/v1/clusters/nope/monitoring', { body: SIM })).status).toBe(404);
    await f.addCluster('pending');
    const early = await f.api('POST', '/api/v1/clusters/pending/monitoring', { body: SIM });
    expect(early.status).toBe(409);
    expect(early.body.error.next).toMatch(/flotilla cluster add pending/);
    expect(await f.store.get(storeKeys.config('beta', 'monitoring'), 1 << 20)).toBeNull();
  });
});

describe('the central file_sd file', () => {
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { targets: string[]; labels: Record<string, string> }[];

  it('lists each federated cluster at its edge, follows settings changes and removals, and is rewritten only when its content changes', async () => {
    const path = join(tempDir('flotilla-central-'), 'sd', 'clusters.json');
    const f = await start({ 'metrics.federation.fileSdPath': path });
    expect(read(path)).toEqual([]);
    await registered(f, 'alpha');
    await registered(f, 'beta');
    // Without an edge pattern a cluster with no settings is not listed: adding one leaves the file as it was.
    const untouched = statSync(path).ino;
    expect(read(path)).toEqual([]);
    expect(statSync(path).ino).toBe(untouched);

    expect((await f.api('POST', '/api/v1/clusters/alpha/monitoring', { body: SIM })).status).toBe(201);
    await waitUntil(() => read(path).length === 1, { what: 'alpha in the file_sd file', timeoutMs: 5000 });
    expect(read(path)).toEqual([{ targets: ['edge-alpha.example:9090'], labels: { cluster: 'alpha' } }]);
    expect((await f.api('POST', '/api/v1/clusters/beta/monitoring', { body: { federateTarget: 'https://edge.example/beta', backend: 'kube' } })).status).toBe(201);
    await waitUntil(() => read(path).length === 2, { what: 'beta in the file_sd file', timeoutMs: 5000 });
    expect(read(path)[1]).toEqual({ targets: ['edge.example:443'], labels: { cluster: 'beta', __scheme__: 'https', __metrics_path__: '/beta/federate' } });

    // The same settings again: a new config version and job, but the same file_sd content, so no write.
    const before = statSync(path).ino;
    expect((await f.api('POST', '/api/v1/clusters/alpha/monitoring', { body: SIM })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 200));
    expect(statSync(path).ino).toBe(before);

    // A remote-write edge has nothing to scrape.
    expect((await f.api('POST', '/api/v1/clusters/alpha/monitoring', { body: { mode: 'remote-write', remoteWriteUrl: 'https://central.example/api/v1/write' } })).status).toBe(201);
    await waitUntil(() => read(path).length === 1, { what: 'alpha out of the file_sd file', timeoutMs: 5000 });
    expect(read(path).map((g) => g.labels.cluster)).toEqual(['beta']);
    expect((await f.api('DELETE', '/api/v1/clusters/beta')).status).toBe(200);
    await waitUntil(() => read(path).length === 0, { what: 'beta out of the file_sd file', timeoutMs: 5000 });
  });

  it('with an edge pattern lists every cluster from the moment it is added until it is removed, settings overriding the pattern; a restart rewrites nothing', async () => {
    const path = join(tempDir('flotilla-central-'), 'clusters.json');
    const flags = { 'metrics.federation.fileSdPath': path, 'metrics.federation.edgePattern': 'prometheus.{cluster}.example:9090' };
    const f = await start(flags);
    await f.addCluster('gamma');
    await waitUntil(() => read(path).length === 1, { what: 'gamma in the file_sd file', timeoutMs: 5000 });
    expect(read(path)).toEqual([{ targets: ['prometheus.gamma.example:9090'], labels: { cluster: 'gamma' } }]);
    await registered(f, 'delta');
    await waitUntil(() => read(path).length === 2, { what: 'delta in the file_sd file', timeoutMs: 5000 });
    expect((await f.api('POST', '/api/v1/clusters/delta/monitoring', { body: { federateTarget: '10.0.4.7:9090' } })).status).toBe(201);
    await waitUntil(() => read(path)[0]?.targets[0] === '10.0.4.7:9090', { what: "delta at its own edge", timeoutMs: 5000 });
    expect((await f.api('DELETE', '/api/v1/clusters/gamma')).status).toBe(200);
    await waitUntil(() => read(path).length === 1, { what: 'gamma out of the file_sd file', timeoutMs: 5000 });
    expect(read(path)).toEqual([{ targets: ['10.0.4.7:9090'], labels: { cluster: 'delta' } }]);
    // A daemon started on the same registry finds the file as it would write it and leaves it alone.
    const ino = statSync(path).ino;
    await f.daemon.stop();
    const { startDaemon } = await import('../../../daemon/main.js');
    const { silentLogger } = await import('../../../core/log.js');
    const again = await startDaemon(f.config, { logger: silentLogger() });
    try {
      expect(statSync(path).ino).toBe(ino);
    } finally {
      await again.stop();
    }
  });
});
