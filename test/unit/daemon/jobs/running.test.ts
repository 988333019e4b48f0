// The `running` state: a status report naming the seq its agent is executing moves that job from
// dispatched to running (streamed on the jobs topic); results then finish it, and nothing moves back.
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../../../core/api.js';
import type { JobRecord } from '../../../../core/jobs.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { silentLogger } from '../../../../core/log.js';
import type { StatusReport } from '../../../../core/status.js';
import { DirStore } from '../../../../core/store/dir.js';
import { storeKeys } from '../../../../core/store/types.js';
import type { AgentConfig } from '../../../../config/schemas.js';
import { FleetService } from '../../../../daemon/fleet/service.js';
import { FleetState } from '../../../../daemon/fleet/state.js';
import { JobService } from '../../../../daemon/jobs/service.js';
import { DaemonMetrics } from '../../../../daemon/metrics.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { FakeJobAgent } from '../../../harness/fake-job-agent.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

const OPERATOR: Identity = { provider: 'token', subject: 'tok_op', name: 'op', role: 'operator' };
const controlPlane = generateSigningKey();

let registry: Registry;
let fleet: FleetService;
let jobs: JobService;
let store: DirStore;
let reportSeq = 0;
let streamed: JobRecord[][];

beforeEach(() => {
  const dir = tempDir('flotilla-running-');
  registry = Registry.open(join(dir, 'registry.db'));
  const state = new FleetState(3);
  fleet = new FleetService(registry, state, new DaemonMetrics(() => state.healthCounts(Date.now())), silentLogger());
  store = new DirStore(join(dir, 'store'));
  jobs = new JobService({ registry, fleet, store, signingKey: controlPlane, log: silentLogger() });
  streamed = [];
  jobs.subscribe((changed) => streamed.push(changed));
});
afterEach(() => registry.close());
afterAll(cleanupTempDirs);

function addRegistered(name: string): FakeJobAgent {
  fleet.addCluster({ id: 'admin', name: 'admin' }, { name, labels: {}, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
  const agent = new FakeJobAgent({ cluster: name, bootstrapToken: 't', status: { intervalSeconds: 10 } } as AgentConfig, store, { keyid: controlPlane.keyid, key: controlPlane.publicKey });
  fleet.applyRegistration(name, agent.registration(), storeKeys.registration(name), 'etag');
  return agent;
}

function report(cluster: string, extra: Partial<StatusReport>): StatusReport {
  reportSeq += 1;
  return {
    cluster,
    seq: reportSeq,
    reportedAt: new Date().toISOString(),
    intervalSeconds: 10,
    agentVersion: '0.1.0',
    kubernetesVersion: 'v1.31.4',
    nodes: [],
    workloads: [],
    pods: { running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 },
    restarts: 0,
    podProblems: [],
    events: [],
    pipeline: { queueDepth: 0, oldestUnshippedSeconds: 0, dropped: 0 },
    metrics: { cpuUsageRatio: 0, memoryUsageRatio: 0, podDensityRatio: 0 },
    ...extra,
  };
}

function acceptReport(cluster: string, extra: Partial<StatusReport>): void {
  fleet.applyBatch([{ cluster, report: report(cluster, extra), etag: `e${reportSeq}` }], []);
}

async function submitCordon(cluster: string): Promise<JobRecord> {
  const res = await jobs.submit(OPERATOR, { cluster, type: 'cordon', params: { node: 'n1' } });
  if (!('jobs' in res) || !res.jobs[0]) throw new Error('expected a job');
  return res.jobs[0];
}

describe('running job state', () => {
  it('marks the dispatched job a report names running and streams the change', async () => {
    addRegistered('a');
    const job = await submitCordon('a');
    expect(job.state).toBe('dispatched');
    streamed = [];
    acceptReport('a', { runningJobSeq: job.seq, lastJobSeq: 0 });
    expect(jobs.get(job.id).state).toBe('running');
    expect(streamed).toEqual([[expect.objectContaining({ id: job.id, state: 'running' })]]);
    // The next report saying the same thing changes nothing and streams nothing.
    streamed = [];
    acceptReport('a', { runningJobSeq: job.seq });
    expect(streamed).toEqual([]);
  });

  it('lets the result finish a running job, and a later report never moves it back', async () => {
    const agent = addRegistered('a');
    const job = await submitCordon('a');
    acceptReport('a', { runningJobSeq: job.seq });
    const [read] = await agent.jobs();
    if (!read) throw new Error('the job is not in the store');
    const result = await agent.finish(read);
    jobs.applyResults([{ cluster: 'a', key: storeKeys.result('a', job.seq), etag: 'r1', result }]);
    expect(jobs.get(job.id).state).toBe('succeeded');
    acceptReport('a', { runningJobSeq: job.seq });
    expect(jobs.get(job.id).state).toBe('succeeded');
  });

  it('ignores a seq the cluster does not have, another cluster’s seq, and reports without the field', async () => {
    addRegistered('a');
    addRegistered('b');
    const onA = await submitCordon('a');
    const onB = await submitCordon('b');
    streamed = [];
    acceptReport('a', { runningJobSeq: 99 });
    acceptReport('a', {});
    expect(jobs.get(onA.id).state).toBe('dispatched');
    // Report of cluster b naming seq 1 marks b's job, never a's job at the same seq.
    acceptReport('b', { runningJobSeq: onB.seq });
    expect(jobs.get(onB.id).state).toBe('running');
    expect(jobs.get(onA.id).state).toBe('dispatched');
    expect(streamed.flat().map((j) => j.id)).toEqual([onB.id]);
  });

  it('leaves a job whose store write has not happened yet pending', async () => {
    addRegistered('a');
    const put = store.put.bind(store);
    store.put = () => Promise.reject(new Error('store down'));
    const job = await submitCordon('a');
    store.put = put;
    expect(job.state).toBe('pending');
    acceptReport('a', { runningJobSeq: job.seq });
    expect(jobs.get(job.id).state).toBe('pending');
  });
});
