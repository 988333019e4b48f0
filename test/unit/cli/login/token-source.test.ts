import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { TokenSet } from '../../../../cli/login/oidc-client.js';
import { readSession, writeSession, type Session } from '../../../../cli/login/session-store.js';
import { SessionTokenSource, type SessionRefresher } from '../../../../cli/login/token-source.js';
import { FlotillaError } from '../../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { fakeIdToken } from './fake-id-token.js';
import { rejection } from '../../../harness/errors.js';

afterAll(cleanupTempDirs);
afterEach(() => {
  vi.useRealTimers();
});

// Taken before any test fakes timers: a real pause lets file I/O finish between fake-clock steps.
const realSetTimeout = globalThis.setTimeout;
const realPause = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Moves the fake clock on in small steps, letting real I/O run between them, until `done`. */
async function advanceUntil(done: () => boolean, maxMs: number, stepMs = 100): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
    await realPause(5);
  }
  if (!done()) throw new Error(`not done after ${maxMs} ms of fake time`);
}

const SERVER = 'https://flotilla.example.test';
const envIn = () => {
  const dir = tempDir();
  return { XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
};
const stateDir = (env: { XDG_STATE_HOME: string }) => join(env.XDG_STATE_HOME, 'flotilla');

/** Stores a session whose ID token was issued at `iatMs` and lives `ttlMs`. */
async function seed(env: NodeJS.ProcessEnv, iatMs: number, ttlMs: number, over: Partial<Session> = {}): Promise<Session> {
  const s: Session = {
    server: SERVER,
    issuer: 'https://op.example.test',
    clientId: 'flotilla',
    idToken: fakeIdToken({ sub: 'alice', iat: iatMs / 1000, exp: (iatMs + ttlMs) / 1000, n: 0 }),
    refreshToken: 'rt-0',
    expiresAt: iatMs + ttlMs,
    subject: 'alice',
    name: 'alice',
    ...over,
  };
  await writeSession(env, s);
  return s;
}

/** A provider that hands out token n+1 and refresh token rt-(n+1) for each refresh, rotating. */
function fakeOidc(now: () => number, ttlMs: number, opts: { fail?: FlotillaError; gate?: Promise<void> } = {}) {
  const used: string[] = [];
  const at: number[] = [];
  let n = 0;
  const oidc: SessionRefresher = {
    async refresh(session): Promise<TokenSet> {
      used.push(session.refreshToken);
      at.push(now());
      await opts.gate;
      if (opts.fail) throw opts.fail;
      n += 1;
      const iat = now();
      return { idToken: fakeIdToken({ sub: 'alice', preferred_username: 'alice', iat: iat / 1000, exp: (iat + ttlMs) / 1000, n }), refreshToken: `rt-${n}`, expiresAt: iat + ttlMs };
    },
  };
  return { oidc, used, at };
}

const claim = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { n: number }).n;

