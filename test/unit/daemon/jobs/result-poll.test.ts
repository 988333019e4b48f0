// The daemon's result collection against an in-memory store that counts requests: it asks only for
// the result keys of open jobs, walks a backlog in one poll, looks past a missing result as far as
// the agent reported finishing, and reads each version of a bad result once.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { storeKeys } from '../../../../core/store/types.js';
import { ResultPoll } from '../../../../daemon/jobs/result-poll.js';
import { MemoryStore } from '../../../fixtures/jobs/helpers.js';
import { startJobPipeline, type JobPipeline } from '../../../harness/job-pipeline.js';
import { cleanupTempDirs } from '../../../harness/tmp.js';

let store: MemoryStore;
let p: JobPipeline;
let poll: ResultPoll;
let applied: string[][];

beforeEach(() => {
  store = new MemoryStore();
  p = startJobPipeline(store);
  applied = [];
  poll = new ResultPoll({ registry: p.registry, store, fleet: p.fleet, jobs: p.jobs, log: silentLogger(), intervalMs: 1000, onApplied: (c) => applied.push(c) });
});
afterEach(() => p.close());
afterAll(cleanupTempDirs);

/** The store requests one poll makes. */
async function pollCost(): Promise<MemoryStore['ops']> {
  const before = { ...store.ops };
  await poll.pollOnce();
  return { get: store.ops.get - before.get, put: store.ops.put - before.put, head: store.ops.head - before.head, list: store.ops.list - before.list, delete: store.ops.delete - before.delete };
}

const states = (ids: string[]) => ids.map((id) => p.jobs.get(id).state);

describe('job result poll', () => {
  it('asks only for the result keys of open jobs: nothing for finished history, one HEAD for one waiting job', async () => {
    const agent = p.addRegistered('a');
    p.addRegistered('idle');
    const jobs = await p.submit('a', 40);
    for (const j of await agent.jobs()) await agent.finish(j);
    expect(await pollCost()).toMatchObject({ list: 0, get: 40 });
    expect(states(jobs.map((j) => j.id)).every((s) => s === 'succeeded')).toBe(true);
    expect(applied).toEqual([['a']]);

    // 40 finished jobs in the store, none open: a poll asks the store nothing.
    expect(await pollCost()).toEqual({ get: 0, put: 0, head: 0, list: 0, delete: 0 });
    const [next] = await p.submit('a', 1);
    expect(await pollCost()).toEqual({ get: 0, put: 0, head: 1, list: 0, delete: 0 });
    const job = (await agent.jobs()).find((j) => j.payload.id === next!.id)!;
    await agent.finish(job);
    expect(await pollCost()).toEqual({ get: 1, put: 0, head: 1, list: 0, delete: 0 });
    expect(p.jobs.get(next!.id).state).toBe('succeeded');
  });

  it('collects a backlog of results in one poll, in doubling windows of HEADs', async () => {
    const agent = p.addRegistered('a');
    const jobs = await p.submit('a', 100);
    for (const j of (await agent.jobs()).slice(0, 70)) await agent.finish(j);
    const cost = await pollCost();
    expect(cost.get).toBe(70);
    // Windows of 1, 2, 4, … 64 in turn: never more than one HEAD per open job, and no more windows after the first gap.
    expect(cost.head).toBeLessThanOrEqual(100);
    expect(states(jobs.map((j) => j.id)).filter((s) => s === 'succeeded')).toHaveLength(70);
  });

  it('looks past a missing result as far as the agent reports having finished', async () => {
    const agent = p.addRegistered('a');
    const jobs = await p.submit('a', 3);
    for (const j of await agent.jobs()) await agent.finish(j);
    await store.delete(storeKeys.result('a', 1));
    await poll.pollOnce();
    // Results come in seq order, so without the agent's word the poll waits at seq 1.
    expect(states(jobs.map((j) => j.id))).toEqual(['dispatched', 'dispatched', 'dispatched']);
    p.report('a', 3);
    await poll.pollOnce();
    expect(states(jobs.map((j) => j.id))).toEqual(['dispatched', 'succeeded', 'succeeded']);
  });

  it('reads each version of a bad result once, records it once, and takes the real one after it', async () => {
    const agent = p.addRegistered('a');
    const [job] = await p.submit('a', 1);
    await store.put(storeKeys.result('a', 1), Buffer.from('{"not":"an envelope"}'));
    expect((await pollCost()).get).toBe(1);
    expect((await pollCost()).get).toBe(0);
    expect(p.registry.rejections.list({ cluster: 'a', limit: 10 }).map((r) => r.key)).toEqual([storeKeys.result('a', 1)]);
    expect(p.jobs.get(job!.id).state).toBe('dispatched');
    const [read] = await agent.jobs();
    await agent.finish(read!);
    await poll.pollOnce();
    expect(p.jobs.get(job!.id).state).toBe('succeeded');
  });

  it('keeps polling through a store outage and collects once the store is back', async () => {
    const agent = p.addRegistered('a');
    const [job] = await p.submit('a', 1);
    const [read] = await agent.jobs();
    await agent.finish(read!);
    store.failing = ['clusters/'];
    await poll.pollOnce();
    expect(p.jobs.get(job!.id).state).toBe('dispatched');
    store.failing = [];
    await poll.pollOnce();
    expect(p.jobs.get(job!.id).state).toBe('succeeded');
  });
});
