/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// A cluster removed and added again (a rebuilt cluster) is a new registration: its seqs start at 1,
// the old registration's jobs and results leave the store, and an old envelope written back into the
// store is refused by the real agent runner (wrong_agent) while the new registration's job runs.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../agent/jobs/runner.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { storeKeys } from '../../../core/store/types.js';
import { CountingActions } from '../../fixtures/jobs/helpers.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.daemon.stop();
});
afterAll(cleanupTempDirs);

async function controlPlane(): Promise<{ keyid: string; publicKey: ReturnType<typeof publicKeyFromBase64> }> {
  const info = (await fx.api('GET', '/api/v1/info')).body;
  return { keyid: info.controlPlane.keyid, publicKey: publicKeyFromBase64(info.controlPlane.publicKey) };
}

async function registeredAgent(name: string): Promise<FakeJobAgent> {
  const cp = await controlPlane();
  const agent = new FakeJobAgent(await fx.addCluster(name), fx.store, { keyid: cp.keyid, key: cp.publicKey });
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return agent;
}

async function submit(body: Record<string, unknown>): Promise<any> {
  const res = await fx.api('POST', '/api/v1/jobs', { body });
  expect(res.status).toBe(201);
  return res.body.jobs[0];
}

async function job(id: string): Promise<any> {
  return (await fx.api('GET', `/api/v1/jobs/${id}`)).body;
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await fx.store.list(prefix)).map((e) => e.key).sort();
}

describe('jobs across cluster rm and add', () => {
  it('starts the new registration at seq 1, clears the old one from the store, and a real agent refuses its envelopes', async () => {
    const old = await registeredAgent('rebuilt');
    const scaled = await submit({ cluster: 'rebuilt', type: 'scale', params: { namespace: 'apps', name: 'web', replicas: 4 } });
    const cordoned = await submit({ cluster: 'rebuilt', type: 'cordon', params: { node: 'n1' } });
    expect([scaled.seq, cordoned.seq]).toEqual([1, 2]);
    const [first] = await old.jobs();
    await old.finish(first!);
    await waitUntil(async () => (await job(scaled.id)).state === 'succeeded', { what: 'the old registration’s first job to succeed' });
    const oldEnvelopes = await Promise.all([1, 2].map(async (seq) => (await fx.store.get(storeKeys.job('rebuilt', seq), 1 << 20))!.body));

    expect((await fx.api('DELETE', '/api/v1/clusters/rebuilt')).status).toBe(200);
    const fresh = await registeredAgent('rebuilt');
    expect(fresh.key.keyid).not.toBe(old.key.keyid);
    const next = await submit({ cluster: 'rebuilt', type: 'uncordon', params: { node: 'n1' } });
    expect(next).toMatchObject({ seq: 1, state: 'dispatched' });
    // Only the new registration's job is left: the old jobs and the old result are gone.
    expect(await keysUnder(storeKeys.jobsPrefix('rebuilt'))).toEqual([storeKeys.job('rebuilt', 1)]);
    expect(await keysUnder(storeKeys.resultsPrefix('rebuilt'))).toEqual([]);
    // The old registration's history stays: the finished job as it was, the open one cancelled.
    expect(await job(scaled.id)).toMatchObject({ seq: 1, state: 'succeeded' });
    expect(await job(cordoned.id)).toMatchObject({ seq: 2, state: 'cancelled' });

    // Someone with store access writes the old registration's seq-2 envelope back.
    await fx.store.put(storeKeys.job('rebuilt', 2), oldEnvelopes[1]!);
    const actions = new CountingActions();
    const runner = await JobRunner.open({
      cluster: 'rebuilt',
      store: fx.store,
      actions,
      key: fresh.key,
      encryption: fresh.encryption,
      controlPlane: await controlPlane(),
      dataDir: tempDir(),
      pollIntervalMs: 1000,
      logger: silentLogger(),
    });
    await runner.pollNow();
    expect(runner.lastJobSeq()).toBe(1);
    expect(actions.effects.get(next.id)).toBe(1);
    expect(actions.totalEffects).toBe(1);
    expect(runner.pendingRejections()).toEqual([expect.objectContaining({ key: storeKeys.job('rebuilt', 2), reason: 'wrong_agent' })]);
    await waitUntil(async () => (await job(next.id)).state === 'succeeded', { what: 'the new registration’s job to succeed' });

    // The old seq-1 envelope written over the finished seq is never even read: the agent looks only above its high-water seq.
    await fx.store.put(storeKeys.job('rebuilt', 1), oldEnvelopes[0]!);
    await runner.pollNow();
    expect(runner.pendingRejections().map((r) => r.reason)).toEqual(['wrong_agent']);
    expect(actions.calls).toBe(1);
    await runner.stop();

    // A result the old agent still writes for a job the daemon waits for is refused: its key is no longer pinned.
    const waiting = await submit({ cluster: 'rebuilt', type: 'cordon', params: { node: 'n2' } });
    expect(waiting.seq).toBe(2);
    await old.finish({ seq: 2, payload: { ...first!.payload, seq: 2 } });
    await waitUntil(
      async () => ((await fx.api('GET', '/api/v1/rejections?cluster=rebuilt')).body.items as any[]).find((r) => r.key === storeKeys.result('rebuilt', 2)),
      { what: 'the old agent’s result to be rejected' },
    );
    const rejection = ((await fx.api('GET', '/api/v1/rejections?cluster=rebuilt')).body.items as any[]).find((r) => r.key === storeKeys.result('rebuilt', 2));
    expect(rejection.reason).toBe('unknown_key');
    expect((await job(waiting.id)).state).toBe('dispatched');
  });
});
