/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies and audit records are checked by assertions, not by types */
// What an attacker who reaches the port, or a careless operator, hits — against a real daemon on
// loopback with small caps: unauthenticated floods cost a bounded number of audit records and log
// lines, idle half-sent connections cannot exhaust descriptors or lock out /healthz, incomplete
// requests time out, and malformed input is a 4xx with a next step. Every loop is bounded.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { loadDaemonConfig } from '../../../config/daemon.js';
import type { DaemonConfig } from '../../../config/schemas.js';
import { FlotillaError } from '../../../core/errors.js';
import { createLogger, silentLogger } from '../../../core/log.js';
import { DirStore } from '../../../core/store/dir.js';
import { initControlPlane } from '../../../daemon/init.js';
import { startDaemon, type DaemonHandle } from '../../../daemon/main.js';
import { verifyChain } from '../../../daemon/registry/audit.js';
import { Registry } from '../../../daemon/registry/registry.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

interface Daemon {
  handle: DaemonHandle;
  config: DaemonConfig;
  token: string;
  logFile: string;
  api(method: string, path: string, opts?: { token?: string | null; body?: unknown }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

const running: Daemon[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((d) => d.stop()));
});
afterAll(cleanupTempDirs);

async function start(flags: Record<string, unknown> = {}): Promise<Daemon> {
  const dir = tempDir('flotilla-hostile-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  const config = loadDaemonConfig(init.configPath, { 'store.pollIntervalMs': 100, ...flags }, {});
  const logFile = join(dir, 'daemon.log');
  const handle = await startDaemon(config, { logger: createLogger({ name: 'daemon', file: logFile }) });
  let stopped: Promise<void> | undefined;
  const d: Daemon = {
    handle,
    config,
    token: init.token,
    logFile,
    async api(method, path, opts = {}) {
      const token = opts.token === undefined ? init.token : opts.token;
      const res = await fetch(`${handle.url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    stop: () => (stopped ??= handle.stop()),
  };
  running.push(d);
  return d;
}

/** The audit log as the registry holds it, read after the daemon stopped. */
function auditOf(d: Daemon): any[] {
  const registry = Registry.open(join(d.config.dataDir, 'registry.db'));
  try {
    return registry.audit.list(100_000).reverse();
  } finally {
    registry.close();
  }
}

function logLines(d: Daemon): any[] {
  return readFileSync(d.logFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/** Runs fn for 0..n-1 with at most `width` in flight. */
async function inParallel(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

/** A raw connection from a chosen loopback address; resolves once connected. */
function rawFrom(d: Daemon, localAddress = '127.0.0.1'): Promise<{ socket: Socket; data: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ port: d.handle.port, host: '127.0.0.1', localAddress });
    sockets.push(socket);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (b: Buffer) => (data += b.toString('utf8')));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, data: () => data, closed });
    });
  });
}

/** GET from a chosen loopback address (fetch cannot pick its source address). */
function getFrom(d: Daemon, path: string, localAddress: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.handle.port, path, localAddress, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsFrom(d: Daemon, localAddress: string): Promise<WebSocket> {
  const ws = new WebSocket(`${d.handle.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${d.token}` }, localAddress });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve(ws));
  });
}

async function metric(d: Daemon, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${d.handle.url}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('unauthenticated floods', () => {
  it('are audited and logged once per source and window, with the count in one summary; denials of a known caller stay one by one', async () => {
    // one window for the whole test: its summary is written when the daemon stops
    const d = await start({ 'api.unauthenticated.summaryWindowSeconds': 3600 });
    const viewer = (await d.api('POST', '/api/v1/tokens', { body: { role: 'viewer', name: 'v' } })).body.token as string;
    await inParallel(300, 8, () => d.api('POST', '/api/v1/clusters', { token: null, body: { name: 'x' } }));
    await inParallel(100, 8, () => d.api('POST', '/api/v1/clusters', { token: 'flt_not-a-token', body: { name: 'x' } }));
    await inParallel(50, 8, () => d.api('DELETE', '/api/v1/clusters/x', { token: null }));
    await inParallel(200, 8, () => d.api('GET', '/api/v1/clusters', { token: null }));
    for (let i = 0; i < 3; i += 1) expect((await d.api('POST', '/api/v1/clusters', { token: viewer, body: { name: `v${i}` } })).status).toBe(403);
    await d.stop();

    const audit = auditOf(d);
    expect(verifyChain(audit)).toEqual({ ok: true, count: audit.length });
    const anonymous = audit.filter((a) => a.actor.id === 'anonymous');
    // a sample and a summary per mutating route; GETs are not audited at all
    expect(anonymous.map((a) => [a.action, a.target, a.detail.count ?? 1])).toEqual([
      ['cluster.add', '/api/v1/clusters', 1],
      ['cluster.remove', '/api/v1/clusters/x', 1],
      ['cluster.add', '/api/v1/clusters', 400],
      ['cluster.remove', '/api/v1/clusters/:name', 50],
    ]);
    expect(anonymous[0].detail).toEqual({ reason: 'unauthenticated', method: 'POST', source: '127.0.0.1' });
    expect(anonymous[2].detail).toMatchObject({ reason: 'unauthenticated', method: 'POST', source: '127.0.0.1', count: 400, windowSeconds: 3600 });
    expect(anonymous[2].detail.summary).toMatch(/^400 unauthenticated requests from 127\.0\.0\.1 to POST \/api\/v1\/clusters in 3600 s, first at \S+Z, last at \S+Z$/);
    expect(audit.filter((a) => a.action === 'cluster.add' && a.allowed === false && a.actor.name === 'v')).toHaveLength(3);

    const lines = logLines(d);
    const refused = lines.filter((l) => l.msg === 'request refused: unauthenticated');
    expect(refused.map((l) => `${l.method} ${l.route}`)).toEqual(['POST /api/v1/clusters', 'DELETE /api/v1/clusters/:name', 'GET /api/v1/clusters']);
    const summaries = lines.filter((l) => / unauthenticated requests from /.test(l.msg));
    expect(summaries.map((l) => [l.subject, l.count])).toEqual([
      ['POST /api/v1/clusters', 400],
      ['DELETE /api/v1/clusters/:name', 50],
      ['GET /api/v1/clusters', 200],
    ]);
  });

  it('writes each summary when its window ends, while the daemon runs', async () => {
    const d = await start({ 'api.unauthenticated.summaryWindowSeconds': 1 });
    const summary = await waitUntil(
      async () => {
        await d.api('POST', '/api/v1/clusters', { token: null, body: { name: 'x' } });
        const items = (await d.api('GET', '/api/v1/audit?limit=1000')).body.items as any[];
        return items.find((a) => a.actor.id === 'anonymous' && a.detail.count !== undefined);
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'a summary record' },
    );
    expect(summary).toMatchObject({ action: 'cluster.add', target: '/api/v1/clusters', allowed: false, detail: { reason: 'unauthenticated', source: '127.0.0.1', windowSeconds: 1 } });
    expect(summary.detail.count).toBeGreaterThanOrEqual(2);
  });

  it('logs refused WebSocket upgrades the same way', async () => {
    const d = await start({ 'api.unauthenticated.summaryWindowSeconds': 3600 });
    await inParallel(60, 6, (i) => new Promise<void>((resolve) => {
      const ws = new WebSocket(`${d.handle.url.replace(/^http/, 'ws')}/ws`, { headers: i % 2 ? { origin: 'https://evil.example' } : {} });
      ws.on('error', () => resolve());
    }));
    await d.stop();
    const lines = logLines(d);
    expect(lines.filter((l) => l.msg === 'websocket upgrade refused')).toHaveLength(1);
    expect(lines.find((l) => / refused WebSocket upgrades from /.test(l.msg))).toMatchObject({ subject: 'GET /ws', count: 60, source: '127.0.0.1' });
  });
});

describe('connection caps', () => {
  const caps = { 'api.connections.max': 16, 'api.connections.maxPerSource': 8 };

  it('a flood of idle half-sent requests holds at most maxPerSource connections and /healthz still answers, from the same address too', async () => {
    const d = await start(caps);
    const flood = [];
    for (let i = 0; i < 200; i += 1) {
      const c = await rawFrom(d);
      c.socket.write('POST /api/v1/clusters HTTP/1.1\r\nHost: flotilla\r\nContent-Type: appl');
      flood.push(c);
    }
    let closed = 0;
    for (const c of flood) void c.closed.then(() => (closed += 1));
    // the daemon closed the oldest idle ones as newer ones came: never more than 8 held
    await waitUntil(() => closed >= 200 - 8, { what: 'the excess closed by the daemon' });
    expect((await getFrom(d, '/healthz', '127.0.0.1')).status).toBe(200);
    expect((await getFrom(d, '/healthz', '127.0.0.2')).status).toBe(200);
    expect(await metric(d, /^flotilla_http_connections_shed_total (\d+)$/m)).toBeGreaterThanOrEqual(192);
    expect(await metric(d, /^flotilla_http_connections (\d+)$/m)).toBeLessThanOrEqual(16);
    expect(flood.every((c) => c.data() === '')).toBe(true); // shed silently; none ever ran
    expect(logLines(d).filter((l) => l.msg === 'idle connection closed at the connection cap')).toHaveLength(1);
  });

  it('refuses the excess with a 503 once every connection of a source is busy, and the refused request never runs', async () => {
    const d = await start(caps);
    const held = await Promise.all(Array.from({ length: 8 }, () => wsFrom(d, '127.0.0.2')));
    const refused = await rawFrom(d, '127.0.0.2');
    refused.socket.write(`POST /api/v1/clusters HTTP/1.1\r\nHost: flotilla\r\nAuthorization: Bearer ${d.token}\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{"name":"refused1"}`);
    await refused.closed;
    expect(refused.data()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    const body = JSON.parse(refused.data().split('\r\n\r\n')[1] as string);
    expect(body.error).toEqual({
      code: 'retry',
      message: 'too many open connections from 127.0.0.2 (at most 8)',
      next: 'Close idle connections or retry in a few seconds; the daemon operator can raise api.connections.maxPerSource in daemon.yaml.',
    });
    expect((await getFrom(d, '/healthz', '127.0.0.3')).status).toBe(200);
    expect((await d.api('GET', '/api/v1/clusters')).body.items).toEqual([]);
    expect(await metric(d, /^flotilla_http_connections_refused_total\{reason="source"\} (\d+)$/m)).toBe(1);
    for (const ws of held) ws.close();
  });

  it('refuses at the total cap when every connection is busy, and admits again once one closes', async () => {
    const d = await start(caps);
    const held = [...(await Promise.all(Array.from({ length: 8 }, () => wsFrom(d, '127.0.0.2')))), ...(await Promise.all(Array.from({ length: 8 }, () => wsFrom(d, '127.0.0.3'))))];
    const refused = await rawFrom(d, '127.0.0.4');
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: flotilla\r\n\r\n');
    await refused.closed;
    expect(JSON.parse(refused.data().split('\r\n\r\n')[1] as string).error.message).toBe('the daemon is at its connection limit (16)');
    const one = held.pop() as WebSocket;
    const gone = new Promise((r) => one.once('close', r));
    one.close();
    await gone;
    await waitUntil(async () => (await getFrom(d, '/healthz', '127.0.0.4').catch(() => ({ status: 0 }))).status === 200, { what: '/healthz admitted again' });
    for (const ws of held) ws.close();
  });

  it('closes incomplete requests after the headers and request timeouts: half-sent heads, silent connections, half-sent upgrades, unfinished bodies', async () => {
    const d = await start({ 'api.connections.headersTimeoutMs': 1000, 'api.connections.requestTimeoutMs': 2000 });
    const halfHead = await rawFrom(d);
    halfHead.socket.write('GET /api/v1/clusters HTTP/1.1\r\nHost: flotilla\r\n');
    const silent = await rawFrom(d);
    const halfUpgrade = await rawFrom(d);
    halfUpgrade.socket.write('GET /ws HTTP/1.1\r\nHost: flotilla\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n');
    const halfBody = await rawFrom(d);
    halfBody.socket.write(`POST /api/v1/clusters HTTP/1.1\r\nHost: flotilla\r\nAuthorization: Bearer ${d.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`);
    await Promise.all([halfHead.closed, silent.closed, halfUpgrade.closed, halfBody.closed]);
    expect((await d.api('GET', '/api/v1/clusters')).body.items).toEqual([]);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });
});

describe('connection caps with TLS', () => {
  it('counts connections before the handshake: a flood of silent TCP connections is shed, /healthz answers over HTTPS, and a silent one is closed at the handshake timeout', async () => {
    const dir = tempDir('flotilla-hostile-tls-');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const d = await start({ 'tls.cert': cert, 'tls.key': key, 'api.connections.maxPerSource': 4, 'api.connections.headersTimeoutMs': 1000, 'api.connections.requestTimeoutMs': 2000 });
    const flood = [];
    for (let i = 0; i < 20; i += 1) flood.push(await rawFrom(d));
    let closed = 0;
    for (const c of flood) void c.closed.then(() => (closed += 1));
    await waitUntil(() => closed >= 16, { what: 'the excess closed before any handshake' });
    const ca = readFileSync(cert);
    const healthz = await new Promise<number>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port: d.handle.port, path: '/healthz', ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(healthz).toBe(200);
    await Promise.all(flood.map((c) => c.closed)); // the rest: closed by the handshake timeout
  });
});

describe('malformed input is a 4xx with a next step', () => {
  const nested = (n: number) => `${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}`;
  const applyBody = (depth: number) => `{"cluster":"edge-1","type":"apply","params":{"objects":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"apps"},"data":${nested(depth)}}]}}`;

  it('answers bad paths, durations, fields and nesting with usage errors, stores and signs nothing, and survives a hostile upgrade line', async () => {
    const d = await start();
    expect((await d.api('POST', '/api/v1/clusters', { body: { name: 'edge-1' } })).status).toBe(201);
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/api/v1/clusters/%E0%A4%A', undefined, /^path segment "%E0%A4%A" is not valid percent-encoding$/],
      ['DELETE', '/api/v1/tokens/%zz', undefined, /not valid percent-encoding/],
      ['GET', '/api/v1/jobs/%E0%A4%A', undefined, /not valid percent-encoding/],
      ['POST', '/api/v1/clusters', { name: 'edge-2', ttl: '999999999999d' }, /longer than the longest duration Flotilla takes \(36500d\)/],
      ['POST', '/api/v1/tokens', { role: 'viewer', ttl: '999999999999d' }, /longer than the longest duration/],
      ['POST', '/api/v1/clusters', { name: 'edge-2', lables: { env: 'prod' } }, /^unknown field "lables"$/],
      ['POST', '/api/v1/tokens', { role: 'viewer', scopes: 'env=prod' }, /^unknown field "scopes"$/],
      ['POST', '/api/v1/tokens', { role: 'viewer', scope: 'env=pr od' }, /is not a label value/],
      ['POST', '/api/v1/jobs', applyBody(3000), /^params for apply nest deeper than 100 levels$/],
      ['POST', '/api/v1/jobs', applyBody(6000), /^params for apply nest deeper than 100 levels$/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await d.api(method, path, { body });
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.error.code).toBe('usage');
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.next).toBeTruthy();
    }
    expect((await d.api('GET', '/api/v1/clusters')).body.items.map((c: any) => c.name)).toEqual(['edge-1']);
    expect((await d.api('GET', '/api/v1/jobs')).body.items).toEqual([]);
    expect(await new DirStore(join(d.config.dataDir, 'store')).list('clusters/edge-1/jobs/')).toEqual([]);

    const hostile = await rawFrom(d);
    hostile.socket.write('GET //[ HTTP/1.1\r\nHost: flotilla\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    await hostile.closed;
    expect(hostile.data()).toMatch(/^HTTP\/1\.1 404 /);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });
});

/** An in-process `flotilla` invocation with its output captured and no user config in reach. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = tempDir('flotilla-hostile-home-');
  const out = { stdout: '', stderr: '' };
  const io: Io = { out: (t) => void (out.stdout += t), err: (t) => void (out.stderr += t), env: { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home }, cwd: home };
  return { code: await runCli(argv, io), ...out };
}

async function startError(config: DaemonConfig): Promise<FlotillaError> {
  const e = await startDaemon(config, { logger: silentLogger() }).then(
    async (d) => {
      await d.stop();
      return new Error('the daemon started');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FlotillaError);
  return e as FlotillaError;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('a careless operator', () => {
  it('gets exit 78 naming `chmod 600` for a signing key others can read, directly or through a symlink', async () => {
    const dir = tempDir('flotilla-hostile-');
    const { configPath } = await initControlPlane({ dataDir: dir, port: 0 });
    const key = join(dir, 'keys', 'controlplane.key');
    chmodSync(key, 0o644);
    const res = await cli(['daemon', '--config', configPath]);
    expect(res.code).toBe(78);
    expect(res.stderr).toBe(`error: signing key ${key} can be read by other users (mode 0644)\nnext: Run \`chmod 600 ${key}\` and start again; if someone else may have read it, treat the key as exposed.\n`);

    const link = join(dir, 'keys', 'link.key');
    symlinkSync(key, link);
    const viaLink = await startError(loadDaemonConfig(configPath, { 'keys.signingKey': link }, {}));
    expect(viaLink.message).toBe(`signing key ${link} (a link to ${key}) can be read by other users (mode 0644)`);
    expect(viaLink.next).toMatch(new RegExp(`^Run \`chmod 600 ${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
    chmodSync(key, 0o600);
    const d = await startDaemon(loadDaemonConfig(configPath, { 'keys.signingKey': link }, {}), { logger: silentLogger() });
    await d.stop();
  });

  it('is refused a store that does not exist or that no control plane uses, unless store.create says to start one', async () => {
    const dir = tempDir('flotilla-hostile-');
    const { configPath } = await initControlPlane({ dataDir: dir, port: 0 });
    const typo = join(dir, 'stor');
    const missing = await startError(loadDaemonConfig(configPath, { 'store.path': typo }, {}));
    expect(missing.exitCode).toBe(78);
    expect(missing.message).toBe(`store directory ${typo} does not exist`);
    expect(missing.next).toMatch(/a typo\? an NFS share that is not mounted\?.*set store\.create: true/);
    expect(existsSync(typo)).toBe(false);

    const unmounted = join(dir, 'mnt');
    mkdirSync(unmounted);
    const empty = await startError(loadDaemonConfig(configPath, { 'store.path': unmounted }, {}));
    expect(empty.message).toBe(`store ${unmounted} has no controlplane/public-key.json: no control plane uses it (it was not made by \`flotilla init\`)`);
    expect(empty.next).toMatch(/^Mount the share if it is not mounted, or fix store\.path in daemon\.yaml; or set store\.create: true/);

    // the store `flotilla init` made, once its marker is gone, is refused the same way from the command line
    rmSync(join(dir, 'store', 'controlplane'), { recursive: true });
    const res = await cli(['daemon', '--config', configPath]);
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(/has no controlplane\/public-key\.json/);

    for (const path of [typo, unmounted]) {
      const d = await startDaemon(loadDaemonConfig(configPath, { 'store.path': path, 'store.create': true }, {}), { logger: silentLogger() });
      await d.stop();
      expect(existsSync(join(path, 'controlplane', 'public-key.json'))).toBe(true);
    }
  });

  it('gets a private data directory, registry and log: 0700 and 0600 even under umask 000', async () => {
    const dir = tempDir('flotilla-hostile-');
    const { configPath } = await initControlPlane({ dataDir: join(dir, 'cp'), port: 0 });
    const fresh = join(dir, 'new-data');
    const previous = process.umask(0);
    try {
      const d = await startDaemon(loadDaemonConfig(configPath, { dataDir: fresh }, {}));
      await d.stop();
    } finally {
      process.umask(previous);
    }
    expect(mode(fresh)).toBe(0o700);
    expect(mode(join(fresh, 'registry.db'))).toBe(0o600);
    expect(mode(join(fresh, 'daemon.log'))).toBe(0o600);
    expect(mode(join(dir, 'cp'))).toBe(0o700);
    expect(mode(join(dir, 'cp', 'registry.db'))).toBe(0o600);
  });

  it('gets config errors with a next step, never a stack, for an empty file and a YAML alias bomb', async () => {
    const dir = tempDir('flotilla-hostile-');
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    const none = await cli(['daemon', '--config', empty]);
    expect(none.code).toBe(78);
    expect(none.stderr).toBe(`error: ${empty}: the file is empty\nnext: Write a complete one with \`flotilla init --data DIR\` (config, signing key, registry and store), or copy config/examples/daemon.yaml and edit it.\n`);

    const bomb = join(dir, 'bomb.yaml');
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)];
    writeFileSync(bomb, `${rows.join('\n')}\n`);
    const boom = await cli(['daemon', '--config', bomb]);
    expect(boom.code).toBe(78);
    expect(boom.stderr).toMatch(/^error: \S+bomb\.yaml: YAML aliases expand too far/);
    expect(boom.stderr).not.toMatch(/\n\s+at /);
  });

  it('gets usage errors and --json error objects from the CLI against a running daemon', async () => {
    const d = await start();
    const ttl = await cli(['cluster', 'add', 'edge-1', '--ttl', '999999999999d', '--out', '-', '--server', d.handle.url, '--token', d.token]);
    expect(ttl.code).toBe(64);
    expect(ttl.stderr).toMatch(/longer than the longest duration Flotilla takes \(36500d\)/);
    const denied = await cli(['cluster', 'list', '--json', '--server', d.handle.url, '--token', 'flt_not-a-token']);
    expect(denied.code).toBe(77);
    expect(JSON.parse(denied.stdout)).toEqual({ error: { code: 'unauthenticated', message: 'unknown token', next: expect.stringMatching(/flotilla token create/) as unknown } });
    expect(denied.stderr).toMatch(/^error: unknown token\n/);
  });
});
