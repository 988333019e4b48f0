// Issue 3's resilience test, with real processes: a daemon, four agents on the kube backend, each
// against its own Kubernetes API test server (in this process, so it outlives every agent). 200 jobs
// are queued in the store for four clusters while the daemon is down; every agent is SIGKILLed three
// times at random moments while it works and started again on the same data dir. Afterwards every
// job's effect exists exactly once on its API server, every result is in the store and, once the
// daemon is back, every job is `succeeded` in the registry.
//
// Reproduce a run with FLOTILLA_RESILIENCE_SEED=<seed> (the seed is printed when the test fails).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { RESTARTED_BY } from '../../agent/kube/backend.js';
import type { ClusterRow } from '../../core/fleet.js';
import { isFinal, type JobRecord } from '../../core/jobs.js';
import { workloadEffects } from '../harness/kube-effects.js';
import { seedExecutorFixture, startKubeApiServer, type KubeApiServer, type RecordedRequest } from '../harness/kube-api-server.js';
import { killAll, runCli, startCli, waitUntil, type Proc } from '../harness/proc.js';
import { startSlowProxy, type SlowProxy } from '../harness/slow-proxy.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../harness/control-plane.js';

const CLUSTERS = ['res-1', 'res-2', 'res-3', 'res-4'];
const JOBS_PER_CLUSTER = 50;
const WORKLOADS = 5;
const NAMESPACE = 'work';
/** Every Kubernetes API answer is held this long, so an agent spends most of its time mid-job. */
const RESPONSE_DELAY_MS = 60;
const KILL_ROUNDS = 3;
const CONTEXT = 'edge';
const RESULT_FILE = /^\d{12}\.json$/;

