// Bearer authentication: an API token against the registry's token hashes, or an ID token of the
// configured OpenID provider (daemon/auth/oidc.ts) whose subject and groups bindings give grants.
import { grantsKey, topRole } from '../../core/access.js';
import type { Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { actorOf } from '../auth/actor.js';
import type { Bindings } from '../auth/bindings.js';
import { looksLikeJwt, type OidcVerifier } from '../auth/oidc.js';
import type { TokenRepo } from '../registry/tokens.js';

/** last_used_at is written at most this often per token, so reads stay reads. */
export const TOUCH_INTERVAL_MS = 60_000;

const WHY: Record<'missing' | 'unknown' | 'expired' | 'revoked', string> = {
  missing: 'no bearer token given',
  unknown: 'unknown token',
  expired: 'token has expired',
  revoked: 'token has been revoked',
};

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export class Authenticator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly tokens: TokenRepo,
    private readonly bindings?: Bindings,
    private readonly oidc?: OidcVerifier,
  ) {}

  /** Who the Authorization header proves the caller is: 401 (unauthenticated) for bad credentials, 403 for a signed-in user no binding covers. */
  authenticate(authorization: string | undefined, now = new Date()): Identity | Promise<Identity> {
    const secret = bearerToken(authorization);
    if (secret && looksLikeJwt(secret)) return this.signedIn(secret);
    return this.apiToken(secret, now);
  }

  /** An API token's identity, answered in the same turn (only an ID token's check waits on the provider's keys). */
  apiToken(secret: string | undefined, now = new Date()): Identity {
    const found = secret ? this.tokens.lookup(secret, now) : ({ ok: false, why: 'missing' } as const);
    if (!found.ok) {
      throw new FlotillaError('unauthenticated', WHY[found.why], 'Pass a valid token with --token or FLOTILLA_TOKEN, or sign in with `flotilla login`; an admin can create a token with `flotilla token create`.', { details: { reason: `token.${found.why}` } });
    }
    const id = found.identity.subject;
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.touched.set(id, now.getTime());
      this.tokens.markUsed(id, now);
    }
    return found.identity;
  }

  private async signedIn(jwt: string): Promise<Identity> {
    if (!this.oidc || !this.bindings) {
      throw new FlotillaError('unauthenticated', 'this daemon accepts no OIDC tokens (auth.oidc is not configured)', 'Use an API token (--token, FLOTILLA_TOKEN), or ask the operator to configure auth.oidc in daemon.yaml (docs/ACCESS.md).', { details: { reason: 'oidc.not_configured' } });
    }
    const token = await this.oidc.verify(jwt);
    const grants = this.bindings.grantsFor(token.subject, token.groups);
    const base = { provider: 'oidc' as const, subject: token.subject, name: token.name, groups: token.groups, expiresAt: token.expiresAt.toISOString() };
    const role = topRole(grants);
    if (role === null) {
      const groups = token.groups.length > 0 ? ` or the groups ${token.groups.slice(0, 10).join(', ')}` : ' (the token names no groups)';
      throw new FlotillaError('forbidden', `${token.name} signed in, but no binding gives subject ${token.subject}${groups} a role`, `Ask an admin to bind you or one of your groups: \`flotilla binding add --group GROUP --role viewer --scope SELECTOR\` (or --subject ${token.subject}).`, {
        details: { reason: 'oidc.no_binding', actor: actorOf({ ...base, role: 'viewer' }), subject: token.subject, groups: token.groups.slice(0, 50) },
      });
    }
    return { ...base, role, grants };
  }

  /** True if the credentials behind this identity still hold and give the same grants (sockets of others are closed, and the client signs in again). */
  stillValid(identity: Identity, now = new Date()): boolean {
    if (identity.provider === 'oidc') {
      if (!identity.expiresAt || Date.parse(identity.expiresAt) <= now.getTime()) return false;
      return !!this.bindings && grantsKey(this.bindings.grantsFor(identity.subject, identity.groups ?? [])) === grantsKey(identity.grants ?? []);
    }
    const t = this.tokens.get(identity.subject);
    return !!t && !t.revokedAt && !(t.expiresAt && Date.parse(t.expiresAt) <= now.getTime());
  }
}
