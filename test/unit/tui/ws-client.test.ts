import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FleetLink, wsUrl } from '../../../tui/ws-client.js';
import { backoffDelay, authRetryDelay, DEFAULT_BACKOFF } from '../../../tui/backoff.js';
import type { Action } from '../../../tui/state/app.js';
import { DETAIL, ROWS } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function link(server: string, extra: { token?: string; deadLinkMs?: number } = {}) {
  const actions: Action[] = [];
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const client = new FleetLink({
    server,
    token: extra.token ?? TOKEN,
    dispatch: (a) => actions.push(a),
    log,
    backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 },
    deadLinkMs: extra.deadLinkMs ?? 35_000,
  });
  cleanups.push(() => client.close());
  client.start();
  const of = <T extends Action['type']>(type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
  return { client, actions, of, logLines };
}

async function daemon(opts?: Parameters<typeof startDaemon>[0]) {
  const d = await startDaemon(opts);
  cleanups.push(() => d.stop());
  return d;
}

describe('wsUrl', () => {
  it('turns the server URL into the /ws endpoint', () => {
    expect(wsUrl('http://127.0.0.1:7420')).toBe('ws://127.0.0.1:7420/ws');
    expect(wsUrl('https://flotilla.example/base/')).toBe('wss://flotilla.example/base/ws');
    expect(() => wsUrl('ftp://x')).toThrow(/not an http\(s\) URL/);
  });
});

