/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and frames are checked by assertions, not by types */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../config/schemas.js';
import { WS_LIMITS } from '../../../core/protocol.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
afterEach(async () => {
  await fx.daemon.stop();
});
afterAll(cleanupTempDirs);

async function token(role: string): Promise<{ id: string; token: string }> {
  const r = await fx.api('POST', '/api/v1/tokens', { body: { role, name: `${role}-1` } });
  expect(r.status).toBe(201);
  return r.body;
}

describe('daemon REST', () => {
  beforeEach(async () => {
    fx = await startFixture();
  });

  it('serves /healthz without a token and refuses the API without one', async () => {
    expect((await fx.api('GET', '/healthz', { token: null })).body.status).toBe('ok');
    const r = await fx.api('GET', '/api/v1/clusters', { token: null });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'unauthenticated' });
    expect(r.body.error.next).toBeTruthy();
    expect((await fx.api('GET', '/api/v1/clusters', { token: 'flt_nope' })).status).toBe(401);
  });

  it('adds a cluster and returns a valid bundle with an absolute store path', async () => {
    const r = await fx.api('POST', '/api/v1/clusters', { body: { name: 'edge-1', labels: { env: 'prod' }, ttl: '1h', intervalSeconds: 5 } });
    expect(r.status).toBe(201);
    expect(AgentConfigSchema.safeParse(r.body.bundle).success).toBe(true);
    expect(r.body.bundle).toMatchObject({ cluster: 'edge-1', store: fx.config.store, status: { intervalSeconds: 5 }, server: fx.daemon.url });
    expect(r.body.cluster).toMatchObject({ name: 'edge-1', labels: { env: 'prod' }, registration: 'pending', health: 'unknown', reasons: ['agent not registered'] });
    expect(r.body.cluster.expiresAt).toBeTruthy();
    expect((await fx.api('POST', '/api/v1/clusters', { body: { name: 'edge-1' } })).status).toBe(409);
    expect((await fx.api('POST', '/api/v1/clusters', { body: '{not json' })).body.error.code).toBe('usage');
    expect((await fx.api('POST', '/api/v1/clusters', { body: { name: 'Bad Name' } })).status).toBe(400);
    expect((await fx.api('DELETE', '/api/v1/clusters/edge-1')).body).toEqual({ removed: 'edge-1' });
    expect((await fx.api('GET', '/api/v1/clusters/edge-1')).status).toBe(404);
  });

  it('enforces roles, audits allowed and denied mutations, and drops revoked tokens', async () => {
    const viewer = await token('viewer');
    const operator = await token('operator');
    expect((await fx.api('GET', '/api/v1/clusters', { token: viewer.token })).status).toBe(200);
    const denied = await fx.api('POST', '/api/v1/clusters', { token: viewer.token, body: { name: 'x1' } });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toEqual({
      code: 'forbidden',
      message: 'cluster.add needs the operator role; viewer-1 has viewer',
      next: 'Ask an admin for a token with the operator role (`flotilla token create --role operator`).',
      details: { action: 'cluster.add', needs: 'operator', role: 'viewer' },
    });
    expect((await fx.api('POST', '/api/v1/clusters', { token: operator.token, body: { name: 'x1' } })).status).toBe(201);
    // A denied read is audited too, once.
    expect((await fx.api('GET', '/api/v1/tokens', { token: operator.token })).body.error.details).toEqual({ action: 'token.read', needs: 'admin', role: 'operator' });
    // The operator reads the audit of its own actions only: its cluster add and the refused read.
    const own = (await fx.api('GET', '/api/v1/audit', { token: operator.token })).body.items as any[];
    expect(own.map((a) => [a.action, a.allowed])).toEqual([['token.read', false], ['cluster.add', true]]);
    expect(own.every((a) => a.actor.id === operator.id)).toBe(true);
    expect((await fx.api('POST', '/api/v1/clusters', { token: null, body: { name: 'x2' } })).status).toBe(401);

    expect((await fx.api('DELETE', `/api/v1/tokens/${viewer.id}`)).body).toEqual({ revoked: viewer.id });
    expect((await fx.api('GET', '/api/v1/clusters', { token: viewer.token })).status).toBe(401);
    expect((await fx.api('DELETE', `/api/v1/tokens/${viewer.id}`)).status).toBe(404);

    const audit = (await fx.api('GET', '/api/v1/audit')).body.items as any[];
    const adds = audit.filter((a) => a.action === 'cluster.add');
    expect(adds.filter((a) => a.allowed === false && a.actor.id === viewer.id)).toMatchObject([{ target: '/api/v1/clusters', detail: { method: 'POST', reason: 'role viewer is below operator', needs: 'operator' } }]);
    expect(audit.filter((a) => a.action === 'token.read')).toMatchObject([{ allowed: false, actor: { id: operator.id, name: 'operator-1' }, target: '/api/v1/tokens', detail: { method: 'GET', needs: 'admin' } }]);
    expect(adds.find((a) => a.allowed === true && a.actor.id === operator.id && a.target === 'x1')).toBeTruthy();
    expect(adds.find((a) => a.allowed === false && a.actor.id === 'anonymous')).toBeTruthy();
    expect(audit.find((a) => a.action === 'token.revoke' && a.target === viewer.id && a.allowed)).toBeTruthy();
    const tokens = (await fx.api('GET', '/api/v1/tokens')).body.items;
    expect(tokens.find((t: any) => t.id === viewer.id).revokedAt).toBeTruthy();
    expect(JSON.stringify(tokens)).not.toContain(operator.token);
    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/flotilla_http_requests_total\{method="POST",route="\/api\/v1\/clusters",status="403"\} 1/);
    expect(metrics).toMatch(/flotilla_clusters\{health="unknown"\} 1/);
  });
});

