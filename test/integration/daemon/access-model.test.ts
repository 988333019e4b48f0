/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// The authorization model against a plain reference model, on a real daemon (docs/ACCESS.md): random
// labels on eight registered clusters, a random token (a role over a random scope), then random
// requests across REST and the fleet topic — lists, one cluster, series, the pipeline, single and
// fleet job dry runs, relabels — 10,000 in all. The model decides from the structured requirements
// alone (not the daemon's selector parser) who may see and do what; no answer may hold a cluster the
// model says is out of scope, and no request may succeed beyond the role.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../harness/fake-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs } from '../../harness/tmp.js';
import { connectWs, startFixture, type Fixture } from './fixture.js';

const CLUSTERS = ['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'];
const ROLES = ['viewer', 'operator', 'admin'] as const;
type Role = (typeof ROLES)[number];
const rank = (r: Role) => ROLES.indexOf(r);

type Req = { key: string; op: 'eq' | 'ne' | 'exists' | 'absent'; value: string };
type Labels = Record<string, string>;

// The model: a requirement list holds when every requirement does, `ne` true for a missing key.
function holds(labels: Labels, reqs: readonly Req[]): boolean {
  return reqs.every((r) => (r.op === 'eq' ? labels[r.key] === r.value : r.op === 'ne' ? labels[r.key] !== r.value : r.op === 'exists' ? r.key in labels : !(r.key in labels)));
}
const text = (reqs: readonly Req[]) => reqs.map((r) => (r.op === 'eq' ? `${r.key}=${r.value}` : r.op === 'ne' ? `${r.key}!=${r.value}` : r.op === 'exists' ? r.key : `!${r.key}`)).join(',');

const KEYS = ['team', 'env', 'tier'];
const VALUES = ['a', 'b', 'c'];
const labelsArb = fc.record({ team: fc.option(fc.constantFrom(...VALUES), { nil: undefined }), env: fc.option(fc.constantFrom(...VALUES), { nil: undefined }), tier: fc.option(fc.constantFrom(...VALUES), { nil: undefined }) }).map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Labels);
const reqArb: fc.Arbitrary<Req> = fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom('eq', 'ne', 'exists', 'absent' as const), value: fc.constantFrom(...VALUES) });
const reqsArb = fc.array(reqArb, { minLength: 1, maxLength: 3 });
const grantArb = fc.record({ role: fc.constantFrom(...ROLES), scope: fc.option(reqsArb, { nil: null, freq: 4 }) });
const requestArb = fc.oneof(
  fc.constant({ kind: 'list' as const }),
  fc.record({ kind: fc.constant('one' as const), cluster: fc.constantFrom(...CLUSTERS, 'm-none') }),
  fc.record({ kind: fc.constant('series' as const), cluster: fc.constantFrom(...CLUSTERS) }),
  fc.constant({ kind: 'pipeline' as const }),
  fc.record({ kind: fc.constant('job' as const), cluster: fc.constantFrom(...CLUSTERS) }),
  fc.record({ kind: fc.constant('fleetJob' as const), selector: reqsArb }),
  fc.record({ kind: fc.constant('relabel' as const), cluster: fc.constantFrom(...CLUSTERS), tier: fc.constantFrom(...VALUES) }),
);
const REQUESTS_PER_RUN = 200;
const RUNS = 50;

let fx: Fixture;
let seq = 0;

beforeAll(async () => {
  fx = await startFixture();
  for (const name of CLUSTERS) {
    const agent = new FakeAgent(await fx.addCluster(name), fx.store);
    await agent.register();
    await agent.report({ nodes: 1 });
  }
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters')).body.items.every((r: any) => r.registration === 'registered'), { what: 'eight clusters registered' });
}, 60_000);

afterAll(async () => {
  await fx?.daemon.stop();
  cleanupTempDirs();
});

