/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The authorization model against a plain reference model, on a real daemon (docs/ACCESS.md): random
// labels on eight registered clusters, each with a log line and a pending job; a random identity,
// either an API token (one grant: a role over a random scope) or an OIDC user of a real provider
// whose subject and groups random bindings cover (several grants, or none at all); then random
// requests across REST and the fleet topic — lists, one cluster, series, the pipeline, log lines,
// jobs, single and fleet job dry runs, relabels, the control plane's own actions — 10,000 in all. The
// model decides from the structured requirements alone (not the daemon's selector parser) who may see
// and do what: a cluster's role is the highest of the grants whose scope its labels match, and a
// control-plane action needs a grant over the whole fleet. No answer may hold a cluster, log line or
// job the model says is out of scope, and no request may succeed beyond the role.
import fc from 'fast-check';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../harness/fake-agent.js';
import { startOidcProvider, type OidcProviderService } from '../../harness/oidc-provider.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { FLEET_WIDE_ACTIONS, type AuthAction } from '../../../core/roles.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

const CLUSTERS = ['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'];
const ROLES = ['viewer', 'operator', 'admin'] as const;
type Role = (typeof ROLES)[number];
const rank = (r: Role) => ROLES.indexOf(r);

type Req = { key: string; op: 'eq' | 'ne' | 'exists' | 'absent'; value: string };
type Labels = Record<string, string>;
type Grant = { role: Role; scope: Req[] | null };

// The model: a requirement list holds when every requirement does, `ne` true for a missing key.
function holds(labels: Labels, reqs: readonly Req[]): boolean {
  return reqs.every((r) => (r.op === 'eq' ? labels[r.key] === r.value : r.op === 'ne' ? labels[r.key] !== r.value : r.op === 'exists' ? r.key in labels : !(r.key in labels)));
}
const text = (reqs: readonly Req[]) => reqs.map((r) => (r.op === 'eq' ? `${r.key}=${r.value}` : r.op === 'ne' ? `${r.key}!=${r.value}` : r.op === 'exists' ? r.key : `!${r.key}`)).join(',');
const highest = (grants: readonly Grant[]): Role | null => grants.reduce<Role | null>((best, g) => (best === null || rank(g.role) > rank(best) ? g.role : best), null);
const atLeast = (role: Role | null, needs: Role) => role !== null && rank(role) >= rank(needs);

const KEYS = ['team', 'env', 'tier'];
const VALUES = ['a', 'b', 'c'];
const labelsArb = fc.record({ team: fc.option(fc.constantFrom(...VALUES), { nil: undefined }), env: fc.option(fc.constantFrom(...VALUES), { nil: undefined }), tier: fc.option(fc.constantFrom(...VALUES), { nil: undefined }) }).map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Labels);
const reqArb: fc.Arbitrary<Req> = fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom('eq', 'ne', 'exists', 'absent' as const), value: fc.constantFrom(...VALUES) });
const reqsArb = fc.array(reqArb, { minLength: 1, maxLength: 3 });
const grantArb: fc.Arbitrary<Grant> = fc.record({ role: fc.constantFrom(...ROLES), scope: fc.option(reqsArb, { nil: null, freq: 4 }) });

// The signed-in user is always `me`: bindings of `other`, and of groups its token does not name, must
// give it nothing. Names get a per-run prefix when made, so no run sees another's bindings.
const GROUPS = ['g-0', 'g-1', 'g-2'];
// One binding from daemon.yaml for the whole file: the grants of a user can mix both sources.
const CONFIG_GROUP = 'cfg-env-a';
const CONFIG_GRANT: Grant = { role: 'viewer', scope: [{ key: 'env', op: 'eq', value: 'a' }] };
type Binding = { kind: 'subject' | 'group'; name: string } & Grant;
// Mostly `me` among the subjects, so that few runs end with a user no binding covers.
const boundArb = fc.oneof(fc.record({ kind: fc.constant('subject' as const), name: fc.constantFrom('me', 'me', 'me', 'other') }), fc.record({ kind: fc.constant('group' as const), name: fc.constantFrom(...GROUPS) }));
const bindingArb: fc.Arbitrary<Binding> = fc.tuple(boundArb, grantArb).map(([who, grant]) => ({ ...who, ...grant }));
const identityArb = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('token' as const), grant: grantArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('oidc' as const), groups: fc.subarray([...GROUPS, CONFIG_GROUP]), bindings: fc.array(bindingArb, { minLength: 2, maxLength: 5 }) }) },
);
type IdentitySpec = typeof identityArb extends fc.Arbitrary<infer T> ? T : never;

