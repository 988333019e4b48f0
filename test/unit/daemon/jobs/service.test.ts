import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../../../core/api.js';
import type { AgentConfig } from '../../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../../core/dsse.js';
import { FlotillaError } from '../../../../core/errors.js';
import { JobPayloadSchema, type JobResult } from '../../../../core/jobs.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { silentLogger } from '../../../../core/log.js';
import { DirStore } from '../../../../core/store/dir.js';
import { storeKeys } from '../../../../core/store/types.js';
import { FleetService } from '../../../../daemon/fleet/service.js';
import { FleetState } from '../../../../daemon/fleet/state.js';
import { checkResult, type ResultContext } from '../../../../daemon/jobs/result-rules.js';
import { JobService } from '../../../../daemon/jobs/service.js';
import { DaemonMetrics } from '../../../../daemon/metrics.js';
import { RETIRED_DETAIL } from '../../../../daemon/registry/jobs.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { FakeJobAgent } from '../../../harness/fake-job-agent.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

const ADMIN: Identity = { provider: 'token', subject: 'tok_admin', name: 'admin', role: 'admin' };
const controlPlane = generateSigningKey();

let dir: string;
let registry: Registry;
let fleet: FleetService;
let jobs: JobService;
let store: DirStore;

beforeEach(() => {
  dir = tempDir('flotilla-jobs-');
  registry = Registry.open(join(dir, 'registry.db'));
  const state = new FleetState(3);
  fleet = new FleetService(registry, state, new DaemonMetrics(() => state.healthCounts(Date.now())), silentLogger());
  store = new DirStore(join(dir, 'store'));
  jobs = new JobService({ registry, fleet, store, signingKey: controlPlane, log: silentLogger() });
});
afterEach(() => registry.close());
afterAll(cleanupTempDirs);

