// Jobs benchmark (issue: jobs). Three figures:
// - pickup latency: jobs signed here with the `flotilla init` control-plane key are written to the
//   store at a steady rate; a real agent process (sim backend) runs them. Latency is from the start
//   of the store write to the result's `startedAt`, which the runner stamps when it takes the job up
//   (before verifying and journaling it), on the directory store and on S3 (s3rver);
// - jobs per second through one agent: a burst of cheap jobs (cordon/uncordon on the sim) written at
//   once; from the first job started to the last one finished;
// - fan-out: one fleet job by selector through the REST API of a daemon process to N registered
//   clusters; from the request to the response (the daemon answers after writing every envelope) and
//   to the last `dispatched` patch on the jobs topic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { AgentConfig } from '../../config/schemas.js';
import type { ClusterAddResponse, ListResponse } from '../../core/api.js';
import type { ClusterRow } from '../../core/fleet.js';
import type { JobRecord, JobResult } from '../../core/jobs.js';
import { readPrivateKeyFile } from '../../core/key-files.js';
import type { ServerFrame } from '../../core/protocol.js';
import type { StoreConfig } from '../../core/store/config.js';
import { DirStore } from '../../core/store/dir.js';
import { openStore } from '../../core/store/open.js';
import { S3Store } from '../../core/store/s3.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { initControlPlane } from '../../daemon/init.js';
import { FakeAgent } from '../harness/fake-agent.js';
import { startS3rver, type S3Service } from '../harness/s3rver.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { benchBundle, cheapJob, ResultReader, spawnAgent, stopProcess, writeJob } from './job-agent.js';
import { startDaemonProcess } from './job-daemon.js';
import { ProcSampler, summarize } from './proc-sampler.js';

export type StoreKind = 'dir' | 's3';

export interface PickupResult {
  store: StoreKind;
  pollIntervalMs: number;
  /** Mean gap between job writes; each gap is drawn uniformly from ±1/3 around it. */
  meanGapMs: number;
  latencyMs: ReturnType<typeof summarize>;
  notSucceeded: number;
  /** Over the whole run on this store (pickup and burst): envelopes the agent refused, from its log. */
  agentRefusals: number;
  /** Results the bench read half-written (s3rver only) and read again. */
  tornResultReads: number;
}

export interface ThroughputResult {
  store: StoreKind;
  jobs: number;
  /** Writing the whole burst to the store, 16 writes at a time. */
  writeSeconds: number;
  /** First job started → last job finished. */
  runSeconds: number;
  jobsPerSecond: number;
  /** Start of the burst's first write → last job finished (includes the pickup wait). */
  totalSeconds: number;
  notSucceeded: number;
}

export interface FanoutResult {
  clusters: number;
  /** Request sent → response received; the daemon answers after every envelope is in the store. */
  responseMs: number;
  /** Request sent → every job seen as pending / dispatched on the jobs topic. */
  allPendingMs: number;
  allDispatchedMs: number;
  envelopesInStore: number;
  daemonCpuSeconds: number;
  daemonRssPeakMiB: number;
}

const POLL_INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function countRefusals(agentLog: string): number {
  return readFileSync(agentLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes('refused a job envelope')).length;
}

const succeededCount = (results: Iterable<JobResult>) => [...results].filter((r) => r.state === 'succeeded').length;

