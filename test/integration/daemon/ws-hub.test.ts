/* eslint-disable @typescript-eslint/no-unsafe-return -- frames are checked by assertions, not by types */
// The WebSocket hub over real sockets with topics and a method from the test tree: what no
// production topic exercises yet (a topic above viewer, a dropping topic, a query).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../../core/api.js';
import { silentLogger } from '../../../core/log.js';
import { Authenticator } from '../../../daemon/api/auth.js';
import { Refusals } from '../../../daemon/api/refusals.js';
import { WsHub } from '../../../daemon/api/ws.js';
import { DaemonMetrics } from '../../../daemon/metrics.js';
import { Registry } from '../../../daemon/registry/registry.js';
import { Feed, linesTopic, type LinesEvent } from '../../fixtures/topics.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { connectWs, type WsClient } from './fixture.js';

let registry: Registry;
let server: Server;
let hub: WsHub;
let refusals: Refusals;
let url: string;
let logs: Feed<LinesEvent>;
const ran: { who: Identity; params: unknown }[] = [];
const clients: WsClient[] = [];

beforeEach(async () => {
  registry = Registry.open(join(tempDir('flotilla-ws-hub-'), 'registry.db'));
  logs = new Feed<LinesEvent>();
  ran.length = 0;
  refusals = new Refusals({ audit: registry.audit, log: silentLogger(), windowSeconds: 10, maxSources: 100 });
  hub = new WsHub({
    auth: new Authenticator(registry.tokens),
    audit: registry.audit,
    metrics: new DaemonMetrics(() => ({ healthy: 0, degraded: 0, critical: 0, unreachable: 0, unknown: 0 })),
    log: silentLogger(),
    allowedOrigins: [],
    refusals,
    topics: [linesTopic(logs, { name: 'logs' }), linesTopic(new Feed<LinesEvent>(), { name: 'audit', action: 'token.read' })],
    methods: [{ name: 'job.cancel', action: 'job.cancel', run: async (who, params) => ran.push({ who, params }) }],
  });
  server = createServer();
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.close();
  await hub.close();
  refusals.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  registry.close();
});
afterAll(cleanupTempDirs);

async function client(role: 'viewer' | 'operator' | 'admin'): Promise<{ c: WsClient; tokenId: string }> {
  const t = registry.tokens.create({ role, name: `${role}-1`, expiresAt: null });
  const c = await connectWs(url, t.token);
  clients.push(c);
  await c.waitFrame((f) => f.kind === 'hello');
  return { c, tokenId: t.id };
}

const reply = (c: WsClient, id: number) => c.waitFrame((f) => f.id === id, `reply ${id}`);

describe('WebSocket hub', () => {
  it('refuses a subscription the role may not have with a 403 body and one audit record, and serves it to a role that may', async () => {
    const { c: viewer, tokenId } = await client('viewer');
    viewer.send({ id: 1, op: 'subscribe', topic: 'audit' });
    const denied = await reply(viewer, 1);
    expect(denied.error).toMatchObject({ code: 'forbidden', message: 'token.read needs the admin role; viewer-1 has viewer', details: { action: 'token.read', needs: 'admin', role: 'viewer' } });
    expect(denied.error.next).toContain('flotilla token create --role admin');
    expect(viewer.frames.some((f) => f.topic === 'audit')).toBe(false);
    expect(registry.audit.list(10)).toMatchObject([{ actor: { id: tokenId, name: 'viewer-1' }, action: 'token.read', target: 'audit', allowed: false, detail: { via: 'ws', op: 'subscribe', needs: 'admin' } }]);

    const { c: admin } = await client('admin');
    admin.send({ id: 1, op: 'subscribe', topic: 'audit' });
    expect((await reply(admin, 1)).result).toEqual({ subscribed: 'audit', rev: 0 });
    await admin.waitFrame((f) => f.topic === 'audit' && f.kind === 'snapshot');
    expect(registry.audit.list(10)).toHaveLength(1);
  });

  it('refuses a call before it runs, audits it, and runs it for a role that may', async () => {
    const { c: viewer, tokenId } = await client('viewer');
    viewer.send({ id: 4, op: 'call', method: 'job.cancel', params: { id: 'j1' } });
    expect((await reply(viewer, 4)).error.code).toBe('forbidden');
    expect(ran).toEqual([]);
    expect(registry.audit.list(10)).toMatchObject([{ actor: { id: tokenId }, action: 'job.cancel', target: 'ws', allowed: false, detail: { via: 'ws', method: 'job.cancel' } }]);
    const { c: operator } = await client('operator');
    operator.send({ id: 5, op: 'call', method: 'job.cancel', params: { id: 'j1' } });
    expect((await reply(operator, 5)).result).toBe(1);
    expect(ran).toMatchObject([{ who: { provider: 'token', name: 'operator-1', role: 'operator' }, params: { id: 'j1' } }]);
  });

  it("answers a bad query with the topic's usage error and an unknown topic or method with what is served", async () => {
    const { c } = await client('viewer');
    c.send({ id: 1, op: 'subscribe', topic: 'logs', query: '(' });
    expect((await reply(c, 1)).error).toMatchObject({ code: 'usage', message: 'query ( is not a valid pattern' });
    c.send({ id: 2, op: 'subscribe', topic: 'metrics' });
    expect((await reply(c, 2)).error).toMatchObject({ code: 'not_found', next: 'Subscribe to one of "logs", "audit".' });
    c.send({ id: 3, op: 'call', method: 'job.submit', params: {} });
    expect((await reply(c, 3)).error).toMatchObject({ code: 'not_found', next: 'Call one of job.cancel; everything else is on the REST API under /api/v1.' });
    expect(registry.audit.list(10)).toEqual([]);
  });

  it('drops for a client that cannot keep up and says how many lines it missed, never buffering without bound', async () => {
    const { c } = await client('viewer');
    c.send({ id: 1, op: 'subscribe', topic: 'logs', query: 'x' });
    await reply(c, 1);
    // Sent in one synchronous burst the client cannot read meanwhile: 64 MiB is far more than the
    // socket buffers and the 1 MiB slow-client threshold hold, so most of it must be dropped.
    const line = 'x'.repeat(64 * 1024);
    const total = 1024;
    for (let i = 0; i < total; i += 1) logs.emit((rev) => ({ rev, lines: [line] }));
    const accounted = () => {
      const got = c.frames.filter((f) => f.topic === 'logs' && f.kind === 'lines').reduce((n, f) => n + f.lines.length, 0);
      const dropped = c.frames.filter((f) => f.topic === 'logs' && f.kind === 'dropped').reduce((n, f) => n + f.count, 0);
      return got + dropped === total ? { got, dropped } : undefined;
    };
    const { got, dropped } = await waitUntil(accounted, { what: 'every line delivered or counted as dropped' });
    expect(dropped).toBeGreaterThan(0);
    expect(got).toBeGreaterThan(0);
    // The notice comes after the frames sent before the gap, and nothing follows it (the burst ended).
    expect(c.frames.filter((f) => f.topic === 'logs').at(-1)).toEqual({ topic: 'logs', kind: 'dropped', count: dropped });
  });
});
