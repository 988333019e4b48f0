/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// Signing in from a terminal, end to end: a real OpenID provider (oidc-provider) and a real daemon
// whose auth.bindings give the payments on-call group the viewer role on team=payments. `flotilla
// login` runs the device flow (the test approves the code as the user would in a browser) and keeps
// the session 0600; commands and the console in tmux then see the payments clusters only. While the
// console stays open the provider rotates its signing keys and the short-lived ID token is refreshed:
// the console reconnects with the new token (signed by the new key) without a restart and its fleet
// stream keeps following. `flotilla logout` forgets the session. At the end every log file, audit
// record, search result, command output and captured console frame written here is searched for the
// secrets used, and holds none.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DirStore } from '../../core/store/dir.js';
import { makeBatch, makeLines, sealBatch } from '../fixtures/logs/batches.js';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../harness/control-plane.js';
import { FakeAgent } from '../harness/fake-agent.js';
import { startOidcProvider, type OidcProviderService } from '../harness/oidc-provider.js';
import { CLI, assertBuilt, killAll, runCli, startCli, waitUntil, type Proc } from '../harness/proc.js';
import { startTmux, tmuxAvailable, type TmuxSession } from '../harness/tmux.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let provider: OidcProviderService;
let daemon: Proc;
let url: string;
let dataDir: string;
let adminToken: string;
let userEnv: NodeJS.ProcessEnv;
let tmux: TmuxSession | undefined;

/** Everything written that a secret must not reach, and every secret used. */
const written: string[] = [];
const secrets = new Set<string>();
const frames: string[] = [];

const sessionsFile = () => join(userEnv.XDG_STATE_HOME as string, 'flotilla', 'sessions.json');
const storedSession = () => Object.values((JSON.parse(readFileSync(sessionsFile(), 'utf8')) as { sessions: Record<string, any> }).sessions)[0];
function noteSession(): any {
  const s = storedSession();
  secrets.add(s.idToken);
  if (s.refreshToken) secrets.add(s.refreshToken);
  return s;
}

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = await runCli(args, { env });
  written.push(r.stdout, r.stderr);
  return r;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  assertBuilt();
  if (!tmuxAvailable()) throw new Error('tmux is not installed: .ci/run installs it (apt-get install tmux)');
  // A short-lived ID token, so the session is refreshed while the console is open.
  provider = await startOidcProvider({ idTokenTtlSeconds: 20, accounts: { carol: { preferred_username: 'carol', email: 'carol@example.test', groups: ['payments-oncall'] } } });
  dataDir = tempDir('flotilla-e2e-login-');
  const home = isolatedEnv();
  const init = await initControlPlane(dataDir, home);
  adminToken = init.token;
  secrets.add(adminToken);
  const config = parse(readFileSync(init.configPath, 'utf8')) as Record<string, unknown>;
  config.auth = { oidc: { issuer: provider.issuer, clientId: provider.clientId }, bindings: [{ group: 'payments-oncall', role: 'viewer', scope: 'team=payments' }] };
  writeFileSync(init.configPath, stringify(config));
  ({ daemon, url } = await startDaemonProcess(init.configPath, home));

  const store = new DirStore(join(dataDir, 'store'));
  const labels: Record<string, Record<string, string>> = { 'pay-prod': { team: 'payments', env: 'prod' }, 'pay-stg': { team: 'payments', env: 'staging' }, 'chk-prod': { team: 'checkout', env: 'prod' } };
  for (const [name, l] of Object.entries(labels)) {
    const added = await api('POST', '/api/v1/clusters', { name, labels: l });
    expect(added.status).toBe(201);
    secrets.add(added.body.bundle.bootstrapToken);
    const agent = new FakeAgent(added.body.bundle, store);
    await agent.register();
    await agent.report({ nodes: 1 });
    await waitUntil(async () => (await api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
    const records = makeLines(name, 0, 5, { startMs: Date.now() - 60_000, message: (n) => `${name} request ${n} served`, level: 'info' });
    expect((await fetch(`${url}/api/v1/ingest/logs`, { method: 'POST', body: sealBatch(makeBatch(name, records), agent.key) })).status).toBe(200);
  }
  userEnv = { ...isolatedEnv(), FLOTILLA_SERVER: url };
}, 90_000);