/** The grants the model says the identity holds: a token's one, or every binding of the user's subject and groups. */
function grantsOf(id: IdentitySpec): Grant[] {
  if (id.kind === 'token') return [id.grant];
  const bound = id.bindings.filter((b) => (b.kind === 'subject' ? b.name === 'me' : id.groups.includes(b.name))).map((b) => ({ role: b.role, scope: b.scope }));
  return id.groups.includes(CONFIG_GROUP) ? [...bound, CONFIG_GRANT] : bound;
}

// The control plane's own actions: admin over the whole fleet, admin grants that between them cover
// every cluster notwithstanding. Once past the gate the writes' bodies are refused (400) or name
// nothing (404), so no run changes tokens or bindings; a backup is the one write that happens.
const CONTROL_PLANE: { action: AuthAction; method: string; path: string; body?: unknown; passes: number }[] = [
  { action: 'token.read', method: 'GET', path: '/api/v1/tokens', passes: 200 },
  { action: 'token.create', method: 'POST', path: '/api/v1/tokens', body: { role: 'root' }, passes: 400 },
  { action: 'token.revoke', method: 'DELETE', path: '/api/v1/tokens/tok_none', passes: 404 },
  { action: 'binding.read', method: 'GET', path: '/api/v1/bindings', passes: 200 },
  { action: 'binding.create', method: 'POST', path: '/api/v1/bindings', body: { kind: 'nobody' }, passes: 400 },
  { action: 'binding.remove', method: 'DELETE', path: '/api/v1/bindings/bnd_none', passes: 404 },
  { action: 'audit.verify', method: 'GET', path: '/api/v1/audit/verify', passes: 200 },
  { action: 'backup.read', method: 'GET', path: '/api/v1/backups', passes: 200 },
  { action: 'controlplane.backup', method: 'POST', path: '/api/v1/backups', passes: 201 },
];

const requestArb = fc.oneof(
  fc.constant({ kind: 'list' as const }),
  fc.record({ kind: fc.constant('one' as const), cluster: fc.constantFrom(...CLUSTERS, 'm-none') }),
  fc.record({ kind: fc.constant('series' as const), cluster: fc.constantFrom(...CLUSTERS) }),
  fc.constant({ kind: 'pipeline' as const }),
  fc.constant({ kind: 'logs' as const }),
  fc.constant({ kind: 'jobs' as const }),
  fc.record({ kind: fc.constant('job' as const), cluster: fc.constantFrom(...CLUSTERS) }),
  fc.record({ kind: fc.constant('fleetJob' as const), selector: reqsArb }),
  fc.record({ kind: fc.constant('relabel' as const), cluster: fc.constantFrom(...CLUSTERS), tier: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant('controlPlane' as const), which: fc.nat({ max: CONTROL_PLANE.length - 1 }) }),
);
const REQUESTS_PER_RUN = 200;
const RUNS = 50;

let provider: OidcProviderService;
let signer: Awaited<ReturnType<typeof importJWK>>;
let kid: string | undefined;
let fx: Fixture;
let seq = 0;

function idToken(sub: string, groups: string[]): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ preferred_username: sub, groups }).setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) }).setIssuer(provider.issuer).setAudience(provider.clientId).setSubject(sub).setIssuedAt(now).setExpirationTime(now + 600).sign(signer);
}

