// The sign-in library against a real OpenID provider: device login, the stored session, refresh
// through key rotation, and refused refresh tokens. ID tokens live 5 s so refreshes come quickly; the
// tests wait for outcomes, never for times.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discover, refresh, revoke, startDeviceLogin, waitForDeviceLogin, type OidcConfig, type TokenSet } from '../../../cli/login/oidc-client.js';
import { readSession, sessionFromTokens, sessionsPath, writeSession } from '../../../cli/login/session-store.js';
import { SessionTokenSource } from '../../../cli/login/token-source.js';
import { FlotillaError } from '../../../core/errors.js';
import { startOidcProvider, type OidcProviderService } from '../../harness/oidc-provider.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { rejection } from '../../harness/errors.js';

const SERVER = 'http://127.0.0.1:7420';
const OUTCOME = { timeout: 30_000, interval: 200 };

let op: OidcProviderService;
let config: OidcConfig;

const envIn = () => {
  const dir = tempDir('flotilla-login-');
  return { XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
};

async function login(account: string): Promise<TokenSet> {
  const device = await startDeviceLogin(config);
  const [tokens] = await Promise.all([waitForDeviceLogin(config, device.handle), op.approveDevice(device.userCode, account)]);
  return tokens;
}

async function signedIn(account: string): Promise<NodeJS.ProcessEnv> {
  const env = envIn();
  await writeSession(env, sessionFromTokens(SERVER, op.issuer, op.clientId, await login(account)));
  return env;
}

beforeAll(async () => {
  op = await startOidcProvider({ idTokenTtlSeconds: 5 });
  config = await discover(op.issuer, op.clientId);
});
afterAll(async () => {
  await op?.stop();
  cleanupTempDirs();
});

describe('login library against oidc-provider', () => {
  it('signs in with the device flow and stores the session 0600', async () => {
    const device = await startDeviceLogin(config);
    expect(device.verificationUri).toBe(`${op.issuer}/device`);
    expect(device.verificationUriComplete).toContain(encodeURIComponent(device.userCode));
    const [tokens] = await Promise.all([waitForDeviceLogin(config, device.handle), op.approveDevice(device.userCode, 'alice')]);
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const { payload } = await jwtVerify(tokens.idToken, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer, audience: op.clientId });
    expect(tokens.expiresAt).toBe(payload.exp! * 1000);
    expect(payload.groups).toEqual(['platform-admins']);

    const env = envIn();
    await writeSession(env, sessionFromTokens(SERVER, op.issuer, op.clientId, tokens));
    expect(statSync(sessionsPath(env)).mode & 0o777).toBe(0o600);
    expect(await readSession(env, SERVER)).toMatchObject({ server: SERVER, issuer: op.issuer, clientId: op.clientId, subject: 'alice', name: 'alice', idToken: tokens.idToken });
  });

  it('refreshes an about-to-expire session, and after a key rotation hands the watcher a token with the new kid', async () => {
    const env = await signedIn('bob');
    const first = (await readSession(env, SERVER))!;
    const source = new SessionTokenSource(env, SERVER);
    await vi.waitFor(async () => expect(await source.token()).not.toBe(first.idToken), OUTCOME);
    const second = (await readSession(env, SERVER))!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.name).toBe('bob');

    const newKid = await op.rotateKeys();
    let delivered: string | undefined;
    const stop = new SessionTokenSource(env, SERVER).watch((token) => (delivered = token));
    try {
      await vi.waitFor(() => expect(delivered).toBeDefined(), OUTCOME);
    } finally {
      stop();
    }
    expect(decodeProtectedHeader(delivered!).kid).toBe(newKid);
    expect((await readSession(env, SERVER))!.idToken).toBe(delivered);
  });

  it('lets two processes due at once refresh only once, so the rotated refresh token stays good', async () => {
    const env = await signedIn('alice');
    const first = (await readSession(env, SERVER))!;
    const [a, b] = [new SessionTokenSource(env, SERVER), new SessionTokenSource(env, SERVER)];
    // both in the refresh window (the last fifth of 5 s) at the same moment
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(first.expiresAt - 500), OUTCOME);
    const [x, y] = await Promise.all([a.token(), b.token()]);
    expect(x).toBe(y);
    expect(x).not.toBe(first.idToken);
    // had both sent the first refresh token, the provider would have revoked the grant
    const latest = (await readSession(env, SERVER))!;
    expect((await refresh(config, latest.refreshToken!)).idToken).toEqual(expect.any(String));
  });

  it('calls a revoked or unknown refresh token unauthenticated, at refresh and from the token source', async () => {
    const env = await signedIn('alice');
    const session = (await readSession(env, SERVER))!;
    expect(await revoke(config, session.refreshToken!)).toBe(true);
    const revoked = await rejection(refresh(config, session.refreshToken!));
    expect(revoked.kind).toBe('unauthenticated');
    expect(revoked.next).toContain('flotilla login');
    expect((await rejection(refresh(config, 'not-a-refresh-token'))).kind).toBe('unauthenticated');

    const source = new SessionTokenSource(env, SERVER);
    const failure = await vi.waitFor(async () => {
      const e = await source.token().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(FlotillaError);
      return e as FlotillaError;
    }, OUTCOME);
    expect(failure.kind).toBe('unauthenticated');
  });

  it('reports a denied sign-in as unauthenticated with a next step', async () => {
    const device = await startDeviceLogin(config);
    const [denied] = await Promise.all([rejection(waitForDeviceLogin(config, device.handle)), op.denyDevice(device.userCode)]);
    expect(denied.kind).toBe('unauthenticated');
    expect(denied.message).toMatch(/denied/);
    expect(denied.next).toContain('flotilla login');
  });

  it('stops waiting when the caller aborts, with the abort reason', async () => {
    const device = await startDeviceLogin(config);
    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    const waiting = waitForDeviceLogin(config, device.handle, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(reason);
    expect(await waiting).toBe(reason);
  });
});