const seed = Number(process.env.FLOTILLA_RESILIENCE_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so a failing run's kill schedule can be replayed. */
function seeded(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface PlannedJob {
  type: 'restart' | 'scale';
  workload: string;
  replicas?: number;
}

/** Even jobs restart a workload, odd ones scale it; each workload's scales alternate 2,1,2,… from its seeded 1, so every scale changes something. */
function plan(): PlannedJob[] {
  const scales = new Map<string, number>();
  return Array.from({ length: JOBS_PER_CLUSTER }, (_, i) => {
    const workload = `svc-${Math.floor(i / 2) % WORKLOADS}`;
    if (i % 2 === 0) return { type: 'restart', workload };
    const n = scales.get(workload) ?? 0;
    scales.set(workload, n + 1);
    return { type: 'scale', workload, replicas: n % 2 === 0 ? 2 : 1 };
  });
}

function seedWorkloads(s: KubeApiServer): void {
  seedExecutorFixture(s);
  s.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE }, spec: { finalizers: ['kubernetes'] } });
  for (let i = 0; i < WORKLOADS; i++) {
    const app = `svc-${i}`;
    s.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: NAMESPACE, labels: { app } },
      spec: { replicas: 1, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1.0` }] } } },
    });
  }
  s.settle();
}

interface LogLine {
  msg?: string;
  id?: string;
  seq?: number;
}

function readLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    });
}

describe('counting effects from the API server request log', () => {
  const patch = (path: string, body: unknown, status = 200): RecordedRequest => ({ method: 'PATCH', path, query: {}, contentType: 'application/merge-patch+json', body, status });
  const stamp = (id: string) => ({ spec: { template: { metadata: { annotations: { [RESTARTED_BY]: id } } } } });
  const api = '/apis/apps/v1/namespaces/work/deployments/api';

  it('sees a job replayed after a later one as a second rollout, and a rolled-back scale as an extra step', () => {
    const fx = workloadEffects(
      [patch(api, stamp('a')), patch(api, stamp('a')), patch(api, stamp('b')), patch(api, stamp('a')), patch(`${api}/scale`, { spec: { replicas: 2 } }), patch(`${api}/scale`, { spec: { replicas: 1 } }), patch(`${api}/scale`, { spec: { replicas: 1 } }), patch(`${api}/scale`, { spec: { replicas: 2 } }, 409)],
      new Map([['work/deployments/api', 1]]),
    );
    expect(fx.get('work/deployments/api')).toEqual({ restartedBy: ['a', 'b', 'a'], replicas: [2, 1], noOpWrites: 2 });
  });

  it('counts no dry run as an effect', () => {
    const dry = { ...patch(api, stamp('a')), query: { dryRun: 'All' } };
    const fx = workloadEffects([dry, { ...patch(`${api}/scale`, { spec: { replicas: 2 } }), query: { dryRun: 'All' } }, patch(api, stamp('b'))], new Map([['work/deployments/api', 1]]));
    expect(fx.get('work/deployments/api')).toEqual({ restartedBy: ['b'], replicas: [], noOpWrites: 0 });
  });
});

describe('jobs resilience: 200 jobs, daemon down, every agent SIGKILLed three times', () => {
  let data: string;
  let env: NodeJS.ProcessEnv;
  let token: string;
  let daemon: Proc | undefined;
  let server = '';
  const kube = new Map<string, KubeApiServer>();
  const proxies: SlowProxy[] = [];
  const agents = new Map<string, Proc>();
  const bundles = new Map<string, string>();
  let storeRoot = '';
  const kills: { cluster: string; round: number; resultsAtKill: number }[] = [];

  const cli = (args: string[]) => runCli(args, { env: { ...env, FLOTILLA_SERVER: server, FLOTILLA_TOKEN: token } });
  const agentDir = (c: string) => join(data, `agent-${c}`);
  const startAgent = (c: string) => {
    const p = startCli(['agent', '--config', bundles.get(c)!, '--data', agentDir(c)], { env });
    agents.set(c, p);
    return p;
  };
  const startDaemon = async () => {
    ({ daemon, url: server } = await startDaemonProcess(join(data, 'daemon.yaml'), env, 30_000));
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const body = (await res.json()) as T;
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const results = (c: string): number => {
    try {
      return readdirSync(join(storeRoot, 'clusters', c, 'results')).filter((f) => RESULT_FILE.test(f)).length;
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    data = tempDir();
    env = isolatedEnv();
    ({ token } = await initControlPlane(data, env));
    await startDaemon();

    for (const c of CLUSTERS) {
      // Plain HTTP: the slow proxy in front of it forwards HTTP.
      const s = await startKubeApiServer({ tickMs: 50, tls: false });
      seedWorkloads(s);
      kube.set(c, s);
      const proxy = await startSlowProxy(s.url, RESPONSE_DELAY_MS);
      proxies.push(proxy);
      const kubeconfig = join(data, `${c}.kubeconfig`);
      writeFileSync(kubeconfig, s.kubeconfig(CONTEXT).replace(s.url, proxy.url));

      const bundle = join(data, `${c}.yaml`);
      const added = await cli(['cluster', 'add', c, '--interval', '1', '--out', bundle]);
      expect(added.code, added.stderr).toBe(0);
      const doc = parseYaml(readFileSync(bundle, 'utf8')) as { store: { path: string }; agent?: Record<string, unknown>; kube?: unknown };
      doc.agent = { ...(doc.agent ?? {}), backend: 'kube' };
      doc.kube = { kubeconfig, context: CONTEXT };
      writeFileSync(bundle, toYaml(doc));
      storeRoot = doc.store.path;
      bundles.set(c, bundle);
    }

    for (const c of CLUSTERS) startAgent(c);
    await waitUntil(
      async () => {
        const r = await cli(['cluster', 'list', '--json']);
        const rows = JSON.parse(r.stdout) as ClusterRow[];
        return CLUSTERS.every((c) => rows.some((row) => row.name === c && row.registration === 'registered' && row.reportedAt !== null && row.kubernetesVersion === 'v1.31.4'));
      },
      { what: 'all four kube-backed agents to register and report', timeoutMs: 60_000, intervalMs: 500 },
    );
    // The agents go away before the jobs are queued, so the whole backlog meets them with the daemon down.
    for (const c of CLUSTERS) expect((await agents.get(c)!.stop('SIGTERM')).code).toBe(0);
  }, 180_000);

  afterAll(async () => {
    killAll();
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all([...kube.values()].map((s) => s.close()));
    cleanupTempDirs();
  });

  it('runs every job exactly once and brings every result to the registry', async () => {
    onTestFailed(() => {
      console.error(`jobs resilience failed with FLOTILLA_RESILIENCE_SEED=${seed}; kills: ${JSON.stringify(kills)}`);
    });
    const random = seeded(seed);
    const planned = plan();

    // ---- 200 jobs queued in the store, in seq order per cluster ----
    const submitted = new Map<string, JobRecord[]>();
    await Promise.all(
      CLUSTERS.map(async (c) => {
        const jobs: JobRecord[] = [];
        for (const p of planned) {
          const params = { namespace: NAMESPACE, name: p.workload, kind: 'Deployment', ...(p.type === 'scale' ? { replicas: p.replicas } : {}) };
          const res = await api<{ jobs: JobRecord[] }>('/api/v1/jobs', { method: 'POST', body: JSON.stringify({ cluster: c, type: p.type, params }) });
          jobs.push(res.jobs[0]!);
        }
        submitted.set(c, jobs);
      }),
    );
    for (const c of CLUSTERS) expect(submitted.get(c)!.map((j) => j.seq)).toEqual(planned.map((_, i) => i + 1));
    await waitUntil(
      async () => {
        for (const c of CLUSTERS) {
          const { items } = await api<{ items: JobRecord[] }>(`/api/v1/jobs?cluster=${c}&limit=100`);
          if (items.length !== JOBS_PER_CLUSTER || items.some((j) => j.state !== 'dispatched')) return false;
        }
        return true;
      },
      { what: 'all 200 jobs dispatched to the store', timeoutMs: 60_000, intervalMs: 250 },
    );
    const stopped = await daemon!.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    daemon = undefined;
    for (const c of CLUSTERS) expect(readdirSync(join(storeRoot, 'clusters', c, 'jobs')).filter((f) => RESULT_FILE.test(f))).toHaveLength(JOBS_PER_CLUSTER);

    // ---- agents work with the daemon down; each is killed three times mid-work ----
    const chaos = async (c: string): Promise<void> => {
      startAgent(c);
      // One kill in each third of the backlog, at a random result count and a random moment after it.
      const third = Math.floor((JOBS_PER_CLUSTER - 6) / KILL_ROUNDS);
      for (let round = 0; round < KILL_ROUNDS; round++) {
        const atRestart = results(c);
        const target = Math.max(2 + round * third + Math.floor(random() * third), atRestart + 1);
        const delay = Math.floor(random() * 3 * RESPONSE_DELAY_MS);
        // The new process has written a result of its own, so it is past start-up and working.
        await waitUntil(() => results(c) >= target, { what: `${c} to reach ${target} results (seed ${seed})`, timeoutMs: 120_000, intervalMs: 20 });
        await sleep(delay);
        const proc = agents.get(c)!;
        proc.child.kill('SIGKILL');
        const exit = await proc.exited;
        kills.push({ cluster: c, round, resultsAtKill: results(c) });
        expect(exit.signal, `${c} round ${round} (seed ${seed}): the agent had already exited: ${proc.stderr().slice(-500)}`).toBe('SIGKILL');
        startAgent(c);
      }
    };
    await Promise.all(CLUSTERS.map(chaos));
    expect(kills).toHaveLength(CLUSTERS.length * KILL_ROUNDS);
    // Every kill hit an agent that still had work queued.
    for (const k of kills) expect(k.resultsAtKill, `seed ${seed}`).toBeLessThan(JOBS_PER_CLUSTER);

    await waitUntil(() => CLUSTERS.every((c) => results(c) === JOBS_PER_CLUSTER), { what: `every cluster's 50 results in the store (seed ${seed})`, timeoutMs: 120_000, intervalMs: 200 });

    // ---- the daemon returns and collects every result ----
    await startDaemon();
    const registry = new Map<string, JobRecord[]>();
    await waitUntil(
      async () => {
        for (const c of CLUSTERS) {
          const r = await cli(['job', 'list', '--cluster', c, '--json']);
          if (r.code !== 0) return false;
          const jobs = JSON.parse(r.stdout) as JobRecord[];
          if (jobs.length !== JOBS_PER_CLUSTER || !jobs.every((j) => isFinal(j.state))) return false;
          registry.set(c, jobs);
        }
        return true;
      },
      { what: `every job final in the registry (seed ${seed})`, timeoutMs: 60_000, intervalMs: 500 },
    );

    let interrupted = 0;
    for (const c of CLUSTERS) {
      const jobs = submitted.get(c)!;
      const ids = new Set(jobs.map((j) => j.id));

      // Registry: all 50 succeeded, each with its agent's result.
      const final = registry.get(c)!;
      expect(final.filter((j) => j.state !== 'succeeded').map((j) => `${j.seq} ${j.state}: ${j.result?.detail ?? ''}`), `${c} (seed ${seed})`).toEqual([]);
      expect(new Set(final.map((j) => j.id))).toEqual(ids);
      expect(final.every((j) => j.result?.state === 'succeeded')).toBe(true);

      // API server: each restart job's id became the pod-template stamp exactly once, each workload's
      // replica count stepped through its scale jobs once each, in seq order, and nothing else wrote.
      const fx = workloadEffects(kube.get(c)!.requests, new Map(Array.from({ length: WORKLOADS }, (_, i) => [`${NAMESPACE}/deployments/svc-${i}`, 1])));
      const stamps = [...fx.values()].flatMap((f) => f.restartedBy);
      const restartIds = jobs.filter((j) => j.type === 'restart').map((j) => j.id);
      expect(stamps.filter((s) => !restartIds.includes(s)), `${c}: stamps by no restart job (seed ${seed})`).toEqual([]);
      for (const id of restartIds) expect(stamps.filter((s) => s === id), `${c}: rollouts stamped ${id} (seed ${seed})`).toHaveLength(1);
      for (let w = 0; w < WORKLOADS; w++) {
        const workload = `svc-${w}`;
        const key = `${NAMESPACE}/deployments/${workload}`;
        const mine = planned.map((p, i) => ({ p, job: jobs[i]! })).filter(({ p }) => p.workload === workload);
        expect(fx.get(key)?.restartedBy, `${c} ${workload} rollouts (seed ${seed})`).toEqual(mine.filter(({ p }) => p.type === 'restart').map(({ job }) => job.id));
        expect(fx.get(key)?.replicas, `${c} ${workload} scale steps (seed ${seed})`).toEqual(mine.filter(({ p }) => p.type === 'scale').map(({ p }) => p.replicas));
        const live = kube.get(c)!.get('deployments', NAMESPACE, workload)!;
        expect(live.spec.template.metadata.annotations[RESTARTED_BY]).toBe(mine.filter(({ p }) => p.type === 'restart').at(-1)!.job.id);
        expect(live.spec.replicas).toBe(mine.filter(({ p }) => p.type === 'scale').at(-1)!.p.replicas);
      }
      expect([...fx.keys()].sort()).toEqual(Array.from({ length: WORKLOADS }, (_, i) => `${NAMESPACE}/deployments/svc-${i}`));

      // Journal: one finished record per seq, the job the daemon issued there, succeeded; nothing in flight.
      const journal = readLines<{ t: string; seq?: number; id?: string; state?: string; lastFinished?: number }>(join(agentDir(c), 'jobs.journal'));
      const finished = journal.filter((r) => r.t === 'finished');
      expect(finished.map((r) => r.seq).sort((a, b) => a! - b!), `${c} journal (seed ${seed})`).toEqual(jobs.map((j) => j.seq));
      for (const r of finished) expect({ seq: r.seq, id: r.id, state: r.state }).toEqual({ seq: r.seq, id: jobs[r.seq! - 1]!.id, state: 'succeeded' });
      const lastStarted = journal.filter((r) => r.t === 'started').at(-1);
      expect(lastStarted === undefined || finished.some((r) => r.seq === lastStarted.seq)).toBe(true);

      // Agent log: a job starts a second time only when resumed after a kill, and finishes once.
      const log = readLines<LogLine>(join(agentDir(c), 'agent.log'));
      const count = (msg: string) => {
        const m = new Map<string, number>();
        for (const l of log) if (l.msg === msg && l.id) m.set(l.id, (m.get(l.id) ?? 0) + 1);
        return m;
      };
      const started = count('job started');
      const resumed = count('resuming a job interrupted before its result was written');
      const adopted = count('adopted a result from the store that the journal had not recorded');
      for (const [id, n] of count('job finished')) expect(n, `${c}: job ${id} finished twice (seed ${seed})`).toBe(1);
      for (const [id, n] of started) expect(n, `${c}: job ${id} started again without a resume (seed ${seed})`).toBeLessThanOrEqual(1 + (resumed.get(id) ?? 0));
      interrupted += [...resumed.values(), ...adopted.values()].reduce((a, b) => a + b, 0);
    }
    // The kills did land inside jobs, not only between them: at least one job was picked up after a crash.
    expect(interrupted, `no kill interrupted a job (seed ${seed}); kills: ${JSON.stringify(kills)}`).toBeGreaterThan(0);
  }, 420_000);
});
