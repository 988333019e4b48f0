// Verifies the ID tokens of the configured OpenID provider (auth.oidc, docs/ACCESS.md): exact
// issuer, audience and authorized party, exp/nbf within a bounded skew, an asymmetric algorithm
// from the allow-list, a key from the provider's JWKS (found by discovery, cached, fetched again on
// an unknown key id at most every jwksRefetchSeconds), and a groups claim that is a list of names.
// Each refusal names its reason, so the audit and the log say why a token was turned away.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../../config/auth-schema.js';
import { FlotillaError } from '../../core/errors.js';
import { httpsOrLoopback } from '../../core/loopback.js';
import type { Logger } from '../../core/log.js';

/** Why a token was refused; audit records name it as `oidc.<reason>`. */
export type OidcRefusal = 'oversize' | 'malformed' | 'algorithm' | 'issuer' | 'audience' | 'client' | 'expired' | 'not_yet_valid' | 'unknown_key' | 'signature' | 'claims';

export interface VerifiedIdToken {
  subject: string;
  /** The username claim, or the subject when the token has none. */
  name: string;
  groups: string[];
  expiresAt: Date;
}

const LOGIN_AGAIN = 'Sign in again with `flotilla login`; if it keeps failing, check auth.oidc in daemon.yaml against the provider (docs/ACCESS.md, "Signing in with OIDC").';

const NEXT: Record<OidcRefusal, string> = {
  oversize: 'Ask the provider for a smaller token (fewer groups or claims), or raise auth.oidc.maxTokenBytes.',
  malformed: LOGIN_AGAIN,
  algorithm: 'The provider must sign with an asymmetric algorithm in auth.oidc.algorithms (RS256 by default in Keycloak).',
  issuer: 'Sign in with the provider in auth.oidc.issuer (`flotilla login`).',
  audience: 'Sign in through the client in auth.oidc.clientId (`flotilla login` does); a token for another application is not accepted.',
  client: 'Sign in through the client in auth.oidc.clientId (`flotilla login` does); a token for another application is not accepted.',
  expired: 'Sign in again (`flotilla login`); a signed-in CLI refreshes its token before it expires.',
  not_yet_valid: "Check the clocks of this host and the provider (NTP); the token's nbf is ahead of the daemon's time beyond auth.oidc.clockSkewSeconds.",
  unknown_key: "The provider's keys (JWKS) do not hold the token's key id; sign in again, and check that auth.oidc.issuer names the provider that issued it.",
  signature: LOGIN_AGAIN,
  claims: 'Check the provider\'s mappers: the token needs a `sub` and a groups claim (auth.oidc.groupsClaim) that is a list of group names.',
};

function refuse(reason: OidcRefusal, message: string, cause?: unknown): FlotillaError {
  return new FlotillaError('unauthenticated', `OIDC token refused: ${message}`, NEXT[reason], { details: { reason: `oidc.${reason}` }, ...(cause ? { cause } : {}) });
}

/** Three base64url parts, the first a JSON header: what an API token (`flt_…`) never is. */
export function looksLikeJwt(secret: string): boolean {
  return /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(secret);
}

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

export class OidcVerifier {
  private discovery: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private discoveryFailedAt = 0;
  private readonly audience: string;

  constructor(
    readonly config: OidcConfig,
    private readonly log: Logger,
  ) {
    this.audience = config.audience ?? config.clientId;
  }

  async verify(token: string): Promise<VerifiedIdToken> {
    if (Buffer.byteLength(token) > this.config.maxTokenBytes) throw refuse('oversize', `the token is ${Buffer.byteLength(token)} bytes, over auth.oidc.maxTokenBytes (${this.config.maxTokenBytes})`);
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (e) {
      throw refuse('malformed', 'not a JWT', e);
    }
    if (!alg || !(this.config.algorithms as string[]).includes(alg)) throw refuse('algorithm', `algorithm ${JSON.stringify(alg ?? null).slice(0, 40)} is not in auth.oidc.algorithms`);
    const jwks = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.config.issuer,
        audience: this.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (e) {
      throw this.translate(e);
    }
    return this.claims(payload);
  }

