/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// OIDC bearer tokens on a real daemon against a real OpenID provider (oidc-provider): a token the
// provider's key signs is accepted and its groups map to bindings (daemon.yaml's and the API's); the
// kube-apiserver's negative table, each case its own token, each answered 401 (403 for a user no
// binding covers), 77 from the CLI, and audited with its reason; a rotated provider key is found by
// refetching the JWKS; a socket whose grants a binding change alters is closed.
import { createPublicKey } from 'node:crypto';
import { importJWK, SignJWT, generateKeyPair, exportJWK, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../harness/fake-agent.js';
import { startOidcProvider, type OidcProviderService } from '../../harness/oidc-provider.js';
import { runCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { isolatedEnv } from '../../harness/control-plane.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

let provider: OidcProviderService;
let fx: Fixture;
let key: JWK;

const CLUSTERS: Record<string, Record<string, string>> = {
  'pay-prod': { team: 'payments', env: 'prod' },
  'pay-stg': { team: 'payments', env: 'staging' },
  'chk-prod': { team: 'checkout', env: 'prod' },
};

const now = () => Math.floor(Date.now() / 1000);

/** A token as the provider would issue it to the flotilla client, with these claims changed. */
async function idToken(claims: JWTPayload = {}, opts: { key?: JWK; header?: Record<string, unknown> } = {}): Promise<string> {
  const k = opts.key ?? key;
  const payload: JWTPayload = { iss: provider.issuer, aud: provider.clientId, sub: 'u-carol', preferred_username: 'carol', groups: ['payments-oncall'], iat: now(), exp: now() + 300, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: k.kid, ...opts.header }).sign(await importJWK(k, 'RS256'));
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function hs256WithPublicKey(): Promise<string> {
  // The classic confusion attack: the "secret" is the provider's public key as a verifier might load it.
  const publicPem = createPublicKey({ key: { ...key, d: undefined, p: undefined, q: undefined, dp: undefined, dq: undefined, qi: undefined }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return new SignJWT({ iss: provider.issuer, aud: provider.clientId, sub: 'u-carol', groups: ['payments-oncall'], exp: now() + 300 }).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(String(publicPem)));
}

async function withForeignKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return idToken({}, { key: { ...(await exportJWK(privateKey)), kid: 'not-published' } });
}

async function tampered(part: 'payload' | 'signature'): Promise<string> {
  const [h, p, s] = (await idToken()).split('.') as [string, string, string];
  if (part === 'payload') {
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    return `${h}.${b64({ ...claims, groups: ['platform-admins'] })}.${s}`;
  }
  const mid = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, mid)}${s[mid] === 'A' ? 'B' : 'A'}${s.slice(mid + 1)}`;
}

beforeAll(async () => {
  provider = await startOidcProvider();
  [key] = (await provider.signingKeys()) as [JWK];
  fx = await startFixture({
    'auth.oidc': { issuer: provider.issuer, clientId: provider.clientId, jwksRefetchSeconds: 1 },
    'auth.bindings': [{ group: 'payments-oncall', role: 'viewer', scope: 'team=payments' }],
  });
  for (const [name, labels] of Object.entries(CLUSTERS)) {
    const agent = new FakeAgent(await fx.addCluster(name, { labels }), fx.store);
    await agent.register();
  }
}, 60_000);

afterAll(async () => {
  await fx?.daemon.stop();
  await provider?.stop();
  cleanupTempDirs();
});

const names = (items: any[]) => items.map((i) => i.name).sort();

describe('OIDC ID tokens', () => {
  it('accepts a token the provider signs: its groups bind it to the payments clusters, as viewer', async () => {
    const token = await idToken();
    const who = await fx.api('GET', '/api/v1/whoami', { token });
    expect(who.status, JSON.stringify(who.body)).toBe(200);
    expect(who.body).toMatchObject({ provider: 'oidc', subject: 'u-carol', name: 'carol', role: 'viewer', groups: ['payments-oncall'], grants: [{ role: 'viewer', scope: 'team=payments' }] });
    expect(names((await fx.api('GET', '/api/v1/clusters', { token })).body.items)).toEqual(['pay-prod', 'pay-stg']);
    const denied = await fx.api('POST', '/api/v1/jobs', { token, body: { cluster: 'pay-stg', type: 'rollout-restart', params: { namespace: 'default', deployment: 'api' } } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.next).toMatch(/flotilla binding add --group GROUP --role operator/);
    const audit = (await fx.api('GET', '/api/v1/audit?limit=20')).body.items;
    expect(audit.find((r: any) => r.action === 'job.submit' && !r.allowed)?.actor).toEqual({ id: 'oidc:u-carol', name: 'carol' });
  });

  it('serves what `flotilla login` needs without a token', async () => {
    const res = await fx.api('GET', '/api/v1/auth/oidc', { token: null });
    expect(res).toEqual({ status: 200, body: { issuer: provider.issuer, clientId: provider.clientId, scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'] } });
  });

  it('adds and removes bindings through the API (admin over the fleet only), never those of daemon.yaml', async () => {
    const scopedAdmin = await fx.api('POST', '/api/v1/tokens', { body: { role: 'admin', scope: 'team=payments' } });
    const refused = await fx.api('POST', '/api/v1/bindings', { token: scopedAdmin.body.token, body: { kind: 'group', name: 'x', role: 'viewer' } });
    expect(refused.status).toBe(403);

    const made = await fx.api('POST', '/api/v1/bindings', { body: { kind: 'subject', name: 'u-carol', role: 'operator', scope: 'team=payments,env!=prod' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ kind: 'subject', name: 'u-carol', role: 'operator', scope: 'team=payments,env!=prod', source: 'api' });
    const who = (await fx.api('GET', '/api/v1/whoami', { token: await idToken() })).body;
    expect(who.role).toBe('operator');
    expect(who.grants).toEqual([
      { role: 'viewer', scope: 'team=payments' },
      { role: 'operator', scope: 'team=payments,env!=prod' },
    ]);
    const list = (await fx.api('GET', '/api/v1/bindings')).body.items;
    expect(list.map((b: any) => [b.id.startsWith('config:') ? b.id : 'bnd', b.kind, b.name, b.source])).toEqual([
      ['config:1', 'group', 'payments-oncall', 'config'],
      ['bnd', 'subject', 'u-carol', 'api'],
    ]);
    expect((await fx.api('DELETE', '/api/v1/bindings/config:1')).status).toBe(409);
    expect((await fx.api('DELETE', `/api/v1/bindings/${made.body.id as string}`)).status).toBe(200);
    expect((await fx.api('DELETE', `/api/v1/bindings/${made.body.id as string}`)).status).toBe(404);
    const audit = (await fx.api('GET', '/api/v1/audit?limit=50')).body.items.map((r: any) => `${r.action} ${r.allowed ? 'allowed' : 'denied'}`);
    expect(audit).toEqual(expect.arrayContaining(['binding.create allowed', 'binding.create denied', 'binding.remove allowed']));
  });

  it('closes a socket whose grants a binding change alters; the client connects again with the new ones', async () => {
    const token = await idToken({ sub: 'u-dave', preferred_username: 'dave', groups: [] });
    const made = await fx.api('POST', '/api/v1/bindings', { body: { kind: 'subject', name: 'u-dave', role: 'viewer', scope: 'env=prod' } });
    const ws = await connectWs(fx.daemon.url, token);
    const hello = await ws.waitFrame((f) => f.kind === 'hello');
    expect(hello.identity).toMatchObject({ provider: 'oidc', subject: 'u-dave', grants: [{ role: 'viewer', scope: 'env=prod' }] });
    await fx.api('DELETE', `/api/v1/bindings/${made.body.id as string}`);
    expect(await ws.closed).toEqual({ code: 1008, reason: 'grants changed' });
    expect((await fx.api('GET', '/api/v1/whoami', { token })).status).toBe(403);
  });

  it('finds a rotated signing key by fetching the JWKS again', async () => {
    const kid = await provider.rotateKeys();
    const rotated = (await provider.signingKeys()).find((k) => k.kid === kid) as JWK;
    // jwksRefetchSeconds is 1 here: an unknown kid fetches the keys again once that has passed since the last fetch.
    const token = await idToken({}, { key: rotated });
    await waitUntil(async () => (await fx.api('GET', '/api/v1/whoami', { token })).status === 200, { what: 'the token of the rotated key accepted', timeoutMs: 15_000 });
  });
});

// kube-apiserver's OIDC authenticator tests refuse each of these; so does the daemon, each with its reason.
const NEGATIVE: { name: string; token: () => Promise<string>; status: number; reason: string }[] = [
  { name: 'wrong issuer', token: () => idToken({ iss: 'https://sso.example.com/realms/other' }), status: 401, reason: 'oidc.issuer' },
  { name: 'wrong audience', token: () => idToken({ aud: 'kubernetes' }), status: 401, reason: 'oidc.audience' },
  { name: 'expired', token: () => idToken({ iat: now() - 7200, exp: now() - 3600 }), status: 401, reason: 'oidc.expired' },
  { name: 'not yet valid', token: () => idToken({ nbf: now() + 3600 }), status: 401, reason: 'oidc.not_yet_valid' },
  { name: 'alg none', token: async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: provider.issuer, aud: provider.clientId, sub: 'u-carol', groups: ['payments-oncall'], exp: now() + 300 })}.`, status: 401, reason: 'oidc.algorithm' },
  { name: 'HS256 signed with the public key', token: hs256WithPublicKey, status: 401, reason: 'oidc.algorithm' },
  { name: 'unknown kid', token: withForeignKey, status: 401, reason: 'oidc.unknown_key' },
  { name: 'tampered payload', token: () => tampered('payload'), status: 401, reason: 'oidc.signature' },
  { name: 'tampered signature', token: () => tampered('signature'), status: 401, reason: 'oidc.signature' },
  { name: 'missing groups claim', token: () => idToken({ groups: undefined }), status: 403, reason: 'oidc.no_binding' },
  { name: 'malformed groups claim', token: () => idToken({ groups: 42 }), status: 401, reason: 'oidc.claims' },
  { name: 'oversize token', token: () => idToken({ padding: 'x'.repeat(10_000) }), status: 401, reason: 'oidc.oversize' },
  { name: 'a token for another client', token: () => idToken({ aud: [provider.clientId, provider.otherClientId], azp: provider.otherClientId }), status: 401, reason: 'oidc.client' },
];

