// Bearer-token authentication against the registry's token hashes.
import type { Identity } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
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

  constructor(private readonly tokens: TokenRepo) {}

  authenticate(authorization: string | undefined, now = new Date()): Identity {
    const secret = bearerToken(authorization);
    const found = secret ? this.tokens.lookup(secret, now) : ({ ok: false, why: 'missing' } as const);
    if (!found.ok) {
      throw new FlotillaError('unauthenticated', WHY[found.why], 'Pass a valid token with --token or FLOTILLA_TOKEN; an admin can create one with `flotilla token create`.');
    }
    const id = found.identity.subject;
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.touched.set(id, now.getTime());
      this.tokens.markUsed(id, now);
    }
    return found.identity;
  }

  /** True if the credentials behind this identity still hold (used to drop sockets of revoked tokens). */
  stillValid(identity: Identity, now = new Date()): boolean {
    const t = this.tokens.get(identity.subject);
    return !!t && !t.revokedAt && !(t.expiresAt && Date.parse(t.expiresAt) <= now.getTime());
  }
}
