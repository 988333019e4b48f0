// A real OpenID provider (oidc-provider 8) on a free loopback port, for the login and token tests:
// device flow, refresh tokens, revocation, and signing keys the tests hold so they can forge tokens
// and rotate keys. It runs in a child process (oidc-provider-child.mjs) so its Koa app, timers and
// console notices stay out of the test process; the child exits when its stdin closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { approveDevice, denyDevice } from './oidc-provider-browser.js';

export interface OidcAccountClaims {
  preferred_username?: string;
  email?: string;
  groups?: unknown;
}

export interface OidcProviderOptions {
  accounts?: Record<string, OidcAccountClaims>;
  idTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
}

export interface OidcProviderService {
  issuer: string;
  /** 'flotilla': a public client (no secret) allowed the device code and refresh token grants. */
  clientId: string;
  /** 'other-app': the same shape, for tokens minted for someone else. */
  otherClientId: string;
  /** The provider's private signing JWKs (RS256, each with kid), the one it signs with first. */
  signingKeys(): Promise<JWK[]>;
  /** Acts as the user at the verification page: enters the code, signs in as the account, consents. */
  approveDevice(userCode: string, account: string): Promise<void>;
  /** Aborts a pending user code at the verification page; the device's poll then gets access_denied. */
  denyDevice(userCode: string): Promise<void>;
  /** A new RS256 key signs from now on; old keys stay in the JWKS unless dropOld. Returns the new kid. */
  rotateKeys(opts?: { dropOld?: boolean }): Promise<string>;
  /** Replaces an account's claims for tokens issued from now on (creating the account if new). */
  setAccount(id: string, claims: OidcAccountClaims): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_OIDC_ACCOUNTS: Record<string, OidcAccountClaims> = {
  alice: { preferred_username: 'alice', email: 'alice@example.test', groups: ['platform-admins'] },
  bob: { preferred_username: 'bob', email: 'bob@example.test', groups: ['team-a'] },
};

const CHILD = fileURLToPath(new URL('./oidc-provider-child.mjs', import.meta.url));

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** Request and answer over the child's IPC channel, failing every call in flight if the child dies. */
function rpc(child: ChildProcess, stderr: () => string) {
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (msg: { id: string; result?: unknown; error?: string }) => {
    const call = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error !== undefined) call?.reject(new Error(`oidc provider: ${msg.error}`));
    else call?.resolve(msg.result);
  });
  child.once('exit', (code, signal) => {
    for (const call of pending.values()) call.reject(new Error(`oidc provider exited (${code ?? signal}): ${stderr()}`));
    pending.clear();
  });
  return <T>(op: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, args });
    });
}

export async function startOidcProvider(opts: OidcProviderOptions = {}): Promise<OidcProviderService> {
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const call = rpc(child, () => output);

  let keys = [await signingKey()];
  const { issuer } = await call<{ issuer: string }>('start', {
    keys,
    accounts: opts.accounts ?? DEFAULT_OIDC_ACCOUNTS,
    clientIds: ['flotilla', 'other-app'],
    idTokenTtlSeconds: opts.idTokenTtlSeconds ?? 300,
    refreshTokenTtlSeconds: opts.refreshTokenTtlSeconds ?? 86_400,
  });

  return {
    issuer,
    clientId: 'flotilla',
    otherClientId: 'other-app',
    async signingKeys() {
      return keys.map((k) => ({ ...k }));
    },
    approveDevice: (userCode, account) => approveDevice(issuer, userCode, account),
    denyDevice: (userCode) => denyDevice(issuer, userCode),
    async rotateKeys(rotation = {}) {
      const key = await signingKey();
      const next = rotation.dropOld ? [key] : [key, ...keys];
      await call('rotate', { keys: next });
      keys = next;
      return key.kid!;
    },
    async setAccount(id, claims) {
      await call('setAccount', { id, claims });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.stdin!.end();
      await exited;
    },
  };
}