// Each case asks a route of its own, so each is the first refusal of its kind in its window and has an audit record of its own.
const ROUTES = ['/api/v1/clusters', '/api/v1/info', '/api/v1/whoami', '/api/v1/jobs', '/api/v1/rejections', '/api/v1/pipeline', '/api/v1/audit', '/api/v1/tokens', '/api/v1/bindings', '/api/v1/backups', '/api/v1/clusters/pay-prod', '/api/v1/jobs/j-1', '/api/v1/clusters/pay-stg/monitoring'];

describe('the OIDC negative table', () => {
  it.each(NEGATIVE.map((c, i) => ({ ...c, route: ROUTES[i] as string })))('$name: $status, exit 77 from the CLI, audited as $reason', async ({ token, status, reason, route }) => {
    const jwt = await token();
    const res = await fx.api('GET', route, { token: jwt });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(status === 401 ? 'unauthenticated' : 'forbidden');
    expect(res.body.error.next).toMatch(/./);

    const cli = await runCli(['cluster', 'list'], { env: { ...isolatedEnv(), FLOTILLA_SERVER: fx.daemon.url, FLOTILLA_TOKEN: jwt } });
    expect(cli.code, cli.stderr).toBe(77);
    expect(cli.stderr).not.toContain(jwt);

    const audit = (await fx.api('GET', '/api/v1/audit?limit=100')).body.items;
    const record = audit.find((r: any) => r.target === route && !r.allowed && (r.detail.reason === reason || r.detail.code === reason));
    expect(record, `an audit record for ${route} with reason ${reason}`).toBeDefined();
    expect(JSON.stringify(record)).not.toContain(jwt);
  });
});