  private claims(payload: JWTPayload): VerifiedIdToken {
    const azp = payload.azp;
    if (azp !== undefined && azp !== this.config.clientId) throw refuse('client', `issued to client ${JSON.stringify(azp).slice(0, 80)}, not ${this.config.clientId}`);
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && azp === undefined) throw refuse('client', 'a token for several audiences must name its authorized party (azp)');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw refuse('claims', 'the sub claim is not a string');
    const raw = payload[this.config.groupsClaim];
    let groups: string[];
    if (raw === undefined) groups = [];
    else if (typeof raw === 'string') groups = [raw];
    else if (Array.isArray(raw) && raw.every((g) => typeof g === 'string')) groups = raw;
    else throw refuse('claims', `the ${this.config.groupsClaim} claim is not a list of group names`);
    const username = payload[this.config.usernameClaim];
    return { subject: payload.sub, name: typeof username === 'string' && username !== '' ? username : payload.sub, groups, expiresAt: new Date((payload.exp as number) * 1000) };
  }

  private translate(e: unknown): FlotillaError {
    if (e instanceof errors.JWTExpired) return refuse('expired', 'the token has expired');
    if (e instanceof errors.JWTClaimValidationFailed) {
      if (e.claim === 'iss') return refuse('issuer', `issuer is not ${this.config.issuer}`);
      if (e.claim === 'aud') return refuse('audience', `audience does not include ${this.audience}`);
      if (e.claim === 'nbf' || e.claim === 'iat') return refuse('not_yet_valid', `the token is not valid yet (${e.claim})`);
      return refuse('claims', e.message);
    }
    if (e instanceof errors.JOSEAlgNotAllowed) return refuse('algorithm', e.message);
    if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return refuse('unknown_key', "no key of the provider's matches the token's key id");
    if (e instanceof errors.JWSSignatureVerificationFailed) return refuse('signature', 'the signature does not verify');
    if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || (e instanceof Error && !(e instanceof errors.JOSEError))) return this.unreachable(e);
    return refuse('malformed', (e as Error).message);
  }

  private unreachable(e: unknown): FlotillaError {
    this.log.warn({ err: e, issuer: this.config.issuer }, 'cannot fetch the OpenID provider\'s keys');
    return new FlotillaError('unavailable', `cannot check the token: the OpenID provider ${this.config.issuer} did not answer with its keys (${(e as Error).message})`, 'Try again shortly; if it persists, check that the daemon can reach auth.oidc.issuer.', { cause: e });
  }

  /** The JWKS from discovery, found once; a failed discovery is tried again at most every jwksRefetchSeconds. */
  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (!this.discovery) {
      const wait = this.discoveryFailedAt + this.config.jwksRefetchSeconds * 1000 - Date.now();
      if (wait > 0) return Promise.reject(this.unreachable(new Error(`discovery failed; trying again in ${Math.ceil(wait / 1000)} s`)));
      this.discovery = this.discover().catch((e: unknown) => {
        this.discovery = undefined;
        this.discoveryFailedAt = Date.now();
        throw e instanceof FlotillaError ? e : this.unreachable(e);
      });
    }
    return this.discovery;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const url = `${this.config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as Partial<Discovery>;
    if (doc.issuer !== this.config.issuer) {
      throw new FlotillaError('unavailable', `the OpenID provider's discovery document names issuer ${JSON.stringify(doc.issuer).slice(0, 200)}, not ${this.config.issuer}`, 'Set auth.oidc.issuer to exactly the issuer the provider names (Keycloak: https://HOST/realms/REALM, no trailing slash).');
    }
    if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri)) throw new Error(`${url} has no jwks_uri`);
    if (!httpsOrLoopback(doc.jwks_uri)) throw new Error(`the provider's jwks_uri ${doc.jwks_uri.slice(0, 200)} is not https`);
    this.log.info({ issuer: doc.issuer, jwksUri: doc.jwks_uri }, 'OpenID provider discovered');
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      cacheMaxAge: this.config.jwksCacheSeconds * 1000,
      cooldownDuration: this.config.jwksRefetchSeconds * 1000,
      timeoutDuration: 5000,
    });
  }
}