describe('backoff', () => {
  it('grows from 0.5 s to a 15 s cap with jitter', () => {
    expect(backoffDelay(1, 0)).toBe(250);
    expect(backoffDelay(1, 0.999)).toBeLessThanOrEqual(500);
    expect(backoffDelay(3, 0.999)).toBeLessThanOrEqual(2000);
    expect(backoffDelay(3, 0)).toBe(1000);
    expect(backoffDelay(30, 0.999)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    expect(backoffDelay(30, 0)).toBe(DEFAULT_BACKOFF.maxMs / 2);
    expect(authRetryDelay(0.5)).toBe(DEFAULT_BACKOFF.authRetryMs);
  });
});

describe('FleetLink', () => {
  it('waits for hello, subscribes the fleet and applies snapshot and patches', async () => {
    const d = await daemon();
    const { of, actions } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    expect(of('conn/open')[0]?.identity).toEqual({ name: 'alice', role: 'operator' });
    expect(d.frames[0]).toMatchObject({ op: 'subscribe', topic: 'fleet' });
    expect(actions.findIndex((a) => a.type === 'conn/open')).toBeLessThan(actions.findIndex((a) => a.type === 'fleet/snapshot'));
    expect(of('fleet/snapshot')[0]?.rows.map((r) => r.name)).toEqual([ROWS[0]!.name, ROWS[1]!.name]);

    d.connections[0]!.send(JSON.stringify({ topic: 'fleet', kind: 'patch', rev: 2, fromRev: 1, changes: [{ op: 'remove', name: ROWS[0]!.name }] }));
    await waitFor('patch', () => of('fleet/patch')[0]);
    expect(of('fleet/patch')[0]).toMatchObject({ rev: 2, fromRev: 1 });
  });

  it('resubscribes for a fresh snapshot when a patch skips a rev', async () => {
    const d = await daemon();
    const { of } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    d.connections[0]!.send(JSON.stringify({ topic: 'fleet', kind: 'patch', rev: 9, fromRev: 8, changes: [] }));
    await waitFor('resubscribe', () => d.frames.filter((f) => f.op === 'subscribe' && f.topic === 'fleet').length === 2);
    expect(d.frames.map((f) => `${f.op}:${f.topic}`)).toEqual(['subscribe:fleet', 'unsubscribe:fleet', 'subscribe:fleet']);
    await waitFor('second snapshot', () => of('fleet/snapshot').length === 2);
    expect(of('fleet/patch')).toHaveLength(0);
  });

  it('subscribes the open cluster and unsubscribes when the view closes', async () => {
    const d = await daemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
        if (topic === 'cluster:prod-us-1') ws.send(JSON.stringify({ topic, kind: 'snapshot', rev: 4, data: DETAIL }));
      },
    });
    const { client, of } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    client.follow(['cluster:prod-us-1']);
    const snap = await waitFor('cluster snapshot', () => of('cluster/snapshot')[0]);
    expect(snap).toMatchObject({ name: 'prod-us-1', rev: 4 });
    expect(snap.data?.nodes).toHaveLength(5);
    client.follow([]);
    await waitFor('unsubscribe', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'cluster:prod-us-1'));
  });

  it('reconnects after the daemon closes the link and resubscribes everything', async () => {
    const d = await daemon();
    const { client, of } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    client.follow(['cluster:dev-1']);
    await waitFor('cluster subscribe', () => d.frames.find((f) => f.topic === 'cluster:dev-1'));
    d.connections[0]!.close(1001, 'going away');
    const lost = await waitFor('lost', () => of('conn/lost')[0]);
    expect(lost.attempt).toBe(2);
    expect(lost.error).toContain('connection closed');
    await waitFor('second connection', () => d.connections.length === 2 && of('conn/open').length === 2);
    await waitFor('resubscribed', () => d.frames.filter((f) => f.op === 'subscribe').length === 4);
    expect(d.frames.filter((f) => f.op === 'subscribe').map((f) => f.topic)).toEqual(['fleet', 'cluster:dev-1', 'fleet', 'cluster:dev-1']);
    await waitFor('fresh snapshot', () => of('fleet/snapshot').length === 2);
  });

  it('sends what was watched before the link came up on hello, and resubscribes only what the table still holds', async () => {
    const d = await daemon();
    const { client, of } = link(d.url);
    client.follow(['jobs', 'cluster:dev-1']);
    await waitFor('subscribed on hello', () => d.frames.filter((f) => f.op === 'subscribe').length === 3);
    expect(d.frames.map((f) => `${f.op}:${f.topic}`)).toEqual(['subscribe:fleet', 'subscribe:jobs', 'subscribe:cluster:dev-1']);
    client.follow(['cluster:dev-1']);
    client.follow(['cluster:dev-1']);
    await waitFor('jobs unsubscribed', () => d.frames.find((f) => f.op === 'unsubscribe'));
    d.connections[0]!.close(1001, 'going away');
    await waitFor('second connection', () => d.connections.length === 2 && of('conn/open').length === 2);
    await waitFor('resubscribed', () => d.frames.filter((f) => f.op === 'subscribe').length === 5);
    expect(d.frames.slice(3).map((f) => `${f.op}:${f.topic}`)).toEqual(['unsubscribe:jobs', 'subscribe:fleet', 'subscribe:cluster:dev-1']);
  });

  it('drops frames of a cluster it no longer follows, and an invalid name unsubscribes the previous one', async () => {
    const d = await daemon({
      onSubscribe: (ws, topic) => {
        if (topic === 'fleet') ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS }));
        if (topic.startsWith('cluster:')) ws.send(JSON.stringify({ topic, kind: 'snapshot', rev: 4, data: null }));
      },
    });
    const { client, of } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    client.follow(['cluster:a']);
    await waitFor('a', () => of('cluster/snapshot').find((x) => x.name === 'a'));
    client.follow(['cluster:b']);
    await waitFor('b', () => of('cluster/snapshot').find((x) => x.name === 'b'));
    d.connections[0]!.send(JSON.stringify({ topic: 'cluster:a', kind: 'snapshot', rev: 5, data: null }));
    d.connections[0]!.send(JSON.stringify({ topic: 'cluster:b', kind: 'snapshot', rev: 6, data: null }));
    await waitFor('b again', () => of('cluster/snapshot').find((x) => x.rev === 6));
    expect(of('cluster/snapshot').map((x) => `${x.name}@${x.rev}`)).toEqual(['a@4', 'b@4', 'b@6']);
    client.follow(['cluster:Not Valid']);
    client.follow(['cluster:Not Valid']);
    await waitFor('b unsubscribed', () => d.frames.find((f) => f.op === 'unsubscribe' && f.topic === 'cluster:b'));
    expect(of('message')).toEqual([expect.objectContaining({ text: '"Not Valid" is not a valid cluster name', level: 'error' })]);
    expect(d.frames.filter((f) => f.op === 'subscribe').map((f) => f.topic)).toEqual(['fleet', 'cluster:a', 'cluster:b']);
  });

  it('keeps retrying while the daemon is down and says so', async () => {
    const d = await daemon();
    const url = d.url;
    await d.stop();
    const { of } = link(url);
    await waitFor('three failures', () => of('conn/lost').length >= 3);
    expect(of('conn/lost').map((a) => a.attempt).slice(0, 3)).toEqual([2, 3, 4]);
    expect(of('conn/lost')[0]?.error).toMatch(/daemon not reachable at ws:\/\/127\.0\.0\.1:\d+\/ws \(ECONNREFUSED\)/);
  });

  it('shows a rejected token with the next step and retries', async () => {
    const d = await daemon();
    const { of } = link(d.url, { token: 'wrong' });
    const lost = await waitFor('rejected', () => of('conn/lost')[0]);
    expect(lost.error).toBe('token rejected — check FLOTILLA_TOKEN, run `flotilla token create`, or sign in again with `flotilla login`');
    await waitFor('retry', () => d.upgrades >= 2);
    expect(of('conn/open')).toHaveLength(0);
  });

  it('records and skips a malformed frame without dropping the link', async () => {
    const d = await daemon();
    const { of, logLines } = link(d.url);
    await waitFor('snapshot', () => of('fleet/snapshot')[0]);
    d.connections[0]!.send('{"topic":"fleet","kind":"snapshot","rev":2,"data":[{"name":""}]}');
    d.connections[0]!.send('not json');
    d.connections[0]!.send(JSON.stringify({ topic: 'fleet', kind: 'patch', rev: 2, fromRev: 1, changes: [] }));
    await waitFor('patch after bad frames', () => of('fleet/patch')[0]);
    expect(logLines.filter((l) => l.includes('frame rejected'))).toHaveLength(2);
    expect(logLines.some((l) => l.includes('not JSON'))).toBe(true);
    expect(of('conn/lost')).toHaveLength(0);
  });

  it('drops a silent link and reconnects', async () => {
    const d = await daemon({ onSubscribe: () => undefined });
    const { of } = link(d.url, { deadLinkMs: 150 });
    await waitFor('open', () => of('conn/open')[0]);
    const lost = await waitFor('dead link', () => of('conn/lost')[0]);
    expect(lost.error).toContain('no answer from the daemon');
    await waitFor('reconnected', () => d.connections.length >= 2);
  });
});
