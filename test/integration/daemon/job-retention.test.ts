// Job history leaves the store, with real processes: a daemon (retention: keep the newest 5, no age
// limit) and an agent on the sim backend run 60 jobs. The store ends up holding only the retained
// jobs while `flotilla job list` keeps all 60; neither process ever lists jobs/ or results/ to poll;
// an idle daemon asks nothing about results and an idle agent only HEADs the next job key; and a
// deleted envelope written back into the store never runs again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { JobRecord } from '../../../core/jobs.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { metricValue } from '../../harness/prom-text.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { freePort } from '../../harness/free-port.js';

const CLUSTER = 'busy';
const JOBS = 60;
const KEEP = 5;

describe('job retention with a daemon and an agent process', () => {
  let data: string;
  let env: NodeJS.ProcessEnv;
  let daemon: Proc;
  let agent: Proc;
  let server: string;
  let agentMetrics: string;
  let store: DirStore;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server}${path}`, { method, headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await res.json()) as T;
  };
  const scrape = async (url: string) => (await fetch(url)).text();
  const seqsUnder = async (prefix: string) => (await store.list(prefix)).map((e) => Number(/(\d{12})\.json$/.exec(e.key)?.[1])).sort((a, b) => a - b);

  beforeAll(async () => {
    data = tempDir();
    const cpEnv = isolatedEnv();
    const { token, configPath } = await initControlPlane(join(data, 'cp'), cpEnv);
    const config = parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, stringify({ ...config, jobs: { retention: { keepLast: KEEP, keepHours: 0 } } }));
    ({ daemon, url: server } = await startDaemonProcess(configPath, cpEnv));
    env = { ...cpEnv, FLOTILLA_SERVER: server, FLOTILLA_TOKEN: token };
    store = new DirStore(join(data, 'cp', 'store'));

    const bundlePath = join(data, `${CLUSTER}.yaml`);
    const add = await runCli(['cluster', 'add', CLUSTER, '--interval', '1', '--out', bundlePath], { env });
    expect(add.code, add.stderr).toBe(0);
    const port = await freePort();
    const bundle = parse(readFileSync(bundlePath, 'utf8')) as { agent?: Record<string, unknown> };
    writeFileSync(bundlePath, stringify({ ...bundle, agent: { ...bundle.agent, metricsPort: port } }), { mode: 0o600 });
    agentMetrics = `http://127.0.0.1:${port}/metrics`;
    agent = startCli(['agent', '--config', bundlePath, '--data', join(data, 'agent'), '--backend', 'sim'], { env });
    await waitUntil(async () => (await api<{ row: { registration: string } }>('GET', `/api/v1/clusters/${CLUSTER}`)).row?.registration === 'registered', { what: `${CLUSTER} registered` });
  });

  afterAll(async () => {
    await agent?.stop();
    await daemon?.stop();
    killAll();
    cleanupTempDirs();
  });

  it('keeps only the retained jobs in the store, polls by key, and never runs a deleted job again', async () => {
    const submitted: JobRecord[] = [];
    let firstEnvelope: Buffer | undefined;
    for (let i = 0; i < JOBS; i += 1) {
      const res = await api<{ jobs: JobRecord[] }>('POST', '/api/v1/jobs', { cluster: CLUSTER, type: i % 2 === 0 ? 'cordon' : 'uncordon', params: { node: 'worker-01' } });
      submitted.push(res.jobs[0]!);
      // Job 1's envelope stays in the store until KEEP later jobs have finished: keep a copy.
      firstEnvelope ??= (await store.get(storeKeys.job(CLUSTER, 1), 1 << 20))?.body;
    }
    expect(submitted.map((j) => j.seq)).toEqual(Array.from({ length: JOBS }, (_, i) => i + 1));
    expect(firstEnvelope).toBeDefined();
    await waitUntil(async () => (await api<{ items: JobRecord[] }>('GET', `/api/v1/jobs?cluster=${CLUSTER}&limit=500`)).items.filter((j) => j.state === 'succeeded').length === JOBS, { what: `all ${JOBS} jobs to succeed`, timeoutMs: 60_000 });

    // Only the newest KEEP jobs stay in the store; the registry keeps the whole history.
    const newest = Array.from({ length: KEEP }, (_, i) => JOBS - KEEP + 1 + i);
    await waitUntil(async () => JSON.stringify(await seqsUnder(storeKeys.jobsPrefix(CLUSTER))) === JSON.stringify(newest) && JSON.stringify(await seqsUnder(storeKeys.resultsPrefix(CLUSTER))) === JSON.stringify(newest), { what: 'retention to leave the newest jobs only' });
    const list = await runCli(['job', 'list', '--cluster', CLUSTER, '--json'], { env });
    expect((JSON.parse(list.stdout) as JobRecord[]).length).toBe(JOBS);
    const daemonText = await scrape(`${server}/metrics`);
    expect(metricValue(daemonText, 'flotilla_jobs_removed_from_store_total')).toBe(JOBS - KEEP);

    // Neither process lists jobs/ or results/ to poll (the agent lists results/ once, at start).
    const agentText = await scrape(agentMetrics);
    expect(metricValue(daemonText, 'flotilla_store_requests_total', { op: 'list', area: 'jobs' })).toBe(0);
    expect(metricValue(daemonText, 'flotilla_store_requests_total', { op: 'list', area: 'results' })).toBe(0);
    expect(metricValue(agentText, 'flotilla_agent_store_requests_total', { op: 'list', area: 'jobs' })).toBe(0);
    expect(metricValue(agentText, 'flotilla_agent_store_requests_total', { op: 'list', area: 'results' })).toBeLessThanOrEqual(1);

    // Idle, with nothing open: over several agent polls the daemon asks nothing about results and the
    // agent only HEADs the key after its high-water seq.
    const agentHeads = (t: string) => metricValue(t, 'flotilla_agent_store_requests_total', { op: 'head', area: 'jobs' });
    const before = { daemon: await scrape(`${server}/metrics`), agent: await scrape(agentMetrics) };
    await waitUntil(async () => agentHeads(await scrape(agentMetrics)) >= agentHeads(before.agent) + 3, { what: 'three idle agent polls' });
    const after = { daemon: await scrape(`${server}/metrics`), agent: await scrape(agentMetrics) };
    const delta = (name: string, labels: Record<string, string>, key: 'daemon' | 'agent') => metricValue(after[key], name, labels) - metricValue(before[key], name, labels);
    for (const op of ['get', 'head', 'list', 'put', 'delete']) {
      expect(delta('flotilla_store_requests_total', { op, area: 'results' }, 'daemon'), `daemon ${op} results`).toBe(0);
      expect(delta('flotilla_store_requests_total', { op, area: 'jobs' }, 'daemon'), `daemon ${op} jobs`).toBe(0);
      if (op !== 'head') expect(delta('flotilla_agent_store_requests_total', { op, area: 'jobs' }, 'agent'), `agent ${op} jobs`).toBe(0);
      expect(delta('flotilla_agent_store_requests_total', { op, area: 'results' }, 'agent'), `agent ${op} results`).toBe(0);
    }

    // Job 1's envelope, deleted long ago, written back by someone with store access: never read, never run.
    await store.put(storeKeys.job(CLUSTER, 1), firstEnvelope!);
    const next = await api<{ jobs: JobRecord[] }>('POST', '/api/v1/jobs', { cluster: CLUSTER, type: 'cordon', params: { node: 'worker-02' } });
    expect(next.jobs[0]!.seq).toBe(JOBS + 1);
    await waitUntil(async () => (await api<JobRecord>('GET', `/api/v1/jobs/${next.jobs[0]!.id}`)).state === 'succeeded', { what: 'the next job to succeed' });
    const journal = readFileSync(join(data, 'agent', 'jobs.journal'), 'utf8');
    const finishedSeqs = journal.split('\n').filter((l) => l.includes('"t":"finished"')).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(finishedSeqs.filter((s) => s === 1).length).toBeLessThanOrEqual(1);
    const starts = readFileSync(join(data, 'agent', 'agent.log'), 'utf8').split('\n').filter((l) => l.includes('"msg":"job started"'));
    expect(starts).toHaveLength(JOBS + 1);
    expect(await store.head(storeKeys.result(CLUSTER, 1))).toBeNull();
    expect((await api<{ items: { key: string }[] }>('GET', `/api/v1/rejections?cluster=${CLUSTER}`)).items.map((r) => r.key)).not.toContain(storeKeys.job(CLUSTER, 1));
  });
});
