import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSessions, readSession, removeSession, sessionFromTokens, sessionsPath, writeSession, type Session } from '../../../../cli/login/session-store.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { fakeIdToken } from './fake-id-token.js';
import { rejection } from '../../../harness/errors.js';

afterAll(cleanupTempDirs);

const envIn = (dir = tempDir()) => ({ XDG_STATE_HOME: join(dir, 'state'), HOME: dir });
const mode = (path: string) => statSync(path).mode & 0o777;

function session(server: string, over: Partial<Session> = {}): Session {
  return { server, issuer: 'https://op.example.test', clientId: 'flotilla', idToken: 'id.token.sig', refreshToken: 'rt-1', expiresAt: 1_000_000, subject: 'alice', name: 'alice', ...over };
}

describe('session store', () => {
  it('has no sessions and no file before the first login', async () => {
    const env = envIn();
    expect(await readSession(env, 'https://flotilla.example.test')).toBeUndefined();
    expect(await listSessions(env)).toEqual([]);
    expect(existsSync(sessionsPath(env))).toBe(false);
  });

  it('keeps one session per server, in a 0600 file inside a 0700 directory', async () => {
    const env = envIn();
    await writeSession(env, session('https://a.example.test'));
    await writeSession(env, session('https://b.example.test', { subject: 'bob', name: 'bob' }));
    await writeSession(env, session('https://a.example.test', { idToken: 'newer' }));
    expect(sessionsPath(env)).toBe(join(env.XDG_STATE_HOME, 'flotilla', 'sessions.json'));
    expect(mode(sessionsPath(env))).toBe(0o600);
    expect(mode(join(env.XDG_STATE_HOME, 'flotilla'))).toBe(0o700);
    expect((await readSession(env, 'https://a.example.test'))?.idToken).toBe('newer');
    expect((await listSessions(env)).map((s) => s.name).sort()).toEqual(['alice', 'bob']);
  });

  it('treats a trailing slash on the server URL as the same server', async () => {
    const env = envIn();
    await writeSession(env, session('https://a.example.test/'));
    expect((await readSession(env, 'https://a.example.test'))?.server).toBe('https://a.example.test');
  });

  it('writes atomically: no temp or lock file is left, and the file is whole JSON', async () => {
    const env = envIn();
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeSession(env, session(`https://s${i}.example.test`))));
    const dir = join(env.XDG_STATE_HOME, 'flotilla');
    expect(readdirSync(dir)).toEqual(['sessions.json']);
    const file = JSON.parse(readFileSync(sessionsPath(env), 'utf8')) as { sessions: Record<string, Session> };
    // concurrent writers serialise on the lock, so none loses another's session
    expect(Object.keys(file.sessions)).toHaveLength(8);
    // a new file is renamed over the old one rather than the old one rewritten in place
    const before = statSync(sessionsPath(env)).ino;
    await writeSession(env, session('https://s0.example.test', { idToken: 'again' }));
    expect(statSync(sessionsPath(env)).ino).not.toBe(before);
  });

  it('removes a session and returns it, deleting the file with the last one', async () => {
    const env = envIn();
    await writeSession(env, session('https://a.example.test'));
    await writeSession(env, session('https://b.example.test'));
    expect((await removeSession(env, 'https://a.example.test'))?.server).toBe('https://a.example.test');
    expect(await removeSession(env, 'https://a.example.test')).toBeUndefined();
    expect(await listSessions(env)).toHaveLength(1);
    await removeSession(env, 'https://b.example.test');
    expect(existsSync(sessionsPath(env))).toBe(false);
  });

  it('calls a corrupt file a config error naming the file and the way out, which logout takes', async () => {
    const env = envIn();
    mkdirSync(join(env.XDG_STATE_HOME, 'flotilla'), { recursive: true, mode: 0o700 });
    writeFileSync(sessionsPath(env), '{"version":1,"sessions":', { mode: 0o600 });
    const e = await rejection(readSession(env, 'https://a.example.test'));
    expect(e.kind).toBe('config');
    expect(e.message).toContain(sessionsPath(env));
    expect(e.next).toMatch(/flotilla logout.*or delete/);
    expect(await removeSession(env, 'https://a.example.test')).toBeUndefined();
    expect(existsSync(sessionsPath(env))).toBe(false);
  });

  it('calls a file of the wrong shape corrupt too', async () => {
    const env = envIn();
    mkdirSync(join(env.XDG_STATE_HOME, 'flotilla'), { recursive: true, mode: 0o700 });
    writeFileSync(sessionsPath(env), JSON.stringify({ version: 1, sessions: { x: { server: 'x' } } }), { mode: 0o600 });
    const e = await rejection(listSessions(env));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/corrupt.*sessions\.x\.issuer/);
  });

  it('refuses a file other users can read, and will not write into it either', async () => {
    const env = envIn();
    await writeSession(env, session('https://a.example.test'));
    chmodSync(sessionsPath(env), 0o644);
    const e = await rejection(readSession(env, 'https://a.example.test'));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/can be read by other users/);
    expect(e.next).toContain(`chmod 600 ${sessionsPath(env)}`);
    expect((await rejection(writeSession(env, session('https://b.example.test')))).kind).toBe('config');
  });

  it('builds a session from tokens, naming the user by preferred_username, else email, else sub', () => {
    const named = (claims: Record<string, unknown>) => sessionFromTokens('https://a.example.test/', 'https://op', 'flotilla', { idToken: fakeIdToken(claims), expiresAt: 5 }).name;
    expect(named({ sub: 'u1', preferred_username: 'alice', email: 'a@x' })).toBe('alice');
    expect(named({ sub: 'u1', email: 'a@x' })).toBe('a@x');
    expect(named({ sub: 'u1' })).toBe('u1');
    const s = sessionFromTokens('https://a.example.test/', 'https://op', 'flotilla', { idToken: fakeIdToken({ sub: 'u1' }), refreshToken: 'rt', expiresAt: 5 });
    expect(s).toMatchObject({ server: 'https://a.example.test', subject: 'u1', refreshToken: 'rt', expiresAt: 5 });
  });
});