afterAll(async () => {
  tmux?.kill();
  await daemon?.stop();
  await provider?.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla login', () => {
  it('signs in with the device flow and keeps the session readable by its owner only', async () => {
    const login = startCli(['login'], { env: userEnv });
    const [, code] = await login.waitFor(/enter the code\n\n {2}(\S+)\n/, 20_000, 'stderr');
    await provider.approveDevice(code as string, 'carol');
    const { code: exit } = await login.exited;
    written.push(login.stdout(), login.stderr());
    expect(exit, login.stderr()).toBe(0);
    expect(login.stderr()).toMatch(/signed in to \S+ as carol \(subject carol\): viewer on team=payments; the session is in /);
    expect(statSync(sessionsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(userEnv.XDG_STATE_HOME as string, 'flotilla')).mode & 0o777).toBe(0o700);
    const session = noteSession();
    expect(session).toMatchObject({ server: url, issuer: provider.issuer, clientId: provider.clientId, subject: 'carol', name: 'carol' });
    expect(session.refreshToken).toEqual(expect.any(String));
  }, 60_000);

  it('sends the signed-in token with every command: the payments clusters and their log lines only', async () => {
    const list = await cli(['cluster', 'list', '--json'], userEnv);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as any[]).map((r) => r.name).sort()).toEqual(['pay-prod', 'pay-stg']);
    const search = await cli(['logs', 'search', 'request', '--json', '--limit', '100'], userEnv);
    expect(search.code, search.stderr).toBe(0);
    expect(new Set((JSON.parse(search.stdout) as any[]).map((h) => h.cluster))).toEqual(new Set(['pay-prod', 'pay-stg']));
    const refused = await cli(['cluster', 'rm', 'pay-stg'], userEnv);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toMatch(/flotilla binding add --group GROUP --role operator/);
  });

  it('keeps the console connected through a key rotation and a refresh, on the new token, without a restart', async () => {
    const cmd = `${shellQuote(process.execPath)} ${shellQuote(CLI)} tui`;
    const env = Object.fromEntries(Object.entries({ ...userEnv, CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8' }).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    tmux = startTmux(`sh -c ${shellQuote(`${cmd}; echo "flotilla exited $?"; sleep 600`)}`, { cols: 120, rows: 30, env });
    const first = await tmux.waitForText(/connected as carol \(viewer\)[\s\S]*pay-stg/, 30_000);
    frames.push(first);
    expect(first).toContain('pay-prod');
    expect(first).not.toContain('chk-prod');

    const before = noteSession();
    const newKid = await provider.rotateKeys();
    expect(decodeProtectedHeader(before.idToken).kid).not.toBe(newKid);
    // The console refreshes a fifth of the token's life before expiry (at ~16 s of 20) and moves to the new token.
    await waitUntil(() => decodeProtectedHeader(storedSession().idToken).kid === newKid, { timeoutMs: 40_000, intervalMs: 250, what: 'the session refreshed with a token of the new key' });
    noteSession();
    const tuiLog = join(userEnv.XDG_STATE_HOME as string, 'flotilla', 'tui.log');
    await waitUntil(() => readFileSync(tuiLog, 'utf8').includes('sign-in refreshed; reconnecting with the new token'), { timeoutMs: 20_000, what: 'the console reconnecting with the refreshed token' });

    // Live on the new connection: a cluster relabelled into the scope appears.
    expect((await api('POST', '/api/v1/clusters/chk-prod/labels', { set: { team: 'payments' } })).status).toBe(200);
    const after = await tmux.waitForText(/chk-prod/, 20_000);
    frames.push(after);
    expect(after).toMatch(/connected as carol \(viewer\)/);
    expect(after).not.toContain('flotilla exited');
    // The old token's expiry passes with the console still on the stream.
    await waitUntil(() => Date.now() > before.expiresAt + 2000, { timeoutMs: 30_000, what: 'the first ID token expired' });
    expect((await api('POST', '/api/v1/clusters/chk-prod/labels', { set: { team: 'checkout' } })).status).toBe(200);
    const gone = await waitUntil(() => {
      const s = tmux!.capture();
      return !s.includes('chk-prod') && s.includes('pay-stg') ? s : undefined;
    }, { timeoutMs: 20_000, what: 'chk-prod leaving the console as it leaves the scope' });
    frames.push(gone);
    expect(gone).not.toContain('flotilla exited');
    tmux.type('q');
    frames.push(await tmux.waitForText('flotilla exited 0', 10_000));
    written.push(readFileSync(tuiLog, 'utf8'));
  }, 150_000);

  it('forgets the session on logout: commands are then refused with the way back in', async () => {
    noteSession();
    const out = await cli(['logout'], userEnv);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^signed out of \S+ \(carol\); its refresh token is revoked at the provider\n$/);
    const refused = await cli(['cluster', 'list'], userEnv);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toMatch(/not signed in to it\nnext: sign in with `flotilla login`/);
    expect((await cli(['logout'], userEnv)).stderr).toMatch(/not signed in to \S+; nothing to do/);
  });

  it('writes none of the secrets it used to a log, the audit, a search result, an output or a console frame', async () => {
    const adminEnv = { ...isolatedEnv(), FLOTILLA_SERVER: url, FLOTILLA_TOKEN: adminToken };
    const audit = await cli(['audit', 'export', '--json'], adminEnv);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/"actor":\{"id":"oidc:carol","name":"carol"\}/);
    const search = await cli(['logs', 'search', 'request', '--json', '--limit', '1000'], adminEnv);
    expect(search.code, search.stderr).toBe(0);
    await daemon.stop();
    const haystacks = [...written, ...frames, readFileSync(join(dataDir, 'daemon.log'), 'utf8'), daemon.stdout(), daemon.stderr()];
    expect(secrets.size).toBeGreaterThanOrEqual(7);
    for (const secret of secrets) {
      for (const text of haystacks) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) in written output`).toBe(false);
    }
  });
});
