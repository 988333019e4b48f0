// The bearer a command sends when no API token was given: the ID token of the session `flotilla
// login` stored for this server, refreshed before it expires (cli/login/token-source.ts).
import { FlotillaError } from '../core/errors.js';
import { NO_TOKEN_NEXT } from './client-config.js';
import type { TokenProvider } from './client.js';
import { readSession } from './login/session-store.js';
import { SessionTokenSource } from './login/token-source.js';

export function sessionBearer(env: NodeJS.ProcessEnv, server: string): TokenProvider {
  let source: SessionTokenSource | undefined;
  return async () => {
    if (!source) {
      if (!(await readSession(env, server))) throw new FlotillaError('unauthenticated', `no API token for ${server}, and not signed in to it`, NO_TOKEN_NEXT);
      source = new SessionTokenSource(env, server);
    }
    return source.token();
  };
}

/** For a long-running process: the stored session's token source, or undefined when there is none. */
export async function sessionSource(env: NodeJS.ProcessEnv, server: string): Promise<SessionTokenSource | undefined> {
  return (await readSession(env, server)) ? new SessionTokenSource(env, server) : undefined;
}