function addRegistered(name: string, labels: Record<string, string> = {}): FakeJobAgent {
  fleet.addCluster({ id: 'admin', name: 'admin' }, { name, labels, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
  const agent = new FakeJobAgent({ cluster: name, bootstrapToken: 't', status: { intervalSeconds: 10 } } as AgentConfig, store, { keyid: controlPlane.keyid, key: controlPlane.publicKey });
  fleet.applyRegistration(name, agent.registration(), storeKeys.registration(name), 'etag');
  return agent;
}

function seqs(res: Awaited<ReturnType<JobService['submit']>>): number[] {
  if (!('jobs' in res)) throw new Error('expected jobs');
  return res.jobs.map((j) => j.seq);
}

describe('job service', () => {
  it('gives each cluster its own growing seq, and a re-added cluster a fresh registration starting at seq 1', async () => {
    const oldAgent = addRegistered('a');
    addRegistered('b');
    expect(seqs(await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'n' } }))).toEqual([1]);
    const open = await jobs.submit(ADMIN, { cluster: 'a', type: 'uncordon', params: { node: 'n' } });
    if (!('jobs' in open)) throw new Error('expected jobs');
    expect(seqs(open)).toEqual([2]);
    expect(seqs(await jobs.submit(ADMIN, { cluster: 'b', type: 'cordon', params: { node: 'n' } }))).toEqual([1]);
    // a refused submission consumes no seq
    await expect(jobs.submit(ADMIN, { cluster: 'a', type: 'scale', params: { namespace: 'x', name: 'y', replicas: -1 } })).rejects.toThrow(FlotillaError);
    const [first] = await oldAgent.jobs();
    if (!first) throw new Error('expected a job');
    expect(first.payload.agentKeyId).toBe(oldAgent.key.keyid);
    await oldAgent.finish(first);
    const firstResult = jobs.verifyResult('a', storeKeys.result('a', 1), (await store.get(storeKeys.result('a', 1), 1 << 20))?.body ?? Buffer.alloc(0));
    if (firstResult.kind !== 'accept') throw new Error(`expected the result to be accepted: ${JSON.stringify(firstResult)}`);
    jobs.applyResults([{ cluster: 'a', key: storeKeys.result('a', 1), etag: 'e1', result: firstResult.result }]);

    fleet.removeCluster({ id: 'admin', name: 'admin' }, 'a');
    const newAgent = addRegistered('a');
    const again = await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'n' } });
    expect(seqs(again)).toEqual([1]);
    // The old registration's objects are gone; only the new job is in the store, bound to the new key.
    expect((await store.list('clusters/a/jobs/')).map((e) => e.key)).toEqual([storeKeys.job('a', 1)]);
    expect(await store.list('clusters/a/results/')).toEqual([]);
    const [fresh] = await newAgent.jobs();
    expect(fresh?.payload.agentKeyId).toBe(newAgent.key.keyid);
    expect(fresh?.payload.agentKeyId).not.toBe(oldAgent.key.keyid);
    // History of the old registration stays readable: its finished job as it was, its open job cancelled.
    const history = jobs.list({ cluster: 'a', limit: 10 });
    expect(history).toHaveLength(3);
    expect(jobs.get(firstResult.result.id)).toMatchObject({ seq: 1, state: 'succeeded' });
    expect(jobs.get(open.jobs[0]?.id ?? '')).toMatchObject({ seq: 2, state: 'cancelled', result: { detail: RETIRED_DETAIL } });
    expect(jobs.get('jobs' in again ? (again.jobs[0]?.id ?? '') : '')).toMatchObject({ seq: 1, state: 'dispatched' });
    // A result the old agent writes now is refused: signed by a key no longer pinned.
    await oldAgent.finish({ seq: 1, payload: first.payload });
    const late = jobs.verifyResult('a', storeKeys.result('a', 1), (await store.get(storeKeys.result('a', 1), 1 << 20))?.body ?? Buffer.alloc(0));
    expect(late).toMatchObject({ kind: 'reject', reason: 'unknown_key' });
    // The removal was audited with what it cancelled.
    expect(registry.audit.list(50).find((e) => e.action === 'cluster.remove')?.detail).toMatchObject({ jobsCancelled: 1 });
  });

  it('survives a store outage at removal: the cleanup is owed until it is done, before the new registration\'s first job is written', async () => {
    addRegistered('a');
    await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'n' } });
    await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'm' } });
    fleet.removeCluster({ id: 'admin', name: 'admin' }, 'a');
    const del = store.delete.bind(store);
    store.delete = () => Promise.reject(new Error('store down'));
    await jobs.flushPending();
    expect(registry.jobs.owedCleanups().map((c) => c.cluster)).toEqual(['a']);
    addRegistered('a');
    const res = await jobs.submit(ADMIN, { cluster: 'a', type: 'uncordon', params: { node: 'n' } });
    if (!('jobs' in res)) throw new Error('expected jobs');
    // Not written over an old registration's leftovers while they cannot be deleted.
    expect(res.jobs[0]).toMatchObject({ seq: 1, state: 'pending' });
    store.delete = del;
    await jobs.flushPending();
    expect(registry.jobs.owedCleanups()).toEqual([]);
    expect(jobs.get(res.jobs[0]?.id ?? '').state).toBe('dispatched');
    expect((await store.list('clusters/a/jobs/')).map((e) => e.key)).toEqual([storeKeys.job('a', 1)]);
  });

  it('authorizes a submission against every cluster it reaches and a cancel against its job\'s cluster, auditing a refusal', async () => {
    addRegistered('a', { env: 'prod' });
    addRegistered('b', { env: 'prod' });
    const viewer: Identity = { provider: 'token', subject: 'tok_v', name: 'vic', role: 'viewer' };
    await expect(jobs.submit(viewer, { selector: 'env=prod', type: 'cordon', params: { node: 'n' }, dryRun: true })).rejects.toMatchObject({ kind: 'forbidden', details: { action: 'job.submit', needs: 'operator' } });
    const res = await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'n' } });
    if (!('jobs' in res)) throw new Error('expected jobs');
    await expect(jobs.cancel(viewer, res.jobs[0]?.id ?? '')).rejects.toMatchObject({ kind: 'forbidden' });
    expect(jobs.list({ limit: 10 }).map((j) => j.type)).toEqual(['cordon']);
    const refused = registry.audit.list(50).filter((e) => !e.allowed).reverse();
    expect(refused).toMatchObject([
      { actor: { id: 'tok_v', name: 'vic' }, action: 'job.submit', target: 'selector:env=prod', detail: { action: 'job.submit', role: 'viewer' } },
      { actor: { id: 'tok_v', name: 'vic' }, action: 'job.cancel', target: res.jobs[0]?.id, detail: { action: 'job.cancel', role: 'viewer' } },
    ]);
  });

  it('signs envelopes the control-plane key verifies, and a failed store write leaves the job pending until flushed', async () => {
    addRegistered('a');
    const put = store.put.bind(store);
    store.put = () => Promise.reject(new Error('store down'));
    const res = await jobs.submit(ADMIN, { cluster: 'a', type: 'cordon', params: { node: 'n' } });
    if (!('jobs' in res)) throw new Error('expected jobs');
    expect(res.jobs[0]?.state).toBe('pending');
    store.put = put;
    await jobs.flushPending();
    expect(jobs.get(res.jobs[0]?.id ?? '').state).toBe('dispatched');
    const obj = await store.get(storeKeys.job('a', 1), 1 << 20);
    const payload = JobPayloadSchema.parse(openEnvelope(obj?.body ?? Buffer.alloc(0), { payloadType: PAYLOAD_TYPES.job, maxBytes: 1 << 20, keyFor: (id) => (id === controlPlane.keyid ? controlPlane.publicKey : undefined) }).payload);
    expect(payload).toMatchObject({ cluster: 'a', seq: 1, type: 'cordon', destructive: false, issuer: { tokenId: 'tok_admin', name: 'admin' } });
  });

  it('seals generated credentials to the agent key: only ciphertext in the store and the registry', async () => {
    const agent = addRegistered('a');
    await jobs.submit(ADMIN, { cluster: 'a', type: 'rotate-credentials', params: { namespace: 'payments', target: 'secret', name: 'api' } });
    const [job] = await agent.jobs();
    const password = job?.secret?.password ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    registry.db.pragma('wal_checkpoint(TRUNCATE)');
    const db = readFileSync(join(dir, 'registry.db'));
    const file = readFileSync(join(dir, 'store', storeKeys.job('a', 1)));
    expect(db.includes(password)).toBe(false);
    expect(file.includes(password)).toBe(false);
    expect(JSON.stringify(jobs.list({ limit: 10 }))).toContain('"sealed":"<sealed>"');
  });

  it('refuses to fan a destructive job out without yes, and fans out to registered matching clusters only', async () => {
    addRegistered('s1', { env: 'staging' });
    addRegistered('s2', { env: 'staging' });
    addRegistered('p1', { env: 'prod' });
    fleet.addCluster({ id: 'admin', name: 'admin' }, { name: 's3', labels: { env: 'staging' }, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
    const refused = await jobs.submit(ADMIN, { selector: 'env=staging', type: 'cleanup', params: { namespace: 'apps' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FlotillaError);
    expect((refused as FlotillaError).next).toMatch(/--yes/);
    const res = await jobs.submit(ADMIN, { selector: 'env=staging', type: 'cleanup', params: { namespace: 'apps' }, yes: true });
    if (!('jobs' in res)) throw new Error('expected jobs');
    expect(res.jobs.map((j) => j.cluster)).toEqual(['s1', 's2']);
    expect(new Set(res.jobs.map((j) => j.fleetJobId)).size).toBe(1);
    const audit = registry.audit.list(10).filter((a) => a.action === 'job.submit');
    expect(audit.map((a) => a.detail.failed ?? 'ok')).toEqual(['ok', 'usage']);
  });
});

describe('result verification rules', () => {
  const agentKey = generateSigningKey();
  const id = randomUUID();
  const now = new Date().toISOString();
  const good: JobResult = { cluster: 'c1', seq: 4, id, state: 'succeeded', startedAt: now, finishedAt: now, detail: 'ok' };
  const agent = new FakeJobAgent({ cluster: 'c1', bootstrapToken: 't', status: { intervalSeconds: 10 } } as AgentConfig, {} as DirStore, { keyid: controlPlane.keyid, key: controlPlane.publicKey }, agentKey);
  const ctx: ResultContext = { clusterKnown: true, agent: { keyid: agentKey.keyid, key: agentKey.publicKey }, job: { id, state: 'dispatched' } };

  function verdict(raw: Buffer, over: Partial<ResultContext> = {}, seq = 4): string {
    const v = checkResult(raw, 'c1', seq, { ...ctx, ...over });
    return v.kind === 'reject' ? v.reason : v.kind;
  }

  it('accepts a result signed by the pinned key for the job at that seq', () => {
    expect(verdict(agent.resultEnvelope(good))).toBe('accept');
    expect(verdict(agent.resultEnvelope(good), { job: { id, state: 'succeeded' } })).toBe('duplicate');
  });

  it('rejects every other result with its reason', () => {
    expect(verdict(agent.resultEnvelope(good), { clusterKnown: false })).toBe('unknown_cluster');
    expect(verdict(agent.resultEnvelope(good), { agent: undefined })).toBe('unknown_key');
    expect(verdict(agent.resultEnvelope(good, generateSigningKey()))).toBe('unknown_key');
    expect(verdict(agent.resultEnvelope(good, controlPlane))).toBe('unknown_key');
    expect(verdict(Buffer.from('{"payloadType":'))).toBe('malformed_json');
    expect(verdict(Buffer.alloc(300 * 1024, 0x20))).toBe('oversize');
    expect(verdict(agent.resultEnvelope({ ...good, state: 'exploded' } as unknown as JobResult))).toBe('malformed_payload');
    expect(verdict(agent.resultEnvelope({ ...good, cluster: 'c2' }))).toBe('wrong_cluster');
    expect(verdict(agent.resultEnvelope(good), {}, 5)).toBe('seq_mismatch');
    expect(verdict(agent.resultEnvelope({ ...good, id: randomUUID() }))).toBe('unknown_job');
    expect(verdict(agent.resultEnvelope(good), { job: undefined })).toBe('unknown_job');
    const env = JSON.parse(agent.resultEnvelope(good).toString('utf8')) as { payload: string };
    env.payload = Buffer.from(JSON.stringify({ ...good, state: 'failed' })).toString('base64');
    expect(verdict(Buffer.from(JSON.stringify(env)))).toBe('bad_signature');
  });
});