describe('the authorization model', () => {
  it(`holds for ${RUNS * REQUESTS_PER_RUN} random requests of random scoped tokens over randomly labelled clusters`, { timeout: 600_000 }, async () => {
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(labelsArb, { minLength: CLUSTERS.length, maxLength: CLUSTERS.length }), grantArb, fc.array(requestArb, { minLength: REQUESTS_PER_RUN, maxLength: REQUESTS_PER_RUN }), async (labelSets, grant, reqs) => {
        const labels: Record<string, Labels> = {};
        for (const [i, name] of CLUSTERS.entries()) {
          const want = labelSets[i] as Labels;
          const now = (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.labels as Labels;
          const remove = Object.keys(now).filter((k) => !(k in want));
          if (Object.keys(want).length > 0 || remove.length > 0) expect((await fx.api('POST', `/api/v1/clusters/${name}/labels`, { body: { set: want, remove } })).status).toBe(200);
          labels[name] = want;
        }
        seq += 1;
        const created = await fx.api('POST', '/api/v1/tokens', { body: { role: grant.role, name: `model-${seq}`, ...(grant.scope ? { scope: text(grant.scope) } : {}) } });
        expect(created.status).toBe(201);
        const token = created.body.token as string;
        const roleOn = (name: string): Role | null => (grant.scope === null || holds(labels[name] ?? {}, grant.scope) ? grant.role : null);
        const may = (name: string, needs: Role) => {
          const r = roleOn(name);
          return r !== null && rank(r) >= rank(needs);
        };
        const visible = CLUSTERS.filter((n) => may(n, 'viewer')).sort();

        // The fleet topic's snapshot, once per token.
        const ws = await connectWs(fx.daemon.url, token);
        ws.send({ id: 1, op: 'subscribe', topic: 'fleet' });
        const snap = await ws.waitFrame((f) => f.topic === 'fleet' && f.kind === 'snapshot');
        expect(snap.data.map((r: any) => r.name).sort()).toEqual(visible);
        ws.ws.close();

        for (const r of reqs) {
          requests += 1;
          switch (r.kind) {
            case 'list': {
              const res = await fx.api('GET', '/api/v1/clusters', { token });
              expect(res.body.items.map((x: any) => x.name).sort()).toEqual(visible);
              break;
            }
            case 'one':
              // An unknown name: 404 for a fleet-wide token, 403 for a scoped one, whatever its scope.
              expect((await fx.api('GET', `/api/v1/clusters/${r.cluster}`, { token })).status).toBe(r.cluster === 'm-none' ? (grant.scope === null ? 404 : 403) : may(r.cluster, 'viewer') ? 200 : 403);
              break;
            case 'series':
              expect((await fx.api('GET', `/api/v1/metrics/range?cluster=${r.cluster}&series=nodes_ready&since=5m`, { token })).status).toBe(may(r.cluster, 'viewer') ? 200 : 403);
              break;
            case 'pipeline': {
              const res = await fx.api('GET', '/api/v1/pipeline', { token });
              expect(res.body.rows.map((x: any) => x.cluster).sort()).toEqual(visible);
              break;
            }
            case 'job':
              expect((await fx.api('POST', '/api/v1/jobs', { token, body: { cluster: r.cluster, type: 'cordon', params: { node: 'n-0' }, dryRun: true } })).status).toBe(may(r.cluster, 'operator') ? 200 : 403);
              break;
            case 'fleetJob': {
              const res = await fx.api('POST', '/api/v1/jobs', { token, body: { selector: text(r.selector), type: 'cordon', params: { node: 'n-0' }, dryRun: true } });
              const expected = CLUSTERS.filter((n) => holds(labels[n] ?? {}, r.selector) && may(n, 'operator')).sort();
              if (rank(grant.role) < rank('operator')) expect(res.status).toBe(403);
              else if (expected.length === 0) expect(res.status).toBe(404);
              else expect(res.body.dryRun.clusters.map((c: any) => c.cluster)).toEqual(expected);
              break;
            }
            case 'relabel': {
              // Only the tier moves, which no scope below can be sure of: the model judges before and after.
              const next = { ...labels[r.cluster], tier: r.tier };
              const allowed = may(r.cluster, 'operator') && (grant.scope === null || holds(next, grant.scope));
              const res = await fx.api('POST', `/api/v1/clusters/${r.cluster}/labels`, { token, body: { set: { tier: r.tier } } });
              expect(res.status).toBe(allowed ? 200 : 403);
              if (allowed) {
                labels[r.cluster] = next;
                visible.splice(0, visible.length, ...CLUSTERS.filter((n) => may(n, 'viewer')).sort());
              }
              break;
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(requests).toBe(RUNS * REQUESTS_PER_RUN);
  });
});