beforeAll(async () => {
  provider = await startOidcProvider();
  const [key] = (await provider.signingKeys()) as [JWK];
  ({ kid } = key);
  signer = await importJWK(key, 'RS256');
  fx = await startFixture({ 'auth.oidc': { issuer: provider.issuer, clientId: provider.clientId }, 'auth.bindings': [{ group: CONFIG_GROUP, role: CONFIG_GRANT.role, scope: text(CONFIG_GRANT.scope ?? []) }] });
  const agents: FakeAgent[] = [];
  for (const name of CLUSTERS) {
    const agent = new FakeAgent(await fx.addCluster(name), fx.store);
    await agent.register();
    await agent.report({ nodes: 1 });
    agents.push(agent);
  }
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters')).body.items.every((r: any) => r.registration === 'registered'), { what: 'eight clusters registered' });
  // Something of every cluster's to leak: a log line and a job no agent picks up.
  for (const [i, name] of CLUSTERS.entries()) {
    const res = await fetch(`${fx.daemon.url}/api/v1/ingest/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sealBatch(makeBatch(name, makeLines(name, 0, 1)), (agents[i] as FakeAgent).key) });
    expect(res.status).toBe(200);
    expect((await fx.api('POST', '/api/v1/jobs', { body: { cluster: name, type: 'cordon', params: { node: 'n-0' } } })).status).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await fx?.daemon.stop();
  await provider?.stop();
  cleanupTempDirs();
});

/** A credential for the identity, made as the fleet admin; the ids of the bindings made, for removal. */
async function credential(id: IdentitySpec, made: string[]): Promise<string> {
  seq += 1;
  if (id.kind === 'token') {
    const created = await fx.api('POST', '/api/v1/tokens', { body: { role: id.grant.role, name: `model-${seq}`, ...(id.grant.scope ? { scope: text(id.grant.scope) } : {}) } });
    expect(created.status).toBe(201);
    return created.body.token as string;
  }
  const own = (name: string) => (name === CONFIG_GROUP ? name : `r${seq}-${name}`);
  for (const b of id.bindings) {
    const res = await fx.api('POST', '/api/v1/bindings', { body: { kind: b.kind, name: own(b.name), role: b.role, ...(b.scope ? { scope: text(b.scope) } : {}) } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    made.push(res.body.id as string);
  }
  return idToken(own('me'), id.groups.map(own));
}

describe('the authorization model', () => {
  it('asks every control-plane action', () => {
    // The daemon's list, read only to know which actions to ask: a new one joins the table above.
    expect(new Set(CONTROL_PLANE.map((c) => c.action))).toEqual(FLEET_WIDE_ACTIONS);
  });

  it(`holds for ${RUNS * REQUESTS_PER_RUN} random requests of scoped tokens and of OIDC users with random bindings, over randomly labelled clusters`, { timeout: 600_000 }, async () => {
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(labelsArb, { minLength: CLUSTERS.length, maxLength: CLUSTERS.length }), identityArb, fc.array(requestArb, { minLength: REQUESTS_PER_RUN, maxLength: REQUESTS_PER_RUN }), async (labelSets, identity, reqs) => {
        const labels: Record<string, Labels> = {};
        const rows = (await fx.api('GET', '/api/v1/clusters')).body.items as { name: string; labels: Labels }[];
        for (const [i, name] of CLUSTERS.entries()) {
          const want = labelSets[i] as Labels;
          const now = rows.find((row) => row.name === name)?.labels ?? {};
          const remove = Object.keys(now).filter((k) => !(k in want));
          if (Object.keys(want).length > 0 || remove.length > 0) expect((await fx.api('POST', `/api/v1/clusters/${name}/labels`, { body: { set: want, remove } })).status).toBe(200);
          labels[name] = want;
        }
        const made: string[] = [];
        try {
          const token = await credential(identity, made);
          const grants = grantsOf(identity);
          // A signed-in user no binding covers is refused everything, 403 (authenticated, not authorized).
          const known = grants.length > 0;
          const roleOn = (labelSet: Labels) => highest(grants.filter((g) => g.scope === null || holds(labelSet, g.scope)));
          const may = (name: string, needs: Role) => atLeast(roleOn(labels[name] ?? {}), needs);
          const fleetWide = highest(grants.filter((g) => g.scope === null));
          const top = highest(grants);
          const seen = () => CLUSTERS.filter((n) => may(n, 'viewer')).sort();
          let visible = seen();
          const listed = (res: { status: number; body: any }, items: (body: any) => any[], cluster: (x: any) => string) => {
            expect(res.status).toBe(known ? 200 : 403);
            if (!known) return;
            expect([...new Set(items(res.body).map(cluster))].sort()).toEqual(visible);
          };
          const status = (allowed: boolean, ok = 200) => (!known ? 403 : allowed ? ok : 403);

          // The fleet topic's snapshot, once per identity.
          if (known) {
            const ws = await connectWs(fx.daemon.url, token);
            ws.send({ id: 1, op: 'subscribe', topic: 'fleet' });
            const snap = await ws.waitFrame((f) => f.topic === 'fleet' && f.kind === 'snapshot');
            expect(snap.data.map((r: any) => r.name).sort()).toEqual(visible);
            ws.ws.close();
          } else {
            await expect(connectWs(fx.daemon.url, token)).rejects.toThrow('status 403');
          }

          for (const r of reqs) {
            requests += 1;
            switch (r.kind) {
              case 'list':
                listed(await fx.api('GET', '/api/v1/clusters', { token }), (b) => b.items, (x) => x.name);
                break;
              case 'one':
                // An unknown name: 404 with any grant over the whole fleet, else 403 whatever the scopes.
                expect((await fx.api('GET', `/api/v1/clusters/${r.cluster}`, { token })).status).toBe(r.cluster === 'm-none' ? status(true, fleetWide !== null ? 404 : 403) : status(may(r.cluster, 'viewer')));
                break;
              case 'series':
                expect((await fx.api('GET', `/api/v1/metrics/range?cluster=${r.cluster}&series=nodes_ready&since=5m`, { token })).status).toBe(status(may(r.cluster, 'viewer')));
                break;
              case 'pipeline':
                listed(await fx.api('GET', '/api/v1/pipeline', { token }), (b) => b.rows, (x) => x.cluster);
                break;
              case 'logs':
                listed(await fx.api('GET', '/api/v1/logs?limit=1000', { token }), (b) => b.items, (x) => x.cluster);
                break;
              case 'jobs':
                listed(await fx.api('GET', '/api/v1/jobs?limit=1000', { token }), (b) => b.items, (x) => x.cluster);
                break;
              case 'job':
                expect((await fx.api('POST', '/api/v1/jobs', { token, body: { cluster: r.cluster, type: 'cordon', params: { node: 'n-0' }, dryRun: true } })).status).toBe(status(may(r.cluster, 'operator')));
                break;
              case 'fleetJob': {
                const res = await fx.api('POST', '/api/v1/jobs', { token, body: { selector: text(r.selector), type: 'cordon', params: { node: 'n-0' }, dryRun: true } });
                const expected = CLUSTERS.filter((n) => holds(labels[n] ?? {}, r.selector) && may(n, 'operator')).sort();
                // Below operator on every grant: refused as such, before the scopes narrow the selector.
                if (!known || !atLeast(top, 'operator')) expect(res.status).toBe(403);
                else if (expected.length === 0) expect(res.status).toBe(404);
                else expect(res.body.dryRun.clusters.map((c: any) => c.cluster)).toEqual(expected);
                break;
              }
              case 'relabel': {
                // Only the tier moves, which no scope below can be sure of: the model judges before and after,
                // and the operator role may come from a different grant on each side.
                const next = { ...labels[r.cluster], tier: r.tier };
                const allowed = may(r.cluster, 'operator') && atLeast(roleOn(next), 'operator');
                const res = await fx.api('POST', `/api/v1/clusters/${r.cluster}/labels`, { token, body: { set: { tier: r.tier } } });
                expect(res.status).toBe(status(allowed));
                if (known && allowed) {
                  labels[r.cluster] = next;
                  visible = seen();
                }
                break;
              }
              case 'controlPlane': {
                const c = CONTROL_PLANE[r.which] as (typeof CONTROL_PLANE)[number];
                const res = await fx.api(c.method, c.path, { token, ...(c.body === undefined ? {} : { body: c.body }) });
                expect(res.status, `${c.action}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(status(atLeast(fleetWide, 'admin'), c.passes));
                break;
              }
            }
          }
        } finally {
          // Removed even when the run failed, so the runs of fast-check's shrinking start clean.
          for (const id of made) await fx.api('DELETE', `/api/v1/bindings/${id}`);
        }
      }),
      { numRuns: RUNS },
    );
    expect(requests).toBe(RUNS * REQUESTS_PER_RUN);
    expect((await fx.api('GET', '/api/v1/bindings')).body.items.map((b: any) => b.source)).toEqual(['config']);
  });
});
