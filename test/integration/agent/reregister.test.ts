// An agent that keeps its data dir across `flotilla cluster rm` and `cluster add`, with real
// processes: `flotilla init`, a daemon, `flotilla agent` on the sim backend. The second bundle is a
// new registration: the agent makes new keys, its job journal starts a new scope, seq 1 of the new
// registration runs, an envelope of the old registration written back is refused, and the old
// bundle no longer starts the agent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRow, StoreRejection } from '../../../core/fleet.js';
import type { JobRecord } from '../../../core/jobs.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { startControlPlane } from '../../harness/control-plane.js';
import { killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const CLUSTER = 'rebuilt';

describe('an agent data dir kept across cluster rm and add', () => {
  let data: string;
  let env: NodeJS.ProcessEnv;
  let daemon: Proc;
  let server: string;
  let store: DirStore;
  const agentDir = () => join(data, 'agent-data');

  const cli = async (args: string[]) => {
    const r = await runCli(args, { env });
    expect(r.code, `flotilla ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const startAgent = (bundle: string) => startCli(['agent', '--config', bundle, '--data', agentDir(), '--backend', 'sim'], { env });
  const addCluster = async (file: string) => {
    const bundle = join(data, file);
    await cli(['cluster', 'add', CLUSTER, '--interval', '1', '--out', bundle]);
    return bundle;
  };
  // Operators act through the CLI; the test watches through the REST API, which costs no process per look.
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${server}${path}`, { headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN}` } })).json()) as T;
  const registered = () => waitUntil(async () => (await api<{ row: ClusterRow }>(`/api/v1/clusters/${CLUSTER}`)).row?.registration === 'registered', { what: `${CLUSTER} registered` });
  const submit = async (type: 'cordon' | 'uncordon'): Promise<JobRecord> => (JSON.parse((await cli(['job', 'submit', CLUSTER, type, '--param', 'node=worker-01', '--json'])).stdout) as { jobs: JobRecord[] }).jobs[0] as JobRecord;
  const show = (id: string) => api<JobRecord>(`/api/v1/jobs/${id}`);
  const succeeded = (ids: string[]) => waitUntil(async () => (await Promise.all(ids.map(show))).every((j) => j.state === 'succeeded'), { what: `jobs ${ids.join(', ')} to succeed`, timeoutMs: 30_000 });
  const keyid = () => (JSON.parse(readFileSync(join(agentDir(), 'state.json'), 'utf8')) as { keyid: string }).keyid;
  const journal = () =>
    readFileSync(join(agentDir(), 'jobs.journal'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { t: string; seq?: number; scope?: string; lastFinished?: number });
  const rejections = async () => (await api<{ items: StoreRejection[] }>(`/api/v1/rejections?cluster=${CLUSTER}`)).items;

  beforeAll(async () => {
    data = tempDir();
    ({ daemon, url: server, env } = await startControlPlane(join(data, 'cp')));
    store = new DirStore(join(data, 'cp', 'store'));
  });

  afterAll(async () => {
    await daemon?.stop();
    killAll();
    cleanupTempDirs();
  });

  it('runs the new registration’s jobs from seq 1 in the same data dir, and never the old registration’s', async () => {
    const first = await addCluster('first.yaml');
    let agent = startAgent(first);
    await registered();
    const old = [await submit('cordon'), await submit('uncordon'), await submit('cordon')];
    expect(old.map((j) => j.seq)).toEqual([1, 2, 3]);
    await succeeded(old.map((j) => j.id));
    const oldKey = keyid();
    const oldEnvelope = (await store.get(storeKeys.job(CLUSTER, 3), 1 << 20))!.body;
    await agent.stop();

    await cli(['cluster', 'rm', CLUSTER]);
    const second = await addCluster('second.yaml');
    agent = startAgent(second);
    await registered();
    expect(keyid()).not.toBe(oldKey);
    const fresh = [await submit('uncordon'), await submit('cordon')];
    expect(fresh.map((j) => j.seq)).toEqual([1, 2]);
    await succeeded(fresh.map((j) => j.id));

    // The journal is the new registration's alone: its scope is the new key, its seqs the new ones.
    const records = journal();
    expect(records[0]).toMatchObject({ t: 'checkpoint', scope: keyid() });
    expect(records.filter((r) => r.t === 'finished').map((r) => r.seq)).toEqual([1, 2]);
    await waitUntil(() => /journal of an earlier registration discarded/.test(readFileSync(join(agentDir(), 'agent.log'), 'utf8')), { what: 'the agent to log the discarded journal' });

    // The old registration's seq-3 job written back at the next seq is refused, not run, and reported.
    await store.put(storeKeys.job(CLUSTER, 3), oldEnvelope);
    const refused = await waitUntil(async () => (await rejections()).find((r) => r.key === storeKeys.job(CLUSTER, 3)), { what: 'the agent to report the old envelope' });
    expect(refused.reason).toBe('wrong_agent');
    const next = await submit('uncordon');
    expect(next.seq).toBe(3);
    await succeeded([next.id]);
    await agent.stop();

    // The first bundle belongs to a registration this data dir has left: it does not start the agent.
    const stale = await runCli(['agent', '--config', first, '--data', agentDir(), '--backend', 'sim'], { env });
    expect(stale.code).toBe(78);
    expect(stale.stderr).toMatch(/belongs to an earlier registration/);
    expect(stale.stderr).toMatch(/^next: .*newest bundle/m);
    expect(journal().filter((r) => r.t === 'finished').map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});
