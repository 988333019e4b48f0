// The CLI's side of OpenID Connect: discovery, the device authorization grant (RFC 8628, so
// `flotilla login` works over SSH with no browser on the host), refresh and revocation, through
// openid-client, with its failures turned into FlotillaErrors that say what to do next. The bearer the
// daemon gets is the ID token (as kubectl's OIDC plugin does): its audience is our client id.
import * as client from 'openid-client';
import { FlotillaError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/loopback.js';

export const DEFAULT_SCOPE = 'openid profile email groups offline_access';

export type OidcConfig = client.Configuration;

export interface TokenSet {
  idToken: string;
  refreshToken?: string;
  /** ms since the epoch: the ID token's exp claim. */
  expiresAt: number;
}

export interface DeviceLogin {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** seconds the user has to approve */
  expiresIn: number;
  /** pass to waitForDeviceLogin */
  handle: client.DeviceAuthorizationResponse;
}

const LOGIN_AGAIN = 'Run `flotilla login` again.';
// Refresh runs under a lock other processes wait on (token-source.ts), so it must not hang for long.
const REQUEST_TIMEOUT_SECONDS = 10;

function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new FlotillaError('config', `OIDC issuer "${issuer}" is not a URL`, 'Set auth.oidc.issuer to the provider\'s https URL, e.g. https://login.example.com/realms/ops.');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new FlotillaError('config', `OIDC issuer ${issuer} is not https`, 'Use the provider\'s https:// issuer URL; plain http is allowed only for a provider on this host (127.0.0.1, ::1, localhost).');
}

const oauthError = (e: unknown): string | undefined => (e instanceof client.ResponseBodyError ? e.error : undefined);
const described = (e: unknown): string => (e instanceof client.ResponseBodyError && e.error_description ? `${e.error}: ${e.error_description}` : e instanceof Error ? e.message : String(e));

/** Failures every call shares: the provider unreachable, refusing our client, or answering nonsense. */
function providerError(e: unknown, issuer: string, doing: string): FlotillaError {
  if (e instanceof FlotillaError) return e;
  const error = oauthError(e);
  if (error === 'invalid_client' || error === 'unauthorized_client' || error === 'invalid_scope' || error === 'unsupported_grant_type') {
    return new FlotillaError('config', `${doing}: ${issuer} refused the request (${described(e)})`, 'Ask the provider\'s administrator to register the client in auth.oidc.clientId as a public client with the device code and refresh token grants.', { cause: e });
  }
  if (error === 'temporarily_unavailable' || error === 'server_error' || error === 'slow_down') {
    return new FlotillaError('retry', `${doing}: ${issuer} is temporarily unable to answer (${described(e)})`, 'Try again in a minute.', { cause: e });
  }
  if (e instanceof TypeError || (e instanceof client.ClientError && e.code === 'OAUTH_TIMEOUT')) {
    return new FlotillaError('unavailable', `${doing}: cannot reach the OpenID provider at ${issuer} (${described(e)})`, `Check that ${issuer} is reachable from this host, then try again.`, { cause: e });
  }
  return new FlotillaError('unavailable', `${doing}: unexpected answer from the OpenID provider at ${issuer} (${described(e)})`, `Check that auth.oidc.issuer (${issuer}) is the provider's issuer URL and that it is healthy.`, { cause: e });
}

export async function discover(issuer: string, clientId: string): Promise<OidcConfig> {
  const url = issuerUrl(issuer);
  try {
    return await client.discovery(url, clientId, undefined, client.None(), {
      timeout: REQUEST_TIMEOUT_SECONDS,
      ...(url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
    });
  } catch (e) {
    throw providerError(e, issuer, 'OpenID discovery');
  }
}

const issuerOf = (config: OidcConfig): string => config.serverMetadata().issuer;

function tokenSet(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, issuer: string): TokenSet {
  const claims = response.claims();
  if (!response.id_token || !claims) {
    throw new FlotillaError('config', `${issuer} returned no ID token`, 'Make sure the scope includes openid and the client may receive ID tokens.');
  }
  return { idToken: response.id_token, ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}), expiresAt: claims.exp * 1000 };
}

export async function startDeviceLogin(config: OidcConfig, scope = DEFAULT_SCOPE): Promise<DeviceLogin> {
  let handle: client.DeviceAuthorizationResponse;
  try {
    handle = await client.initiateDeviceAuthorization(config, { scope });
  } catch (e) {
    throw providerError(e, issuerOf(config), 'starting the device sign-in');
  }
  return {
    userCode: handle.user_code,
    verificationUri: handle.verification_uri,
    ...(handle.verification_uri_complete ? { verificationUriComplete: handle.verification_uri_complete } : {}),
    expiresIn: handle.expires_in,
    handle,
  };
}

// openid-client looks at the signal only between its 5 s sleeps; racing it answers a Ctrl-C at once,
// and the poll left behind stops at its next look.
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Polls until the user approves (openid-client keeps the interval and backs off on slow_down). An
 * abort by the caller's signal rejects with the signal's reason, as fetch does.
 */
export async function waitForDeviceLogin(config: OidcConfig, handle: client.DeviceAuthorizationResponse, opts: { signal?: AbortSignal } = {}): Promise<TokenSet> {
  const issuer = issuerOf(config);
  const expiry = AbortSignal.timeout(handle.expires_in * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, expiry]) : expiry;
  const minutes = Math.max(1, Math.round(handle.expires_in / 60));
  const expired = (cause: unknown) => new FlotillaError('unauthenticated', 'the sign-in code expired before it was approved', `${LOGIN_AGAIN} Open the link and enter the code within ${minutes} minute${minutes === 1 ? '' : 's'}.`, { cause });
  try {
    return tokenSet(await abortable(client.pollDeviceAuthorizationGrant(config, handle, undefined, { signal }), opts.signal), issuer);
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (expiry.aborted || oauthError(e) === 'expired_token') throw expired(e);
    if (oauthError(e) === 'access_denied') {
      throw new FlotillaError('unauthenticated', 'the sign-in request was denied at the provider', `${LOGIN_AGAIN} Approve the request at the link it shows, checking the code matches.`, { cause: e });
    }
    throw providerError(e, issuer, 'waiting for the device sign-in');
  }
}

export async function refresh(config: OidcConfig, refreshToken: string): Promise<TokenSet> {
  const issuer = issuerOf(config);
  try {
    return tokenSet(await client.refreshTokenGrant(config, refreshToken), issuer);
  } catch (e) {
    if (oauthError(e) === 'invalid_grant') {
      throw new FlotillaError('unauthenticated', `the sign-in at ${issuer} has expired or was revoked`, LOGIN_AGAIN, { cause: e });
    }
    throw providerError(e, issuer, 'refreshing the sign-in');
  }
}

/** Best effort, for `flotilla logout`: a provider without revocation, or one out of reach, is no reason to keep a session. */
export async function revoke(config: OidcConfig, token: string): Promise<boolean> {
  if (!config.serverMetadata().revocation_endpoint) return false;
  try {
    await client.tokenRevocation(config, token);
    return true;
  } catch {
    return false;
  }
}
