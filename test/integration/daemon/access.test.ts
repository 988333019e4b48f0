/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// Scoped tokens on a real daemon (docs/ACCESS.md): a payments viewer and a payments non-prod operator
// among three teams' clusters. Lists, the pipeline, the fleet and jobs topics answer with the clusters
// in scope only; an action on a cluster outside it is 403 and audited, as is one beyond the role;
// a fleet job's selector is narrowed to the scope (its dry run lists those only); tokens and the audit
// need a grant over the whole fleet; a cluster relabelled into a scope appears in that scope's fleet
// stream and one relabelled out disappears, and a scoped operator can move a cluster neither out nor in.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../core/store/types.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let viewer: string;
const agents = new Map<string, FakeAgent>();
let operator: string;

const CLUSTERS: Record<string, Record<string, string>> = {
  'pay-prod': { team: 'payments', env: 'prod' },
  'pay-stg': { team: 'payments', env: 'staging' },
  'chk-prod': { team: 'checkout', env: 'prod' },
};

async function token(role: string, scope?: string): Promise<string> {
  const r = await fx.api('POST', '/api/v1/tokens', { body: { role, name: `${role}-${scope ?? 'all'}`, ...(scope ? { scope } : {}) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.token as string;
}

const names = (items: any[], key = 'name') => items.map((i) => i[key]).sort();

beforeAll(async () => {
  fx = await startFixture();
  for (const [name, labels] of Object.entries(CLUSTERS)) {
    const agent = new FakeAgent(await fx.addCluster(name, { labels }), fx.store);
    agents.set(name, agent);
    await agent.register();
    await agent.report({ nodes: 2 });
  }
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters')).body.items.every((r: any) => r.registration === 'registered' && r.reportedAt), { what: 'three clusters registered and reporting' });
  viewer = await token('viewer', 'team=payments');
  operator = await token('operator', 'team=payments,env!=prod');
}, 60_000);

afterAll(async () => {
  await fx?.daemon.stop();
  cleanupTempDirs();
});

describe('scoped tokens', () => {
  it('lists only the clusters in scope, refuses one outside it as it refuses an unknown one, and narrows the pipeline', async () => {
    expect(names((await fx.api('GET', '/api/v1/clusters', { token: viewer })).body.items)).toEqual(['pay-prod', 'pay-stg']);
    expect(names((await fx.api('GET', '/api/v1/clusters', { token: operator })).body.items)).toEqual(['pay-stg']);
    expect(names((await fx.api('GET', '/api/v1/clusters')).body.items)).toEqual(['chk-prod', 'pay-prod', 'pay-stg']);

    const outside = await fx.api('GET', '/api/v1/clusters/chk-prod', { token: viewer });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toBe('cluster.read on cluster chk-prod needs the viewer role; the cluster is outside the scope of viewer-team=payments');
    expect(outside.body.error.next).toMatch(/--scope SELECTOR/);
    const unknown = await fx.api('GET', '/api/v1/clusters/nosuch', { token: viewer });
    expect(unknown.status).toBe(403);
    expect((await fx.api('GET', '/api/v1/clusters/pay-prod', { token: viewer })).status).toBe(200);
    expect((await fx.api('GET', '/api/v1/metrics/range?cluster=chk-prod&since=5m', { token: viewer })).status).toBe(403);

    const pipeline = (await fx.api('GET', '/api/v1/pipeline', { token: viewer })).body;
    expect(names(pipeline.rows, 'cluster')).toEqual(['pay-prod', 'pay-stg']);
    expect(pipeline.totals.clusters).toBe(2);
  });

  it('refuses an action outside the scope or beyond the role with 403, auditing each, and keeps tokens and the audit to fleet-wide admins', async () => {
    const label = await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { token: operator, body: { set: { tier: 'gold' } } });
    expect(label.status).toBe(403);
    const prod = await fx.api('DELETE', '/api/v1/clusters/pay-prod', { token: operator });
    expect(prod.status).toBe(403);
    const byViewer = await fx.api('POST', '/api/v1/jobs', { token: viewer, body: { cluster: 'pay-stg', type: 'cordon', params: { node: 'pay-stg-node-0' } } });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error.message).toBe('job.submit needs the operator role; viewer-team=payments has viewer');
    const scopedAdmin = await token('admin', 'team=payments');
    const mint = await fx.api('POST', '/api/v1/tokens', { token: scopedAdmin, body: { role: 'admin' } });
    expect(mint.status).toBe(403);
    expect(mint.body.error.message).toBe('token.create needs the admin role over the whole fleet; admin-team=payments has scoped grants only');
    // A scoped admin reads its own records only: the refused token.create, nobody else's.
    const own = (await fx.api('GET', '/api/v1/audit', { token: scopedAdmin })).body.items as any[];
    expect(own.map((a) => [a.actor.name, a.action, a.allowed])).toEqual([['admin-team=payments', 'token.create', false]]);

    const audit = (await fx.api('GET', '/api/v1/audit?limit=50')).body.items as any[];
    const denied = audit.filter((a) => a.allowed === false);
    expect(denied.find((a) => a.action === 'cluster.label' && a.detail.cluster === 'chk-prod')).toBeDefined();
    expect(denied.find((a) => a.action === 'cluster.remove' && a.detail.cluster === 'pay-prod')?.detail.reason).toBe('cluster pay-prod is outside the scope of operator-team=payments,env!=prod');
    expect(denied.find((a) => a.action === 'token.create')).toBeDefined();
    // Nothing changed.
    expect((await fx.api('GET', '/api/v1/clusters/chk-prod')).body.row.labels).toEqual(CLUSTERS['chk-prod']);
  });

  it('narrows a fleet job to the scope (its dry run lists those only), refuses one cluster outside it, and lists only its jobs', async () => {
    const dry = await fx.api('POST', '/api/v1/jobs', { token: operator, body: { selector: 'team=payments', type: 'cordon', params: { node: 'n-0' }, dryRun: true } });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.dryRun.clusters.map((c: any) => c.cluster)).toEqual(['pay-stg']);
    const none = await fx.api('POST', '/api/v1/jobs', { token: operator, body: { selector: 'team=checkout', type: 'cordon', params: { node: 'n-0' }, dryRun: true } });
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('no registered cluster that operator-team=payments,env!=prod may submit to matches the selector "team=checkout"');
    const one = await fx.api('POST', '/api/v1/jobs', { token: operator, body: { cluster: 'chk-prod', type: 'cordon', params: { node: 'n-0' } } });
    expect(one.status).toBe(403);

    const mine = await fx.api('POST', '/api/v1/jobs', { token: operator, body: { cluster: 'pay-stg', type: 'cordon', params: { node: 'n-0' } } });
    expect(mine.status).toBe(201);
    const theirs = await fx.api('POST', '/api/v1/jobs', { body: { cluster: 'chk-prod', type: 'cordon', params: { node: 'n-0' } } });
    expect(theirs.status).toBe(201);
    expect(names((await fx.api('GET', '/api/v1/jobs', { token: operator })).body.items, 'cluster')).toEqual(['pay-stg']);
    // Its audit record names the job and the hash of the very envelope the store holds.
    const record = ((await fx.api('GET', '/api/v1/audit?limit=20')).body.items as any[]).find((a) => a.action === 'job.submit' && a.allowed && a.detail.jobs?.[0]?.id === mine.body.jobs[0].id);
    const stored = await waitUntil(() => fx.store.get(storeKeys.job('pay-stg', mine.body.jobs[0].seq as number), 1 << 20), { what: 'the job in the store' });
    expect(record.detail.jobs[0]).toEqual({ id: mine.body.jobs[0].id, cluster: 'pay-stg', seq: mine.body.jobs[0].seq, envelopeSha256: createHash('sha256').update(stored.body).digest('hex') });
    expect(record.actor.name).toBe('operator-team=payments,env!=prod');
    expect((await fx.api('GET', `/api/v1/jobs/${theirs.body.jobs[0].id as string}`, { token: operator })).status).toBe(404);
    expect((await fx.api('GET', `/api/v1/jobs/${mine.body.jobs[0].id as string}`, { token: viewer })).status).toBe(200);
  });

  it('streams the fleet and jobs of the scope only; a cluster relabelled in appears, relabelled out disappears', async () => {
    const c = await connectWs(fx.daemon.url, viewer);
    await c.waitFrame((f) => f.kind === 'hello');
    c.send({ id: 1, op: 'subscribe', topic: 'fleet' });
    c.send({ id: 2, op: 'subscribe', topic: 'jobs' });
    const snap = await c.waitFrame((f) => f.topic === 'fleet' && f.kind === 'snapshot');
    expect(names(snap.data)).toEqual(['pay-prod', 'pay-stg']);
    const jobs = await c.waitFrame((f) => f.topic === 'jobs' && f.kind === 'snapshot');
    expect([...new Set(jobs.data.map((j: any) => j.cluster))]).toEqual(['pay-stg']);

    // A change of a cluster it never saw is not sent at all: its name never reaches the view.
    await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { tier: 'gold' } } });
    await fx.api('POST', '/api/v1/clusters/pay-stg/labels', { body: { set: { tier: 'silver' } } });
    await c.waitFrame((f) => f.topic === 'fleet' && f.kind === 'patch' && f.changes.some((ch: any) => ch.row?.labels?.tier === 'silver'), 'pay-stg relabelled');
    expect(c.frames.filter((f) => f.topic === 'fleet').flatMap((f) => (f.data ?? f.changes).map((x: any) => x.name ?? x.row.name))).not.toContain('chk-prod');

    // An admin moves chk-prod into the payments team, then out again.
    expect((await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { team: 'payments' } } })).body.labels).toEqual({ team: 'payments', env: 'prod', tier: 'gold' });
    await c.waitFrame((f) => f.topic === 'fleet' && f.kind === 'patch' && f.changes.some((ch: any) => ch.op === 'upsert' && ch.row.name === 'chk-prod'), 'chk-prod moving in');
    expect((await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { team: 'checkout' } } })).status).toBe(200);
    await c.waitFrame((f) => f.topic === 'fleet' && f.kind === 'patch' && f.changes.some((ch: any) => ch.op === 'remove' && ch.name === 'chk-prod'), 'chk-prod moving out');
    // The patches chain: each one's fromRev is the rev the client holds, over the events it was not sent.
    const fleet = c.frames.filter((f) => f.topic === 'fleet');
    for (let i = 1; i < fleet.length; i += 1) expect(fleet[i].fromRev).toBe(fleet[i - 1].rev);
    c.ws.close();
  });

  it('streams the log lines of the clusters in scope as their labels are when each line comes: relabelled out stops, relabelled in starts', async () => {
    let n = 0;
    const ship = async (cluster: string) => {
      const records = makeLines(cluster, n, n + 1, { message: (i) => `${cluster} line ${i}` });
      n += 1;
      const res = await fetch(`${fx.daemon.url}/api/v1/ingest/logs`, { method: 'POST', body: sealBatch(makeBatch(cluster, records), agents.get(cluster)!.key) });
      expect(res.status).toBe(200);
      return `${cluster} line ${n - 1}`;
    };
    const c = await connectWs(fx.daemon.url, viewer);
    await c.waitFrame((f) => f.kind === 'hello');
    c.send({ id: 1, op: 'subscribe', topic: 'logs', query: 'line' });
    await c.waitFrame((f) => f.topic === 'logs' && f.kind === 'snapshot');
    const heard = () => c.frames.filter((f) => f.topic === 'logs' && f.kind === 'lines').flatMap((f) => f.lines.map((l: any) => l.message as string));
    const first = await ship('pay-prod');
    await ship('chk-prod');
    await waitUntil(() => heard().includes(first), { what: 'the pay-prod line' });

    // pay-prod leaves the payments team, chk-prod joins it: lines follow the labels as they are now.
    expect((await fx.api('POST', '/api/v1/clusters/pay-prod/labels', { body: { set: { team: 'checkout' } } })).status).toBe(200);
    expect((await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { team: 'payments' } } })).status).toBe(200);
    await ship('pay-prod');
    const joined = await ship('chk-prod');
    await waitUntil(() => heard().includes(joined), { what: 'the line of chk-prod, relabelled in' });
    // The daemon sends a commit's lines in order, so the pay-prod line before it would have come first.
    expect(heard().filter((m) => m.startsWith('pay-prod'))).toEqual([first]);
    expect(heard().filter((m) => m.startsWith('chk-prod'))).toEqual([joined]);
    c.ws.close();
    expect((await fx.api('POST', '/api/v1/clusters/pay-prod/labels', { body: { set: { team: 'payments' } } })).status).toBe(200);
    expect((await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { team: 'checkout' } } })).status).toBe(200);
  });

  it("streams the audit: a scoped viewer its own records, a fleet-wide admin everyone's, each new record as it is written", async () => {
    const mine = await connectWs(fx.daemon.url, viewer);
    const all = await connectWs(fx.daemon.url, fx.adminToken);
    for (const c of [mine, all]) c.send({ id: 1, op: 'subscribe', topic: 'audit' });
    const own = await mine.waitFrame((f) => f.topic === 'audit' && f.kind === 'snapshot');
    expect(own.data.length).toBeGreaterThan(0);
    expect(new Set(own.data.map((r: any) => r.actor.name))).toEqual(new Set(['viewer-team=payments']));
    const everyone = await all.waitFrame((f) => f.topic === 'audit' && f.kind === 'snapshot');
    expect(new Set(everyone.data.map((r: any) => r.actor.name)).size).toBeGreaterThan(2);
    // oldest first, as the chain runs
    expect(everyone.data.map((r: any) => r.seq)).toEqual([...everyone.data.map((r: any) => r.seq)].sort((a: number, b: number) => a - b));

    expect((await fx.api('DELETE', '/api/v1/clusters/pay-prod', { token: viewer })).status).toBe(403);
    const fresh = await mine.waitFrame((f) => f.topic === 'audit' && f.kind === 'records', 'the refusal streamed');
    expect(fresh.records.map((r: any) => [r.action, r.allowed])).toEqual([['cluster.remove', false]]);
    await all.waitFrame((f) => f.topic === 'audit' && f.kind === 'records' && f.records.some((r: any) => r.seq === fresh.records[0].seq), 'the admin sees it too');
    // An admin's own action reaches the admin's stream only.
    expect((await fx.api('POST', '/api/v1/clusters/chk-prod/labels', { body: { set: { audited: 'yes' } } })).status).toBe(200);
    await all.waitFrame((f) => f.topic === 'audit' && f.kind === 'records' && f.records.some((r: any) => r.action === 'cluster.label' && r.target === 'chk-prod' && r.detail.set?.audited === 'yes'), 'the relabel streamed');
    expect(mine.frames.filter((f) => f.topic === 'audit' && f.kind === 'records').flatMap((f) => f.records).every((r: any) => r.actor.name === 'viewer-team=payments')).toBe(true);
    mine.ws.close();
    all.ws.close();
  });

  it('lets a scoped operator relabel within its scope, but move a cluster neither out of it nor in', async () => {
    const within = await fx.api('POST', '/api/v1/clusters/pay-stg/labels', { token: operator, body: { set: { tier: 'bronze' } } });
    expect(within.status).toBe(200);
    const out = await fx.api('POST', '/api/v1/clusters/pay-stg/labels', { token: operator, body: { set: { env: 'prod' } } });
    expect(out.status).toBe(403);
    expect(out.body.error.message).toMatch(/^cluster.label on cluster pay-stg needs the operator role; the cluster is outside the scope/);
    expect((await fx.api('GET', '/api/v1/clusters/pay-stg')).body.row.labels).toEqual({ team: 'payments', env: 'staging', tier: 'bronze' });
    const add = await fx.api('POST', '/api/v1/clusters', { token: operator, body: { name: 'pay-new', labels: { team: 'payments', env: 'prod' } } });
    expect(add.status).toBe(403);
    expect((await fx.api('POST', '/api/v1/clusters', { token: operator, body: { name: 'pay-new', labels: { team: 'payments', env: 'dev' } } })).status).toBe(201);
  });
});
