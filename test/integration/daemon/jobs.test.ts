/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey, publicKeyFromBase64 } from '../../../core/keys.js';
import { storeKeys } from '../../../core/store/types.js';
import { makeStatusReport } from '../../harness/fake-agent.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.daemon.stop();
});
afterAll(cleanupTempDirs);

async function agentFor(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<FakeJobAgent> {
  const info = (await fx.api('GET', '/api/v1/info')).body;
  const agent = new FakeJobAgent(await fx.addCluster(name, { labels, ...extra }), fx.store, { keyid: info.controlPlane.keyid, key: publicKeyFromBase64(info.controlPlane.publicKey) });
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  await agent.report();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.reportedAt, { what: `${name} first report` });
  return agent;
}

async function job(id: string): Promise<any> {
  return (await fx.api('GET', `/api/v1/jobs/${id}`)).body;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('daemon job pipeline', () => {
  it('signs a job into the store, takes the signed result back, and streams both on the jobs topic', async () => {
    const agent = await agentFor('alpha');
    const ws = await connectWs(fx.daemon.url, fx.adminToken);
    ws.send({ id: 1, op: 'subscribe', topic: 'jobs' });
    await ws.waitFrame((f) => f.topic === 'jobs' && f.kind === 'snapshot', 'jobs snapshot');

    const res = await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'alpha', type: 'scale', params: { namespace: 'apps', name: 'app-1', replicas: 5 } } });
    expect(res.status).toBe(201);
    const submitted = res.body.jobs[0];
    expect(submitted).toMatchObject({ cluster: 'alpha', seq: 1, type: 'scale', state: 'dispatched', destructive: false, params: { namespace: 'apps', name: 'app-1', kind: 'Deployment', replicas: 5 } });

    const [read] = await agent.jobs();
    expect(read?.payload).toMatchObject({ cluster: 'alpha', seq: 1, id: submitted.id, type: 'scale', issuer: { name: 'admin' } });
    await agent.finish(read!, { detail: 'scaled apps/app-1 to 5' });

    await waitUntil(async () => (await job(submitted.id)).state === 'succeeded', { what: 'job succeeded' });
    expect((await job(submitted.id)).result).toMatchObject({ state: 'succeeded', detail: 'scaled apps/app-1 to 5', reason: null });
    const patch = await ws.waitFrame((f) => f.topic === 'jobs' && f.kind === 'patch' && f.changes.some((c: any) => c.id === submitted.id && c.state === 'succeeded'), 'succeeded patch');
    expect(patch.rev).toBeGreaterThan(0);

    const audit = (await fx.api('GET', '/api/v1/audit')).body.items;
    expect(audit.find((a: any) => a.action === 'job.submit')).toMatchObject({ allowed: true, target: 'alpha', detail: { type: 'scale' } });
    expect(audit.find((a: any) => a.action === 'job.result')).toMatchObject({ actor: { id: 'agent:alpha' }, target: submitted.id, detail: { state: 'succeeded' } });

    // the WS call works the same and the next job takes the next seq
    ws.send({ id: 2, op: 'call', method: 'job.submit', params: { cluster: 'alpha', type: 'cordon', params: { node: 'alpha-node-0' } } });
    const reply = await ws.waitFrame((f) => f.id === 2, 'submit reply');
    expect(reply.result.jobs[0]).toMatchObject({ seq: 2, type: 'cordon' });
    ws.ws.close();
  });

  it('refuses a viewer on REST and WS, and audits both refusals', async () => {
    await agentFor('alpha');
    const viewer = (await fx.api('POST', '/api/v1/tokens', { body: { role: 'viewer', name: 'vic' } })).body.token;
    const res = await fx.api('POST', '/api/v1/jobs', { token: viewer, body: { cluster: 'alpha', type: 'cordon', params: { node: 'n1' } } });
    expect(res.status).toBe(403);
    const ws = await connectWs(fx.daemon.url, viewer);
    ws.send({ id: 7, op: 'call', method: 'job.submit', params: { cluster: 'alpha', type: 'cordon', params: { node: 'n1' } } });
    expect((await ws.waitFrame((f) => f.id === 7)).error.code).toBe('forbidden');
    ws.ws.close();
    const denied = (await fx.api('GET', '/api/v1/audit')).body.items.filter((a: any) => a.allowed === false && a.actor.name === 'vic');
    expect(denied.map((a: any) => a.action).sort()).toEqual(['job.submit', 'job.submit']);
    expect((await fx.api('GET', '/api/v1/jobs')).body.items).toEqual([]);
  });

  it('rejects and records forged or mismatched results; the job keeps waiting for the real one', async () => {
    const agent = await agentFor('alpha');
    const id = (await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'alpha', type: 'uncordon', params: { node: 'alpha-node-0' } } })).body.jobs[0].id;
    const [read] = await agent.jobs();
    const now = new Date().toISOString();
    const result = { cluster: 'alpha', seq: 1, id, state: 'succeeded' as const, startedAt: now, finishedAt: now, detail: 'forged' };
    await fx.store.put(storeKeys.result('alpha', 1), agent.resultEnvelope(result, generateSigningKey()));
    await waitUntil(async () => (await fx.api('GET', '/api/v1/rejections?cluster=alpha')).body.items.some((r: any) => r.reason === 'unknown_key'), { what: 'forged result rejected' });
    await fx.store.put(storeKeys.result('alpha', 1), agent.resultEnvelope({ ...result, seq: 2 }));
    await waitUntil(async () => (await fx.api('GET', '/api/v1/rejections?cluster=alpha')).body.items.some((r: any) => r.reason === 'seq_mismatch'), { what: 'seq mismatch rejected' });
    expect((await job(id)).state).toBe('dispatched');
    const audit = (await fx.api('GET', '/api/v1/audit')).body.items;
    expect(audit.filter((a: any) => a.action === 'store.reject' && a.target === storeKeys.result('alpha', 1))).toHaveLength(2);
    await agent.finish(read!);
    await waitUntil(async () => (await job(id)).state === 'succeeded', { what: 'real result accepted' });
  });

  it('records the refusals an agent reports in its status as rejections audited as that agent', async () => {
    const agent = await agentFor('alpha');
    agent.seq += 1;
    const report = { ...makeStatusReport('alpha', agent.seq), rejections: [{ key: 'clusters/alpha/jobs/000000000009.json', reason: 'bad_signature', detail: 'signature does not verify', at: new Date().toISOString() }] };
    await fx.store.put(storeKeys.status('alpha'), agent.statusEnvelope(report));
    await waitUntil(async () => (await fx.api('GET', '/api/v1/rejections?cluster=alpha')).body.items.some((r: any) => r.reason === 'bad_signature'), { what: 'agent rejection recorded' });
    const audit = (await fx.api('GET', '/api/v1/audit')).body.items;
    expect(audit.find((a: any) => a.action === 'agent.reject')).toMatchObject({ actor: { id: 'agent:alpha' }, allowed: false, target: 'clusters/alpha/jobs/000000000009.json' });
  });

  it('generates rotated credentials on the control plane and keeps only ciphertext in the store and registry', async () => {
    const agent = await agentFor('alpha');
    const res = await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'alpha', type: 'rotate-credentials', params: { namespace: 'payments', target: 'secret', name: 'api-credentials', keys: ['password', 'apiKey'] } } });
    expect(res.status).toBe(201);
    expect(res.body.jobs[0].params.sealed).toBe('<sealed>');
    const [read] = await agent.jobs();
    expect(Object.keys(read!.secret!).sort()).toEqual(['apiKey', 'password']);
    const values = Object.values(read!.secret!);
    const dataDir = join(fx.config.dataDir);
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      for (const v of values) expect(bytes.includes(v), `${file} holds a plaintext secret`).toBe(false);
    }
    const shown = JSON.stringify((await fx.api('GET', `/api/v1/jobs/${res.body.jobs[0].id}`)).body) + JSON.stringify((await fx.api('GET', '/api/v1/audit')).body);
    for (const v of values) expect(shown.includes(v)).toBe(false);
  });

  it('cancels a job with a signed cancel at the next seq; the agent result says cancelled', async () => {
    const agent = await agentFor('alpha');
    const id = (await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'alpha', type: 'restart', params: { namespace: 'apps', name: 'app-0' } } })).body.jobs[0].id;
    const c = await fx.api('POST', `/api/v1/jobs/${id}/cancel`);
    expect(c.status).toBe(202);
    expect(c.body.cancel).toMatchObject({ seq: 2, type: 'cancel', params: { targetSeq: 1, targetId: id } });
    const [target, cancel] = await agent.jobs();
    await agent.finish(target!, { state: 'cancelled', detail: 'cancelled before it started' });
    await agent.finish(cancel!);
    await waitUntil(async () => (await job(id)).state === 'cancelled', { what: 'cancelled' });
    expect((await fx.api('POST', `/api/v1/jobs/${id}/cancel`)).status).toBe(409);
  });

  it('fans a fleet job out by selector, with a dry run first and --yes for destructive ones', async () => {
    await agentFor('stg-a', { env: 'staging', team: 'payments' });
    await agentFor('stg-b', { env: 'staging', team: 'search' });
    await agentFor('prod-a', { env: 'prod', team: 'payments' });
    const dry = await fx.api('POST', '/api/v1/jobs', { body: { selector: 'env=staging', type: 'drain', params: { node: 'stg-a-node-0' }, dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun.clusters.map((c: any) => c.cluster)).toEqual(['stg-a', 'stg-b']);
    expect(dry.body.dryRun.clusters[0].affected).toEqual(['node stg-a-node-0 (schedulable, 20 pods to evict)']);
    expect(dry.body.dryRun.clusters[1].warning).toMatch(/not in the latest status report/);
    expect(await fx.store.list('clusters/stg-a/jobs/')).toEqual([]);

    const refused = await fx.api('POST', '/api/v1/jobs', { body: { selector: 'env=staging', type: 'drain', params: { node: 'stg-a-node-0' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.next).toMatch(/--yes/);

    const scaled = await fx.api('POST', '/api/v1/jobs', { body: { selector: 'team!=search', type: 'scale', params: { namespace: 'apps', name: 'app-1', replicas: 1 }, dryRun: true } });
    expect(scaled.body.dryRun.clusters.map((c: any) => [c.cluster, c.affected])).toEqual([
      ['prod-a', ['Deployment apps/app-1 replicas 2 → 1']],
      ['stg-a', ['Deployment apps/app-1 replicas 2 → 1']],
    ]);

    const ok = await fx.api('POST', '/api/v1/jobs', { body: { selector: 'env=staging', type: 'drain', params: { node: 'stg-a-node-0' }, yes: true } });
    expect(ok.status).toBe(201);
    expect(ok.body.fleetJob.clusters).toEqual(['stg-a', 'stg-b']);
    const progress = (await fx.api('GET', `/api/v1/jobs?fleetJobId=${ok.body.fleetJob.id}`)).body.items;
    expect(progress.map((j: any) => [j.cluster, j.state]).sort()).toEqual([
      ['stg-a', 'dispatched'],
      ['stg-b', 'dispatched'],
    ]);
  });

  it('resolves a restore from the verified backup result of the source cluster', async () => {
    const src = await agentFor('src');
    await agentFor('dst');
    const missing = await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'dst', type: 'restore', params: { backupId: 'nightly', sourceCluster: 'src' } } });
    expect(missing.status).toBe(404);
    await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'src', type: 'backup', params: { backupId: 'nightly', namespaces: ['apps'] } } });
    const [backup] = await src.jobs();
    const sha = 'a'.repeat(64);
    await src.finish(backup!, { output: { manifestSha256: sha, objects: 4 } });
    await waitUntil(async () => (await job(backup!.payload.id)).state === 'succeeded', { what: 'backup done' });
    const restore = await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'dst', type: 'restore', params: { backupId: 'nightly', sourceCluster: 'src' }, yes: true } });
    expect(restore.status).toBe(201);
    expect(restore.body.jobs[0]).toMatchObject({ destructive: true, params: { backupId: 'nightly', sourceCluster: 'src', manifestSha256: sha } });
  });

  it('issues a teardown cleanup once when a cluster TTL runs out and marks it expired', async () => {
    const agent = await agentFor('temp', {}, { ttl: '3s' });
    await waitUntil(async () => (await fx.api('GET', '/api/v1/jobs?cluster=temp')).body.items.length > 0, { what: 'teardown job', timeoutMs: 15_000 });
    expect((await fx.api('GET', '/api/v1/clusters/temp')).body.row.registration).toBe('expired');
    // a few more re-evaluations pass; still exactly one teardown
    await waitUntil(async () => (await fx.api('GET', '/api/v1/audit')).body.items.some((a: any) => a.action === 'cluster.teardown'), { what: 'teardown audited' });
    await new Promise((r) => setTimeout(r, 2500));
    const jobs = (await fx.api('GET', '/api/v1/jobs?cluster=temp')).body.items;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ type: 'cleanup', destructive: true, params: { teardown: true }, issuer: { tokenId: 'daemon' } });
    const [read] = await agent.jobs();
    expect(read?.payload.params).toEqual({ teardown: true });
    expect((await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'temp', type: 'cordon', params: { node: 'x' } } })).status).toBe(409);
  });
});
