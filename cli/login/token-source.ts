// The bearer for one daemon server, from the session `flotilla login` stored: the ID token, refreshed
// shortly before it expires, for one-shot commands (token()) and the long-running TUI (watch()).
//
// Refresh tokens rotate, and the provider may revoke the whole grant when a used one comes back, so
// two processes must never refresh with the same refresh token. A refresh therefore takes a lock
// file per server, re-reads the store under it, and uses the tokens another process just stored
// when it finds them fresh.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { flotillaPaths } from '../../config/paths.js';
import { FlotillaError, toFlotillaError } from '../../core/errors.js';
import { mkdirPrivate } from '../../core/private-file.js';
import { withLockFile, type LockOptions } from './lock-file.js';
import { discover, refresh, type OidcConfig, type TokenSet } from './oidc-client.js';
import { readSession, sessionFromTokens, sessionKey, writeSession, type Session } from './session-store.js';

export interface SessionRefresher {
  refresh(session: Session & { refreshToken: string }): Promise<TokenSet>;
}

export interface TokenSourceOptions {
  /** refresh this long before expiry (default: the sooner of 60 s and a fifth of the token's lifetime) */
  refreshBeforeMs?: number;
  now?: () => number;
  oidc?: SessionRefresher;
  /** watch(): how soon to try again after a failed refresh (default 10 s) */
  retryMs?: number;
  lock?: LockOptions;
}

const MIN_DELAY_MS = 1000; // keeps a token that is due again at once from spinning the watch timer
const MAX_DELAY_MS = 2 ** 31 - 1; // setTimeout's ceiling

/** Discovers each issuer once per process, then refreshes there. */
export function openIdRefresher(): SessionRefresher {
  const configs = new Map<string, Promise<OidcConfig>>();
  return {
    async refresh(session) {
      const key = `${session.issuer} ${session.clientId}`;
      let config = configs.get(key);
      if (!config) configs.set(key, (config = discover(session.issuer, session.clientId)));
      try {
        await config;
      } catch (e) {
        configs.delete(key);
        throw e;
      }
      return refresh(await config, session.refreshToken);
    },
  };
}

interface Outcome {
  session: Session;
  /** a refresh that failed while the stored token still had time left */
  error?: FlotillaError;
}

export class SessionTokenSource {
  readonly server: string;
  private readonly now: () => number;
  private readonly oidc: SessionRefresher;
  private readonly lockPath: string;
  // A refresh token the provider refused is not sent again; a new `flotilla login` replaces it.
  private rejected: { refreshToken: string; error: FlotillaError } | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    server: string,
    private readonly opts: TokenSourceOptions = {},
  ) {
    this.server = sessionKey(server);
    this.now = opts.now ?? Date.now;
    this.oidc = opts.oidc ?? openIdRefresher();
    const id = createHash('sha256').update(this.server).digest('hex').slice(0, 16);
    this.lockPath = join(flotillaPaths(env).stateDir, `refresh-${id}.lock`);
  }

  /** The ID token to send, refreshed first when it is within the refresh window of expiry. */
  async token(): Promise<string> {
    return (await this.current()).session.idToken;
  }

  /**
   * For a long-running process: refreshes on a timer before expiry and calls onRefresh with each new
   * token (also one another process refreshed); onError hears of failed refreshes, which are retried.
   * Returns a stop function. The timer is unref'd, so it never keeps the process alive.
   */
  watch(onRefresh: (token: string) => void, onError?: (e: FlotillaError) => void): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let last: string | undefined;
    const retryMs = this.opts.retryMs ?? 10_000;
    const schedule = (ms: number) => {
      if (stopped) return;
      timer = setTimeout(() => void tick(), Math.min(Math.max(ms, MIN_DELAY_MS), MAX_DELAY_MS));
      timer.unref();
    };
    const tick = async () => {
      let delay = retryMs;
      try {
        const { session, error } = await this.current();
        if (stopped) return;
        if (last !== undefined && session.idToken !== last) onRefresh(session.idToken);
        last = session.idToken;
        if (error) onError?.(error);
        else delay = this.dueAt(session) - this.now();
      } catch (e) {
        if (stopped) return;
        onError?.(toFlotillaError(e));
      }
      schedule(delay);
    };
    const start = async () => {
      last = (await readSession(this.env, this.server).catch(() => undefined))?.idToken;
      await tick();
    };
    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  private async current(): Promise<Outcome> {
    const session = await this.stored();
    if (this.now() < this.dueAt(session)) return { session };
    mkdirPrivate(flotillaPaths(this.env).stateDir);
    return withLockFile(this.lockPath, () => this.refreshLocked(), this.opts.lock);
  }

  private async refreshLocked(): Promise<Outcome> {
    const latest = await this.stored();
    if (this.now() < this.dueAt(latest)) return { session: latest }; // another process refreshed it
    const stillValid = this.now() < latest.expiresAt;
    if (!latest.refreshToken) {
      if (stillValid) return { session: latest };
      throw new FlotillaError('unauthenticated', `the sign-in to ${this.server} has expired and cannot be renewed`, `Run \`flotilla login --server ${this.server}\`.`);
    }
    let error: FlotillaError;
    if (this.rejected?.refreshToken === latest.refreshToken) {
      error = this.rejected.error;
    } else {
      try {
        const tokens = await this.oidc.refresh({ ...latest, refreshToken: latest.refreshToken });
        const next = sessionFromTokens(latest.server, latest.issuer, latest.clientId, { ...tokens, refreshToken: tokens.refreshToken ?? latest.refreshToken });
        await writeSession(this.env, next);
        return { session: next };
      } catch (e) {
        error = toFlotillaError(e);
        if (error.kind === 'unauthenticated') this.rejected = { refreshToken: latest.refreshToken, error };
      }
    }
    if (stillValid) return { session: latest, error };
    throw error;
  }

  private async stored(): Promise<Session> {
    const session = await readSession(this.env, this.server);
    if (!session) throw new FlotillaError('unauthenticated', `not signed in to ${this.server}`, `Run \`flotilla login --server ${this.server}\`.`);
    return session;
  }

  private dueAt(session: Session): number {
    return session.expiresAt - (this.opts.refreshBeforeMs ?? defaultRefreshBefore(session));
  }
}

function defaultRefreshBefore(session: Session): number {
  let iat: number | undefined;
  try {
    iat = decodeJwt(session.idToken).iat;
  } catch {
    iat = undefined;
  }
  if (iat === undefined) return 60_000;
  return Math.min(60_000, Math.max(0, (session.expiresAt - iat * 1000) / 5));
}
