// Sign-in sessions, one per daemon server URL, in <stateDir>/sessions.json (DESIGN.md §3.9): the file
// holds refresh tokens, so it is 0600 in a 0700 directory, written atomically, and refused when other
// users could read it. Every change is a read-modify-write under a lock file, so a TUI refreshing one
// server and a `flotilla login` for another do not drop each other's session.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { flotillaPaths } from '../../config/paths.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { FlotillaError, isFlotillaError } from '../../core/errors.js';
import { assertOwnerOnly, mkdirPrivate } from '../../core/private-file.js';
import { withLockFile } from './lock-file.js';
import type { TokenSet } from './oidc-client.js';

const SessionSchema = z.object({
  server: z.string().min(1),
  issuer: z.string().min(1),
  clientId: z.string().min(1),
  idToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.number(),
  subject: z.string(),
  name: z.string(),
});

export type Session = z.infer<typeof SessionSchema>;

const FileSchema = z.object({ version: z.literal(1), sessions: z.record(z.string(), SessionSchema) });
type SessionsFile = z.infer<typeof FileSchema>;

export function sessionsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(flotillaPaths(env).stateDir, 'sessions.json');
}

/** Sessions are keyed by the server URL as given, less trailing slashes (as normalizeServer leaves it). */
export const sessionKey = (server: string): string => server.replace(/\/+$/, '');

/** A session for `server` from a token response, naming the user by the ID token's claims. */
export function sessionFromTokens(server: string, issuer: string, clientId: string, tokens: TokenSet): Session {
  const claims = decodeJwt(tokens.idToken);
  const subject = claims.sub ?? '';
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    server: sessionKey(server),
    issuer,
    clientId,
    idToken: tokens.idToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    expiresAt: tokens.expiresAt,
    subject,
    name: text(claims.preferred_username) ?? text(claims.email) ?? subject,
  };
}

const corrupt = (path: string, why: string, cause?: unknown) =>
  new FlotillaError('config', `the session file ${path} is corrupt (${why})`, `Run \`flotilla logout\` (it removes the file) or delete ${path}, then sign in again with \`flotilla login\`.`, { cause, details: { path, corrupt: true } });
const isCorrupt = (e: unknown): boolean => isFlotillaError(e) && e.details?.corrupt === true;

async function load(path: string): Promise<SessionsFile> {
  try {
    assertOwnerOnly(path, 'session file');
  } catch (e) {
    if (!isFlotillaError(e)) throw e;
    throw new FlotillaError('config', e.message, `Run \`chmod 600 ${path}\`; if someone else may have read it, run \`flotilla logout\` and then \`flotilla login\` to replace the tokens it holds.`, { details: e.details });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, sessions: {} };
    throw new FlotillaError('config', `cannot read the session file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, `Check that ${path} is readable by you.`, { cause: e });
  }
  let parsed: ReturnType<typeof FileSchema.safeParse>;
  try {
    parsed = FileSchema.safeParse(JSON.parse(text));
  } catch (e) {
    throw corrupt(path, (e as Error).message, e);
  }
  if (!parsed.success) throw corrupt(path, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}

async function save(path: string, file: SessionsFile): Promise<void> {
  if (Object.keys(file.sessions).length === 0) {
    // the last logout leaves no file of tokens behind, not an empty one
    await unlink(path).catch(() => undefined);
    return;
  }
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
}

/** Runs a read-modify-write of the file under its lock, creating the state directory 0700 first. */
async function locked<T>(env: NodeJS.ProcessEnv, change: (path: string) => Promise<T>): Promise<T> {
  const path = sessionsPath(env);
  mkdirPrivate(flotillaPaths(env).stateDir);
  return withLockFile(`${path}.lock`, () => change(path));
}

export async function readSession(env: NodeJS.ProcessEnv, server: string): Promise<Session | undefined> {
  return (await load(sessionsPath(env))).sessions[sessionKey(server)];
}

export async function listSessions(env: NodeJS.ProcessEnv): Promise<Session[]> {
  return Object.values((await load(sessionsPath(env))).sessions);
}

export async function writeSession(env: NodeJS.ProcessEnv, session: Session): Promise<void> {
  const stored = { ...session, server: sessionKey(session.server) };
  await locked(env, async (path) => {
    const file = await load(path);
    file.sessions[stored.server] = stored;
    await save(path, file);
  });
}

/**
 * Removes the server's session and returns it. A corrupt file is removed whole: nothing in it can be
 * used, and this is what `flotilla logout` runs, which the corrupt-file error points to.
 */
export async function removeSession(env: NodeJS.ProcessEnv, server: string): Promise<Session | undefined> {
  return locked(env, async (path) => {
    let file: SessionsFile;
    try {
      file = await load(path);
    } catch (e) {
      if (!isCorrupt(e)) throw e;
      await unlink(path).catch(() => undefined);
      return undefined;
    }
    const key = sessionKey(server);
    const removed = file.sessions[key];
    if (!removed) return undefined;
    delete file.sessions[key];
    await save(path, file);
    return removed;
  });
}
