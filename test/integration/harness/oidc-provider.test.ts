// The OIDC provider harness, spoken to with plain fetch and jose so it is checked without the client
// library it exists to test.
import { createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcProviderService } from '../../harness/oidc-provider.js';

const SCOPE = 'openid profile email groups offline_access';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Discovery {
  issuer: string;
  device_authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}
type Tokens = { id_token: string; refresh_token?: string; error?: undefined } | { error: string; id_token?: undefined; refresh_token?: undefined };

let op: OidcProviderService;
let discovery: Discovery;

const form = async <T>(url: string, body: Record<string, string>): Promise<T> => (await fetch(url, { method: 'POST', body: new URLSearchParams(body) })).json() as Promise<T>;
const startDevice = (clientId = op.clientId) => form<{ device_code: string; user_code: string; verification_uri: string }>(discovery.device_authorization_endpoint, { client_id: clientId, scope: SCOPE });
const poll = (deviceCode: string, clientId = op.clientId) => form<Tokens>(discovery.token_endpoint, { client_id: clientId, grant_type: DEVICE_GRANT, device_code: deviceCode });
const refresh = (refreshToken: string) => form<Tokens>(discovery.token_endpoint, { client_id: op.clientId, grant_type: 'refresh_token', refresh_token: refreshToken });
const jwks = async () => (await fetch(discovery.jwks_uri)).json() as Promise<JSONWebKeySet>;

async function signIn(account: string): Promise<{ id_token: string; refresh_token: string }> {
  const device = await startDevice();
  await op.approveDevice(device.user_code, account);
  const tokens = await poll(device.device_code);
  if (tokens.error !== undefined || !tokens.refresh_token) throw new Error(`sign-in as ${account}: ${JSON.stringify(tokens)}`);
  return { id_token: tokens.id_token, refresh_token: tokens.refresh_token };
}

async function verify(idToken: string) {
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(await jwks()), { issuer: op.issuer, audience: op.clientId });
  return payload;
}

beforeAll(async () => {
  op = await startOidcProvider({ idTokenTtlSeconds: 120 });
  discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
});
afterAll(async () => {
  await op?.stop();
});

describe('oidc provider harness', () => {
  it('publishes discovery with the device authorization endpoint and the JWKS', () => {
    expect(discovery.issuer).toBe(op.issuer);
    expect(discovery.device_authorization_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(discovery.jwks_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('runs the device flow: pending until approved, then an ID token with the account claims', async () => {
    const device = await startDevice();
    expect(device.verification_uri).toBe(`${op.issuer}/device`);
    expect((await poll(device.device_code)).error).toBe('authorization_pending');
    await op.approveDevice(device.user_code, 'alice');
    const tokens = await poll(device.device_code);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = await verify(tokens.id_token!);
    expect(claims).toMatchObject({ iss: op.issuer, aud: op.clientId, sub: 'alice', preferred_username: 'alice', email: 'alice@example.test', groups: ['platform-admins'] });
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it('signs with the first of signingKeys(), so tests can forge tokens the JWKS accepts', async () => {
    const { id_token } = await signIn('bob');
    const [first] = await op.signingKeys();
    expect(decodeProtectedHeader(id_token).kid).toBe(first!.kid);
    const forged = await new SignJWT({ groups: ['forged'] })
      .setProtectedHeader({ alg: 'RS256', kid: first!.kid! })
      .setIssuer(op.issuer)
      .setAudience(op.clientId)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(await importJWK(first!, 'RS256'));
    expect((await verify(forged)).sub).toBe('mallory');
  });

  it('refreshes, rotating the refresh token, with claims changed by setAccount', async () => {
    const first = await signIn('bob');
    await op.setAccount('bob', { preferred_username: 'bob', email: 'bob@example.test', groups: ['team-a', 'team-b'] });
    const next = await refresh(first.refresh_token);
    expect(next.refresh_token).toEqual(expect.any(String));
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect((await verify(next.id_token!)).groups).toEqual(['team-a', 'team-b']);
  });

  it('rotates keys: both kids published, new tokens signed with the new kid, old refresh tokens still good', async () => {
    const before = await signIn('alice');
    const oldKid = decodeProtectedHeader(before.id_token).kid;
    const newKid = await op.rotateKeys();
    expect((await jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await op.signingKeys())[0]!.kid).toBe(newKid);
    const after = await refresh(before.refresh_token);
    expect(decodeProtectedHeader(after.id_token!).kid).toBe(newKid);
    expect((await verify(after.id_token!)).sub).toBe('alice');
    const again = await refresh(after.refresh_token!);
    expect(again.error).toBeUndefined();
  });

  it('keeps a device code started before a rotation', async () => {
    const device = await startDevice();
    const newKid = await op.rotateKeys();
    await op.approveDevice(device.user_code, 'alice');
    const tokens = await poll(device.device_code);
    expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(newKid);
  });

  it('drops the old keys from the JWKS when asked', async () => {
    const newKid = await op.rotateKeys({ dropOld: true });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    expect(await op.signingKeys()).toHaveLength(1);
  });

  it('answers a denied device code with access_denied', async () => {
    const device = await startDevice();
    await op.denyDevice(device.user_code);
    expect((await poll(device.device_code)).error).toBe('access_denied');
  });

  it('serves the other client its own audience', async () => {
    const device = await startDevice(op.otherClientId);
    await op.approveDevice(device.user_code, 'alice');
    const tokens = await poll(device.device_code, op.otherClientId);
    const { payload } = await jwtVerify(tokens.id_token!, createLocalJWKSet(await jwks()), { issuer: op.issuer, audience: op.otherClientId });
    expect(payload.sub).toBe('alice');
  });

  it('refuses to approve a code it never issued', async () => {
    await expect(op.approveDevice('BCDF-GHJK', 'alice')).rejects.toThrow(/NotFoundError/);
  });
});