describe('daemon WebSocket', () => {
  beforeEach(async () => {
    fx = await startFixture({ 'status.unreachableAfterIntervals': 1, 'api.allowedOrigins': ['https://console.example'] });
  });

  it('refuses a bad token and a foreign Origin before the upgrade', async () => {
    await expect(connectWs(fx.daemon.url, null)).rejects.toThrow(/401/);
    await expect(connectWs(fx.daemon.url, 'flt_bad')).rejects.toThrow(/401/);
    await expect(connectWs(fx.daemon.url, fx.adminToken, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const ok = await connectWs(fx.daemon.url, fx.adminToken, { origin: 'https://console.example' });
    await ok.waitFrame((f) => f.kind === 'hello');
    ok.ws.close();
  });

  it('sends hello, a fleet snapshot, patches, and an unreachable patch when an agent goes silent', async () => {
    const c = await connectWs(fx.daemon.url, fx.adminToken);
    const hello = await c.waitFrame((f) => f.kind === 'hello');
    expect(hello.identity.role).toBe('admin');
    c.send({ id: 1, op: 'subscribe', topic: 'fleet' });
    const snap = await c.waitFrame((f) => f.topic === 'fleet' && f.kind === 'snapshot');
    expect(snap.data).toEqual([]);
    await c.waitFrame((f) => f.id === 1 && f.result);

    const agent = new FakeAgent(await fx.addCluster('quiet', { intervalSeconds: 1 }), fx.store);
    await agent.register();
    await agent.report({ intervalSeconds: 1 });
    await c.waitFrame((f) => f.kind === 'patch' && f.changes.some((ch: any) => ch.row?.health === 'healthy'), 'healthy patch');
    const down = await c.waitFrame((f) => f.kind === 'patch' && f.changes.some((ch: any) => ch.row?.health === 'unreachable'), 'unreachable patch');
    expect(down.changes[0].row.reasons[0]).toMatch(/^no report for \d+s$/);

    // Patches chain: each one's fromRev is the previous frame's rev.
    const fleet = c.frames.filter((f) => f.topic === 'fleet');
    for (let i = 1; i < fleet.length; i += 1) expect(fleet[i].fromRev).toBe(fleet[i - 1].rev);
    await fx.api('DELETE', '/api/v1/clusters/quiet');
    await c.waitFrame((f) => f.kind === 'patch' && f.changes.some((ch: any) => ch.op === 'remove' && ch.name === 'quiet'), 'remove patch');
    c.ws.close();
  });

  it('serves cluster:<name> snapshots and answers unknown topics and calls with not_found', async () => {
    const c = await connectWs(fx.daemon.url, fx.adminToken);
    c.send({ id: 1, op: 'subscribe', topic: 'cluster:nosuch' });
    expect((await c.waitFrame((f) => f.topic === 'cluster:nosuch')).data).toBeNull();
    const agent = new FakeAgent(await fx.addCluster('detail'), fx.store);
    c.send({ id: 2, op: 'subscribe', topic: 'cluster:detail' });
    await c.waitFrame((f) => f.topic === 'cluster:detail' && f.data?.row.registration === 'pending');
    await agent.register();
    await agent.report({ nodes: 4, notReady: 3 });
    const snap = await c.waitFrame((f) => f.topic === 'cluster:detail' && f.data?.row.health === 'critical', 'critical snapshot');
    expect(snap.data.nodes).toHaveLength(4);
    // Every topic the protocol names is served now: a name outside it is a usage error.
    c.send({ id: 3, op: 'subscribe', topic: 'nosuch' });
    expect((await c.waitFrame((f) => f.id === 3)).error.code).toBe('usage');
    c.send({ id: 4, op: 'call', method: 'cluster.nosuch', params: {} });
    expect((await c.waitFrame((f) => f.id === 4)).error.code).toBe('not_found');
    c.send({ id: 5, op: 'ping' });
    expect((await c.waitFrame((f) => f.id === 5)).result.pong).toBeTruthy();
    c.ws.close();
  });

  it('answers garbage frames with usage errors and closes after too many', async () => {
    const c = await connectWs(fx.daemon.url, fx.adminToken);
    c.send('not json');
    expect((await c.waitFrame((f) => f.error)).error.code).toBe('usage');
    c.send({ id: 7, op: 'explode' });
    expect((await c.waitFrame((f) => f.id === 7)).error.code).toBe('usage');
    for (let i = 0; i < WS_LIMITS.maxBadFrames; i += 1) c.send('{');
    expect((await c.closed).code).toBe(1008);
  });

  it('closes a connection that sends an oversize frame', async () => {
    const c = await connectWs(fx.daemon.url, fx.adminToken);
    c.send(JSON.stringify({ id: 1, op: 'subscribe', topic: 'fleet', query: 'x'.repeat(WS_LIMITS.maxFrameBytes) }));
    expect((await c.closed).code).toBe(1009);
    expect((await fx.api('GET', '/healthz')).status).toBe(200);
  });

  it('closes the sockets of a revoked token and says goodbye with 1001 on stop', async () => {
    const t = await token('viewer');
    const v = await connectWs(fx.daemon.url, t.token);
    await v.waitFrame((f) => f.kind === 'hello');
    await fx.api('DELETE', `/api/v1/tokens/${t.id}`);
    expect((await v.closed).code).toBe(1008);
    const a = await connectWs(fx.daemon.url, fx.adminToken);
    await a.waitFrame((f) => f.kind === 'hello');
    await fx.daemon.stop();
    expect((await a.closed).code).toBe(1001);
  });
});