export interface StoreUnderTest {
  config: StoreConfig;
  /** The bench's own client; S3 credentials are passed explicitly, the agent gets them from its environment. */
  store: ObjectStore;
  agentEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function storeUnderTest(kind: StoreKind): Promise<StoreUnderTest> {
  if (kind === 'dir') {
    const path = tempDir('flotilla-bench-store-');
    return { config: { type: 'dir', path, pollIntervalMs: POLL_INTERVAL_MS }, store: new DirStore(path), agentEnv: {}, stop: async () => undefined };
  }
  const s3: S3Service = await startS3rver('flotilla-bench');
  const config: StoreConfig = { type: 's3', bucket: s3.bucket, prefix: 'bench/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, pollIntervalMs: POLL_INTERVAL_MS };
  const store = new S3Store({ bucket: s3.bucket, prefix: 'bench/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  return { config, store, agentEnv: { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey }, stop: () => s3.stop() };
}

/** Pickup latency, then a burst, through one agent process on one store. */
export async function benchJobsOnStore(kind: StoreKind, opts: { pickupJobs: number; meanGapMs: number; burstJobs: number; log?: (s: string) => void }): Promise<{ pickup: PickupResult; throughput: ThroughputResult }> {
  const log = opts.log ?? (() => undefined);
  const dir = tempDir('flotilla-bench-jobs-');
  await initControlPlane({ dataDir: dir, port: 0 });
  const controlPlane = readPrivateKeyFile(join(dir, 'keys', 'controlplane.key'));
  const sut = await storeUnderTest(kind);
  const cluster = `bench-jobs-${kind}`;
  const bundle = benchBundle(cluster, sut.config, controlPlane, join(dir, 'agent'));
  const agent = await spawnAgent(bundle, dir, sut.agentEnv);
  try {
    const results = new ResultReader(sut.store, cluster);
    const agentKeyId = await waitFor('the agent registration', 30_000, () => results.registered());
    const job = (seq: number) => cheapJob(cluster, agentKeyId, seq);
    // One job first, so process start-up and first-use costs stay out of the figures.
    await writeJob(sut.store, controlPlane, job(1));
    await results.all([1], 30_000);

    log(`  ${kind}: ${opts.pickupJobs} jobs, one every ~${opts.meanGapMs} ms`);
    const writtenAt = new Map<number, number>();
    for (let i = 0; i < opts.pickupJobs; i += 1) {
      const seq = 2 + i;
      const started = Date.now();
      writtenAt.set(seq, started);
      await writeJob(sut.store, controlPlane, job(seq));
      // Irregular gaps, so writes do not fall at one fixed phase of the agent's poll.
      const gap = opts.meanGapMs * (2 / 3 + (2 / 3) * Math.random());
      await sleep(Math.max(0, gap - (Date.now() - started)));
    }
    const picked = await results.all([...writtenAt.keys()], 60_000 + opts.pickupJobs * 1000);
    const latencies = [...picked].map(([seq, r]) => Date.parse(r.startedAt) - (writtenAt.get(seq) as number));
    const pickup: PickupResult = { store: kind, pollIntervalMs: POLL_INTERVAL_MS, meanGapMs: opts.meanGapMs, latencyMs: summarize(latencies), notSucceeded: picked.size - succeededCount(picked.values()), agentRefusals: 0, tornResultReads: 0 };

    log(`  ${kind}: burst of ${opts.burstJobs} jobs`);
    const first = 2 + opts.pickupJobs;
    const seqs = Array.from({ length: opts.burstJobs }, (_, i) => first + i);
    const payloads = seqs.map(job);
    const burstStart = Date.now();
    // In seq order, 16 at a time: the agent waits at a gap, as it would for a daemon's in-order writes.
    await inBatches(payloads, 16, (p) => writeJob(sut.store, controlPlane, p));
    const writeSeconds = (Date.now() - burstStart) / 1000;
    const done = await results.all(seqs, 120_000 + opts.burstJobs * 1000);
    const starts = [...done.values()].map((r) => Date.parse(r.startedAt));
    const ends = [...done.values()].map((r) => Date.parse(r.finishedAt));
    const runSeconds = (Math.max(...ends) - Math.min(...starts)) / 1000;
    const throughput: ThroughputResult = {
      store: kind,
      jobs: opts.burstJobs,
      writeSeconds,
      runSeconds,
      jobsPerSecond: opts.burstJobs / runSeconds,
      totalSeconds: (Math.max(...ends) - burstStart) / 1000,
      notSucceeded: done.size - succeededCount(done.values()),
    };
    await stopProcess(agent);
    pickup.agentRefusals = countRefusals(join(dir, 'agent', 'agent.log'));
    pickup.tornResultReads = results.tornReads;
    return { pickup, throughput };
  } finally {
    await stopProcess(agent);
    await sut.stop();
    cleanupTempDirs();
  }
}

/** One fleet job by selector to `clusters` registered clusters, through a daemon process. */
export async function benchFanout(clusters: number, opts: { log?: (s: string) => void } = {}): Promise<FanoutResult> {
  const log = opts.log ?? (() => undefined);
  const dir = tempDir('flotilla-bench-fanout-');
  const daemon = await startDaemonProcess(dir);
  try {
    log(`  adding and registering ${clusters} clusters`);
    const names = Array.from({ length: clusters }, (_, i) => `fan-${String(i).padStart(5, '0')}`);
    const bundles: AgentConfig[] = [];
    await inBatches(names, 32, async (name) => {
      const res = await daemon.api('POST', '/api/v1/clusters', { name, labels: { env: 'bench' } });
      if (res.status !== 201) throw new Error(`cluster add ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      bundles.push((res.body as ClusterAddResponse<AgentConfig>).bundle);
    });
    const store = openStore(bundles[0]!.store);
    await inBatches(bundles, 32, (b) => new FakeAgent(b, store).register());
    await waitFor(`${clusters} clusters registered`, 120_000, async () => {
      const list = (await daemon.api('GET', '/api/v1/clusters')).body as ListResponse<ClusterRow>;
      return list.items.filter((r) => r.registration === 'registered').length === clusters;
    });

    const pendingAt = new Map<string, number>();
    const dispatchedAt = new Map<string, number>();
    const ws = new WebSocket(`${daemon.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${daemon.token}` } });
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as ServerFrame;
      if (!('topic' in frame) || frame.topic !== 'jobs' || frame.kind !== 'patch') return;
      const now = performance.now();
      for (const j of frame.changes) {
        if (!pendingAt.has(j.id)) pendingAt.set(j.id, now);
        if (j.state !== 'pending' && !dispatchedAt.has(j.id)) dispatchedAt.set(j.id, now);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ id: 1, op: 'subscribe', topic: 'jobs' }));
    await sleep(1000);

    log(`  one cordon job by selector to ${clusters} clusters`);
    const sampler = new ProcSampler(daemon.child.pid!);
    sampler.start();
    const t0 = performance.now();
    const res = await daemon.api('POST', '/api/v1/jobs', { selector: 'env=bench', type: 'cordon', params: { node: 'worker-01' } });
    const responseMs = performance.now() - t0;
    if (res.status !== 201) throw new Error(`fleet job submit: ${res.status} ${JSON.stringify(res.body)}`);
    const ids = (res.body as { jobs: JobRecord[] }).jobs.map((j) => j.id);
    await waitFor('every job dispatched on the jobs topic', 120_000, async () => ids.every((id) => dispatchedAt.has(id)));
    const usage = sampler.stop();
    ws.close();
    const latest = (m: Map<string, number>) => Math.max(...ids.map((id) => m.get(id) as number)) - t0;
    const perCluster: number[] = [];
    await inBatches(names, 64, async (name) => {
      perCluster.push((await store.list(storeKeys.jobsPrefix(name))).length);
    });
    const envelopes = perCluster.reduce((x, y) => x + y, 0);
    return {
      clusters,
      responseMs,
      allPendingMs: latest(pendingAt),
      allDispatchedMs: latest(dispatchedAt),
      envelopesInStore: envelopes,
      daemonCpuSeconds: usage.cores * usage.seconds,
      daemonRssPeakMiB: usage.rssPeakBytes / 2 ** 20,
    };
  } finally {
    await stopProcess(daemon.child);
    cleanupTempDirs();
  }
}
