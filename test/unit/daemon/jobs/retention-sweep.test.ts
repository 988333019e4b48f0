// Retention against an in-memory store: finished jobs leave the store (envelope, then result) under
// the count and age rules while the registry keeps their history, nothing is deleted twice, and a
// delete still in flight for an ended registration never removes the next registration's job.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { storeKeys } from '../../../../core/store/types.js';
import { ResultPoll } from '../../../../daemon/jobs/result-poll.js';
import { RetentionSweep } from '../../../../daemon/jobs/retention-sweep.js';
import type { RetentionPolicy } from '../../../../daemon/jobs/retention.js';
import { MemoryStore } from '../../../fixtures/jobs/helpers.js';
import { PIPELINE_ADMIN, startJobPipeline, type JobPipeline } from '../../../harness/job-pipeline.js';
import { cleanupTempDirs } from '../../../harness/tmp.js';

const HOUR = 60 * 60 * 1000;
let store: MemoryStore;
let p: JobPipeline;
/** How far the sweep's clock runs ahead of the real one, which stamps collected results. */
let ahead: number;
let sweep: RetentionSweep;
let poll: ResultPoll;

function setup(policy: RetentionPolicy): void {
  store = new MemoryStore();
  ahead = 0;
  const gate = { idle: (c: string) => sweep.idle(c) };
  p = startJobPipeline(store, { storeGate: gate });
  sweep = new RetentionSweep({ registry: p.registry, store, policy, log: silentLogger(), metrics: p.metrics, clock: () => Date.now() + ahead });
  poll = new ResultPoll({ registry: p.registry, store, fleet: p.fleet, jobs: p.jobs, log: silentLogger(), intervalMs: 1000 });
}

/** Submits n jobs, has the agent finish them all and the daemon collect the results. */
async function finished(cluster: string, n: number) {
  const agent = p.addRegistered(cluster);
  const jobs = await p.submit(cluster, n);
  for (const j of await agent.jobs()) await agent.finish(j);
  await poll.pollOnce();
  return { agent, jobs };
}

const seqsUnder = async (prefix: string) => (await store.list(prefix)).map((e) => Number(/(\d{12})\.json$/.exec(e.key)?.[1])).sort((a, b) => a - b);

beforeEach(() => setup({ keepLast: 10, keepForMs: 0 }));
afterEach(() => p.close());
afterAll(cleanupTempDirs);

describe('job retention sweep', () => {
  it('keeps only the newest jobs in the store, and every job in the registry’s history', async () => {
    await finished('a', 30);
    expect(await sweep.sweep()).toBe(20);
    const newest = Array.from({ length: 10 }, (_, i) => 21 + i);
    expect(await seqsUnder(storeKeys.jobsPrefix('a'))).toEqual(newest);
    expect(await seqsUnder(storeKeys.resultsPrefix('a'))).toEqual(newest);
    expect(p.jobs.list({ cluster: 'a', limit: 100 })).toHaveLength(30);
    expect(p.jobs.list({ cluster: 'a', limit: 100 }).every((j) => j.state === 'succeeded')).toBe(true);
    const deletes = store.ops.delete;
    expect(await sweep.sweep()).toBe(0);
    expect(store.ops.delete).toBe(deletes);
    expect(await p.metrics.registry.getSingleMetricAsString('flotilla_jobs_removed_from_store_total')).toContain('flotilla_jobs_removed_from_store_total 20');
  });

  it('deletes only collected jobs: open ones stay whatever their age', async () => {
    const agent = p.addRegistered('a');
    await p.submit('a', 15);
    for (const j of (await agent.jobs()).slice(0, 12)) await agent.finish(j);
    await poll.pollOnce();
    ahead += 1000 * HOUR;
    expect(await sweep.sweep()).toBe(2);
    expect(await seqsUnder(storeKeys.jobsPrefix('a'))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('waits for the age limit, counted from when the daemon collected the result', async () => {
    p.close();
    setup({ keepLast: 1, keepForMs: 24 * HOUR });
    await finished('a', 5);
    expect(await sweep.sweep()).toBe(0);
    ahead += 23 * HOUR;
    expect(await sweep.sweep()).toBe(0);
    ahead += HOUR;
    expect(await sweep.sweep(['a'])).toBe(4);
    expect(await seqsUnder(storeKeys.jobsPrefix('a'))).toEqual([5]);
  });

  it('tries again after a store outage, deleting what is left', async () => {
    await finished('a', 20);
    store.failing = [storeKeys.resultsPrefix('a')];
    expect(await sweep.sweep()).toBe(0);
    store.failing = [];
    expect(await sweep.sweep()).toBe(10);
    expect(await seqsUnder(storeKeys.resultsPrefix('a'))).toHaveLength(10);
  });

  it('never deletes a job of the next registration with a delete meant for the one that ended', async () => {
    await finished('a', 20);
    // Hold the sweep's first delete (jobs/1 of the old registration) in flight.
    const del = store.delete.bind(store);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let holding: () => void = () => undefined;
    const inFlight = new Promise<void>((r) => (holding = r));
    let held = false;
    store.delete = (key) => {
      if (!held) {
        held = true;
        holding();
        return gate.then(() => del(key));
      }
      return del(key);
    };
    const sweeping = sweep.sweep();
    await inFlight;
    p.fleet.removeCluster({ id: 'admin', name: 'admin' }, 'a');
    const fresh = p.addRegistered('a');
    const submitting = p.jobs.submit(PIPELINE_ADMIN, { cluster: 'a', type: 'uncordon', params: { node: 'n1' } });
    // The new registration's seq 1 waits for the old registration's delete of that key.
    await new Promise((r) => setImmediate(r));
    expect(await store.head(storeKeys.job('a', 1))).toBeNull();
    release();
    await sweeping;
    const res = await submitting;
    if (!('jobs' in res)) throw new Error('expected jobs');
    expect(res.jobs[0]).toMatchObject({ seq: 1, state: 'dispatched' });
    const [job] = await fresh.jobs();
    expect(job?.payload).toMatchObject({ seq: 1, id: res.jobs[0]!.id, agentKeyId: fresh.key.keyid });
  });
});
