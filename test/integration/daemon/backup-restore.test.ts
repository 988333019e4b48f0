// Control-plane backup and restore across real processes: daemon A runs a fleet of three sim agents
// and backs up; more jobs run (one cluster's agent is down, so its job is still open); A is SIGKILLed
// and its data directory deleted. Daemon B is restored from the store on "another host" (a new data
// directory holding only the carried config and signing key, another port) and takes over: every
// agent keeps reporting to it without registering again, the open job finishes, and the next job of
// every cluster gets a seq above every seq A issued, and succeeds.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord, ControlPlaneBackupInfo } from '../../../core/api.js';
import type { ClusterDetail, ClusterRow, StoreRejection } from '../../../core/fleet.js';
import type { JobRecord } from '../../../core/jobs.js';
import { verifyChain } from '../../../daemon/registry/audit.js';
import type { RestoreReport } from '../../../daemon/backup/restore.js';
import { initControlPlane, isolatedEnv } from '../../harness/control-plane.js';
import { assertBuilt, killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const CLUSTERS = ['br-1', 'br-2', 'br-3'] as const;
/** Its agent is stopped before A's last job for it, so that job is still dispatched when A dies. */
const LAGGING = 'br-3';
const POLL_MS = '200';

let root: string;
let store: string;
let env: NodeJS.ProcessEnv;
let token: string;
let hostA: string;
let hostB: string;
let daemonA: Proc;
let daemonB: Proc | undefined;
let urlA: string;
let urlB: string;
const agents = new Map<string, Proc>();
const nodeOf = new Map<string, string>();
/** Every job A issued, by cluster. */
const issuedByA = new Map<string, JobRecord[]>();
let backupId: string;
let backupAuditSeq: number;
let restoreStartedAt: number;

async function api<T>(url: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const cli = (url: string, args: string[]) => runCli(args, { env: { ...env, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token }, cwd: root });

function startAgent(cluster: string): void {
  agents.set(cluster, startCli(['agent', '--config', join(root, `${cluster}.yaml`), '--data', join(root, `agent-${cluster}`), '--backend', 'sim'], { env }));
}

/** Submits cordon or uncordon of the cluster's first node; returns the job as the daemon recorded it. */
async function submit(url: string, cluster: string, type: 'cordon' | 'uncordon'): Promise<JobRecord> {
  const res = await api<{ jobs: JobRecord[] }>(url, '/api/v1/jobs', { method: 'POST', body: JSON.stringify({ cluster, type, params: { node: nodeOf.get(cluster) } }) });
  return res.jobs[0]!;
}

async function finished(url: string, id: string): Promise<JobRecord> {
  return waitUntil(
    async () => {
      const j = await api<JobRecord>(url, `/api/v1/jobs/${id}`);
      return ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'].includes(j.state) ? j : undefined;
    },
    { what: `job ${id} to finish`, timeoutMs: 30_000 },
  );
}

async function runOnA(cluster: string, type: 'cordon' | 'uncordon'): Promise<JobRecord> {
  const job = await submit(urlA, cluster, type);
  issuedByA.set(cluster, [...(issuedByA.get(cluster) ?? []), job]);
  return job;
}

beforeAll(async () => {
  assertBuilt();
  root = tempDir();
  env = isolatedEnv();
  store = join(root, 'store');
  hostA = join(root, 'host-a');
  hostB = join(root, 'host-b');
  ({ token } = await initControlPlane(hostA, env));
  // The store lives outside A's data directory, as an NFS mount or a bucket would: the one init made
  // moves there (a daemon refuses a store no control plane made).
  cpSync(join(hostA, 'store'), store, { recursive: true });
  rmSync(join(hostA, 'store'), { recursive: true });
  daemonA = startCli(['daemon', '--config', join(hostA, 'daemon.yaml'), '--store', store, '--store-poll-ms', POLL_MS], { env });
  [, urlA] = (await daemonA.waitFor(/listening on (\S+)/, 20_000, 'stderr')) as [string, string];
});

afterAll(async () => {
  await daemonB?.stop();
  await Promise.all([...agents.values()].map((a) => a.stop()));
  killAll();
  cleanupTempDirs();
});

describe('control-plane backup and restore', () => {
  it('daemon A runs a fleet of agents and their first jobs', async () => {
    for (const c of CLUSTERS) {
      const add = await cli(urlA, ['cluster', 'add', c, '--interval', '1']);
      expect(add.code, add.stderr).toBe(0);
      startAgent(c);
    }
    for (const c of CLUSTERS) {
      const detail = await waitUntil(
        async () => {
          const d = await api<ClusterDetail>(urlA, `/api/v1/clusters/${c}`);
          return d.row.registration === 'registered' && d.nodes.length > 0 ? d : undefined;
        },
        { what: `${c} to register and report`, timeoutMs: 30_000 },
      );
      nodeOf.set(c, detail.nodes[0]!.name);
    }
    for (const c of CLUSTERS) {
      expect((await finished(urlA, (await runOnA(c, 'cordon')).id)).state).toBe('succeeded');
      expect((await finished(urlA, (await runOnA(c, 'uncordon')).id)).state).toBe('succeeded');
    }
  }, 90_000);

  it('backs up through the CLI, and lists the backup', async () => {
    const res = await cli(urlA, ['backup', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const backup = JSON.parse(res.stdout) as ControlPlaneBackupInfo;
    expect(backup).toMatchObject({ state: 'ok', trigger: 'manual', clusters: 3, jobs: 6, tokens: 1 });
    backupId = backup.id;
    backupAuditSeq = backup.auditSeq!;
    const list = await cli(urlA, ['backup', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout) as ControlPlaneBackupInfo[];
    // The default schedule is hourly from the start when the store holds none: this is the only one.
    expect(items).toEqual([backup]);
    const table = await cli(urlA, ['backup', '--list']);
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+AGE\\s+TRIGGER\\s+SIZE\\s+STORED\\s+CLUSTERS\\s+JOBS\\s+STATE\\n${backupId}\\s`));
  });

  it('keeps running jobs after the backup, then A is destroyed', async () => {
    for (const c of CLUSTERS.filter((x) => x !== LAGGING)) {
      expect((await finished(urlA, (await runOnA(c, 'cordon')).id)).state).toBe('succeeded');
      expect((await finished(urlA, (await runOnA(c, 'uncordon')).id)).state).toBe('succeeded');
    }
    await agents.get(LAGGING)!.stop();
    const open = await runOnA(LAGGING, 'cordon');
    expect((await api<JobRecord>(urlA, `/api/v1/jobs/${open.id}`)).state).toBe('dispatched');

    // The operator carries the config and the signing key to the new host; nothing else.
    mkdirSync(join(hostB, 'keys'), { recursive: true });
    copyFileSync(join(hostA, 'daemon.yaml'), join(hostB, 'daemon.yaml'));
    copyFileSync(join(hostA, 'keys', 'controlplane.key'), join(hostB, 'keys', 'controlplane.key'));
    const killed = await daemonA.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    rmSync(hostA, { recursive: true, force: true });
    expect(existsSync(hostA)).toBe(false);
  });

  it('restores B from the store: verified, seqs learned from the store, recorded in the audit chain', async () => {
    restoreStartedAt = Date.now();
    const res = await runCli(['restore', '--config', join(hostB, 'daemon.yaml'), '--store', store, '--json'], { env, cwd: root });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as RestoreReport;
    expect(report.backup.id).toBe(backupId);
    expect(report.dataDir).toBe(hostB);
    expect(report.refusedCount).toBe(0);
    const byCluster = new Map(report.clusters.map((c) => [c.cluster, c]));
    for (const c of CLUSTERS) {
      const highestByA = Math.max(...issuedByA.get(c)!.map((j) => j.seq));
      expect(byCluster.get(c)).toMatchObject({ lastSeqBefore: 2, lastSeq: highestByA, adopted: highestByA - 2, dispatched: 0, conflicts: [] });
    }
    expect(readdirSync(hostB).sort()).toEqual(['daemon.yaml', 'keys', 'registry.db']);

    // A second restore never writes over the data directory it built.
    const again = await runCli(['restore', '--config', join(hostB, 'daemon.yaml'), '--store', store], { env, cwd: root });
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/^error: data directory .* is not empty \(registry\.db\); a restore never writes over a data directory\nnext: /);
  });

  it('B takes over: the same token works, every agent keeps reporting to it without registering again', async () => {
    daemonB = startCli(['daemon', '--config', join(hostB, 'daemon.yaml'), '--store', store, '--store-poll-ms', POLL_MS], { env });
    [, urlB] = (await daemonB.waitFor(/listening on (\S+)/, 20_000, 'stderr')) as [string, string];
    expect(urlB).not.toBe(urlA);
    startAgent(LAGGING);
    for (const c of CLUSTERS) {
      const row = await waitUntil(
        async () => {
          const rows = await api<{ items: ClusterRow[] }>(urlB, '/api/v1/clusters');
          const r = rows.items.find((x) => x.name === c);
          return r?.reportedAt && Date.parse(r.reportedAt) > restoreStartedAt ? r : undefined;
        },
        { what: `${c} to report to B`, timeoutMs: 30_000 },
      );
      expect(row.registration).toBe('registered');
    }
    const rejections = await api<{ items: StoreRejection[] }>(urlB, '/api/v1/rejections');
    expect(rejections.items).toEqual([]);
  }, 90_000);

  it('B has every job A issued, finishes the open one, and the next job of every cluster succeeds above every seq A used', async () => {
    for (const c of CLUSTERS) {
      for (const j of issuedByA.get(c)!) expect((await finished(urlB, j.id)).state, `${c} seq ${j.seq}`).toBe('succeeded');
    }
    for (const c of CLUSTERS) {
      const highestByA = Math.max(...issuedByA.get(c)!.map((j) => j.seq));
      const last = issuedByA.get(c)!.at(-1)!;
      const next = await submit(urlB, c, last.type === 'cordon' ? 'uncordon' : 'cordon');
      expect(next.seq).toBe(highestByA + 1);
      expect((await finished(urlB, next.id)).state).toBe('succeeded');
    }
  }, 90_000);

  it("records the backup and the restore in B's audit chain, which verifies", async () => {
    const { items } = await api<{ items: AuditRecord[] }>(urlB, '/api/v1/audit?limit=10000');
    const chain = [...items].reverse();
    expect(verifyChain(chain)).toEqual({ ok: true, count: chain.length });
    const backup = chain.find((r) => r.action === 'controlplane.backup' && r.target === backupId);
    expect(backup?.detail).toEqual({ trigger: 'manual' });
    const restore = chain.find((r) => r.action === 'controlplane.restore');
    expect(restore).toMatchObject({ target: backupId, actor: { id: 'restore' }, allowed: true });
    expect(restore!.detail).toMatchObject({ backupId, backupAuditSeq, refused: 0 });
    // The snapshot holds its own backup record; what A wrote after the snapshot is not in B's chain,
    // so the restore's record follows the snapshot's last one directly.
    expect(backup!.seq).toBeLessThanOrEqual(backupAuditSeq);
    expect(restore!.seq).toBe(backupAuditSeq + 1);
  });
});