describe('SessionTokenSource.token', () => {
  it('returns the stored token until the last fifth of a short lifetime, then refreshes', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000); // window: 2 s
    const { oidc, used } = fakeOidc(() => clock, 10_000);
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc });
    clock += 7_900;
    expect(claim(await source.token())).toBe(0);
    expect(used).toEqual([]);
    clock += 200;
    expect(claim(await source.token())).toBe(1);
    expect(used).toEqual(['rt-0']);
    const stored = await readSession(env, SERVER);
    expect(stored).toMatchObject({ refreshToken: 'rt-1', expiresAt: clock + 10_000, name: 'alice' });
  });

  it('refreshes at most 60 s before expiry for a long-lived token', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 3_600_000);
    const { oidc, used } = fakeOidc(() => clock, 3_600_000);
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc });
    clock += 3_600_000 - 61_000;
    await source.token();
    expect(used).toEqual([]);
    clock += 2_000;
    await source.token();
    expect(used).toEqual(['rt-0']);
  });

  it('takes refreshBeforeMs when given', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const { oidc, used } = fakeOidc(() => clock, 10_000);
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc, refreshBeforeMs: 5_000 });
    clock += 5_100;
    await source.token();
    expect(used).toEqual(['rt-0']);
  });

  it('uses the token another process already refreshed instead of refreshing again', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const a = fakeOidc(() => clock, 10_000);
    const b = fakeOidc(() => clock, 10_000);
    const first = new SessionTokenSource(env, SERVER, { now: () => clock, oidc: a.oidc });
    const second = new SessionTokenSource(env, SERVER, { now: () => clock, oidc: b.oidc });
    clock += 9_000;
    const [x, y] = await Promise.all([first.token(), second.token()]);
    expect(x).toBe(y);
    expect([...a.used, ...b.used]).toEqual(['rt-0']);
    // the next refresh, by either, goes out with the rotated token
    clock += 10_000;
    await second.token();
    expect([...a.used, ...b.used]).toEqual(['rt-0', 'rt-1']);
  });

  it('waits for a lock another process holds, and refreshes after it is released', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const { oidc, used } = fakeOidc(() => clock, 10_000);
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc });
    clock += 9_000;
    // the other process holds the lock while its provider is slow to answer
    const gate = deferred();
    const holder = new SessionTokenSource(env, SERVER, { now: () => clock, oidc: fakeOidc(() => clock, 10_000, { gate: gate.promise }).oidc });
    const held = holder.token();
    await vi.waitFor(() => expect(readdirSync(stateDir(env)).filter((f) => f.startsWith('refresh-'))).toHaveLength(1));
    const waiting = source.token();
    await new Promise((r) => setTimeout(r, 200));
    expect(used).toEqual([]);
    gate.resolve();
    expect(claim(await held)).toBe(1);
    expect(claim(await waiting)).toBe(1);
    expect(used).toEqual([]); // the holder's refresh was fresh when the waiter got the lock
    expect(readdirSync(stateDir(env)).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('takes over a lock left by a process that died', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const gate = deferred();
    const holder = new SessionTokenSource(env, SERVER, { now: () => clock, oidc: fakeOidc(() => clock, 10_000, { gate: gate.promise }).oidc });
    clock += 9_000;
    const abandoned = holder.token();
    await vi.waitFor(() => expect(readdirSync(stateDir(env)).filter((f) => f.startsWith('refresh-'))).toHaveLength(1));
    const lockName = readdirSync(stateDir(env)).find((f) => f.startsWith('refresh-'))!;
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(stateDir(env), lockName), past, past);
    const { oidc, used } = fakeOidc(() => clock, 10_000);
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc, lock: { staleMs: 30_000, pollMs: 10 } });
    expect(claim(await source.token())).toBe(1);
    expect(used).toEqual(['rt-0']);
    gate.resolve();
    await abandoned;
  });

  it('asks for a login when there is no session for the server', async () => {
    const env = envIn();
    const e = await rejection(new SessionTokenSource(env, SERVER, { oidc: fakeOidc(Date.now, 1).oidc }).token());
    expect(e.kind).toBe('unauthenticated');
    expect(e.next).toBe(`Run \`flotilla login --server ${SERVER}\`.`);
  });

  it('without a refresh token, serves the token until it expires, then asks for a login', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000, { refreshToken: undefined });
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc: fakeOidc(() => clock, 1).oidc });
    clock += 9_000;
    expect(claim(await source.token())).toBe(0);
    clock += 1_000;
    const e = await rejection(source.token());
    expect(e.kind).toBe('unauthenticated');
    expect(e.next).toContain('flotilla login');
  });

  it('after a refused refresh, serves the token while it lasts, then fails, never resending the refused token', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const refused = new FlotillaError('unauthenticated', 'the sign-in has expired or was revoked', 'Run `flotilla login` again.');
    const { oidc, used } = fakeOidc(() => clock, 10_000, { fail: refused });
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc });
    clock += 9_000;
    expect(claim(await source.token())).toBe(0);
    clock += 1_000;
    expect(await rejection(source.token())).toBe(refused);
    expect(used).toEqual(['rt-0']);
  });

  it('rides out an unreachable provider while the token lasts', async () => {
    const env = envIn();
    let clock = 1_000_000;
    await seed(env, clock, 10_000);
    const down = new FlotillaError('unavailable', 'cannot reach the OpenID provider', 'Check the network.');
    const { oidc, used } = fakeOidc(() => clock, 10_000, { fail: down });
    const source = new SessionTokenSource(env, SERVER, { now: () => clock, oidc });
    clock += 9_000;
    expect(claim(await source.token())).toBe(0);
    clock += 1_000;
    expect((await rejection(source.token())).kind).toBe('unavailable');
    expect(used).toEqual(['rt-0', 'rt-0']); // unlike a refusal, worth trying again
  });
});

describe('SessionTokenSource.watch', () => {
  it('refreshes on a timer inside the window before expiry and hands over each new token until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const env = envIn();
    const first = await seed(env, Date.now(), 10_000);
    const { oidc, used, at } = fakeOidc(() => Date.now(), 10_000);
    const seen: number[] = [];
    const stop = new SessionTokenSource(env, SERVER, { oidc }).watch((token) => seen.push(claim(token)));
    await advanceUntil(() => seen.length === 1, 20_000);
    expect(at[0]).toBeGreaterThanOrEqual(first.expiresAt - 2_000);
    expect(at[0]).toBeLessThan(first.expiresAt);
    const second = (await readSession(env, SERVER))!;
    await advanceUntil(() => seen.length === 2, 20_000);
    expect(at[1]).toBeGreaterThanOrEqual(second.expiresAt - 2_000);
    expect(at[1]).toBeLessThan(second.expiresAt);
    expect(seen).toEqual([1, 2]);
    expect(used).toEqual(['rt-0', 'rt-1']);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual([1, 2]);
  });

  it('hands over a token another process refreshed, without refreshing itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const env = envIn();
    const start = Date.now();
    await seed(env, start, 10_000);
    const { oidc, used } = fakeOidc(() => Date.now(), 10_000);
    const seen: number[] = [];
    const stop = new SessionTokenSource(env, SERVER, { oidc }).watch((token) => seen.push(claim(token)));
    await advanceUntil(() => Date.now() >= start + 6_000, 10_000);
    // a CLI command that refreshes earlier than the watcher would
    const other = new SessionTokenSource(env, SERVER, { oidc: fakeOidc(() => Date.now(), 10_000).oidc, refreshBeforeMs: 5_000 });
    expect(claim(await other.token())).toBe(1);
    await advanceUntil(() => seen.length === 1, 20_000);
    expect(seen).toEqual([1]);
    expect(used).toEqual([]);
    stop();
  });

  it('reports a failed refresh and tries again after retryMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const env = envIn();
    await seed(env, Date.now(), 60_000);
    const down = new FlotillaError('unavailable', 'cannot reach the OpenID provider', 'Check the network.');
    const { oidc, at } = fakeOidc(() => Date.now(), 60_000, { fail: down });
    const errors: FlotillaError[] = [];
    const stop = new SessionTokenSource(env, SERVER, { oidc, retryMs: 5_000 }).watch(
      () => undefined,
      (e) => errors.push(e),
    );
    await advanceUntil(() => errors.length === 2, 70_000, 500);
    expect(errors.map((e) => e.kind)).toEqual(['unavailable', 'unavailable']);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(5_000);
    stop();
  });
});
