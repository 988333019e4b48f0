// The whole foundation across real processes: `flotilla init`, a daemon process, agent processes with
// the sim backend, all over one store directory, driven through the CLI as an operator would.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { sealEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { keyIdOf } from '../../../core/keys.js';
import type { ClusterRow, StoreRejection } from '../../../core/fleet.js';
import { killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startControlPlane } from '../../harness/control-plane.js';

const INTERVAL = 1; // seconds between agent reports, so unreachable comes after ~3 s

describe('daemon and agents as real processes', () => {
  let data: string;
  let env: NodeJS.ProcessEnv;
  let daemon: Proc;
  let server: string;

  const cli = (args: string[]) => runCli(args, { env });
  const listClusters = async (): Promise<ClusterRow[]> => {
    const r = await cli(['cluster', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ClusterRow[];
  };
  const clusterRow = async (name: string) => (await listClusters()).find((c) => c.name === name);
  const rejections = async (): Promise<StoreRejection[]> => {
    const res = await fetch(`${server}/api/v1/rejections`, { headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN}` } });
    return ((await res.json()) as { items: StoreRejection[] }).items;
  };
  const addCluster = async (name: string, labels: string[] = []) => {
    const bundle = join(data, `${name}.yaml`);
    const r = await cli(['cluster', 'add', name, ...labels.flatMap((l) => ['--label', l]), '--interval', String(INTERVAL), '--out', bundle]);
    expect(r.code, r.stderr).toBe(0);
    return bundle;
  };

  beforeAll(async () => {
    data = tempDir();
    ({ daemon, url: server, env } = await startControlPlane(data));
  });

  afterAll(async () => {
    await daemon?.stop();
    killAll();
    cleanupTempDirs();
  });

  it('registers an agent, pins its key and shows its cluster with live status', async () => {
    const bundle = await addCluster('edge-1', ['env=prod', 'team=payments']);
    const agent = startCli(['agent', '--config', bundle, '--data', join(data, 'agent-edge-1'), '--backend', 'sim'], { env });
    const row = await waitUntil(async () => {
      const r = await clusterRow('edge-1');
      return r && r.registration === 'registered' && r.reportedAt !== null ? r : undefined;
    }, { what: 'edge-1 to report' });
    expect(row.labels).toEqual({ env: 'prod', team: 'payments' });
    expect(row.nodes.total).toBeGreaterThan(0);
    expect(row.kubernetesVersion).toMatch(/^v1\./);
    expect(['healthy', 'degraded', 'critical']).toContain(row.health);
    expect(row.dataAgeSeconds).not.toBeNull();
    await agent.stop();
  });

  it('rejects a second registration with the same bootstrap token and keeps the pinned key', async () => {
    const bundle = join(data, 'edge-1.yaml');
    const before = await clusterRow('edge-1');
    const impostor = startCli(['agent', '--config', bundle, '--data', join(data, 'agent-impostor'), '--backend', 'sim'], { env });
    await waitUntil(async () => (await rejections()).find((r) => r.cluster === 'edge-1' && r.reason === 'token_reused'), { what: 'token_reused rejection' });
    await impostor.stop('SIGKILL');
    // The impostor's status reports are signed by its own key and must not have been accepted.
    const reasons = (await rejections()).filter((r) => r.cluster === 'edge-1').map((r) => r.reason);
    expect(reasons).toContain('token_reused');
    const after = await clusterRow('edge-1');
    expect(after?.registration).toBe('registered');
    expect(after?.reportedAt === before?.reportedAt || reasons.includes('unknown_key')).toBe(true);
  });

  it('turns a cluster unreachable when its agent is killed', async () => {
    const bundle = await addCluster('edge-2', ['env=staging']);
    const agent = startCli(['agent', '--config', bundle, '--data', join(data, 'agent-edge-2'), '--backend', 'sim'], { env });
    await waitUntil(async () => (await clusterRow('edge-2'))?.reportedAt, { what: 'edge-2 to report' });
    await agent.stop('SIGKILL');
    const row = await waitUntil(async () => {
      const r = await clusterRow('edge-2');
      return r?.health === 'unreachable' ? r : undefined;
    }, { what: 'edge-2 unreachable', timeoutMs: 30_000 });
    expect(row.reasons.join(' ')).toMatch(/no report/);
  });

  it('rejects forged and corrupt store files, records them, and keeps serving', async () => {
    const bundle = parseYaml(readFileSync(join(data, 'edge-2.yaml'), 'utf8')) as { store: { path: string } };
    const statusFile = join(bundle.store.path, 'clusters', 'edge-2', 'status.json');
    // A status for edge-2 signed by a key that is not its pinned one.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forged = sealEnvelope(PAYLOAD_TYPES.status, { cluster: 'edge-2', seq: 1e9 }, { keyid: keyIdOf(publicKey), privateKey, publicKey });
    writeFileSync(statusFile, forged);
    await waitUntil(async () => (await rejections()).find((r) => r.cluster === 'edge-2' && r.reason === 'unknown_key'), { what: 'forged status rejected' });
    writeFileSync(statusFile, '{"payloadType":"application/vnd.flotilla.status+json","payl');
    await waitUntil(async () => (await rejections()).find((r) => r.cluster === 'edge-2' && r.reason === 'malformed_json'), { what: 'truncated status rejected' });
    const health = await fetch(`${server}/healthz`);
    expect(health.status).toBe(200);
    expect((await clusterRow('edge-2'))?.health).toBe('unreachable');
  });

  it('refuses a forged job in a real agent, which reports it; the daemon records and audits it; a real job still runs', async () => {
    const bundlePath = await addCluster('edge-3', ['env=prod']);
    const bundle = parseYaml(readFileSync(bundlePath, 'utf8')) as { store: { path: string } };
    const agent = startCli(['agent', '--config', bundlePath, '--data', join(data, 'agent-edge-3'), '--backend', 'sim'], { env });
    await waitUntil(async () => (await clusterRow('edge-3'))?.reportedAt, { what: 'edge-3 to report' });
    // A job that poses as the control plane: right cluster, right seq, signed by some other key.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const impostor = { keyid: keyIdOf(publicKey), privateKey, publicKey };
    const now = new Date();
    const forged = sealEnvelope(PAYLOAD_TYPES.job, { cluster: 'edge-3', seq: 1, id: '7f1b7c3e-2f43-4c1e-9a55-1d2b3c4d5e6f', type: 'cleanup', params: { namespace: 'payments' }, issuedAt: now.toISOString(), notAfter: new Date(now.getTime() + 3_600_000).toISOString(), destructive: true, issuer: { tokenId: 'x', name: 'mallory' } }, impostor);
    mkdirSync(join(bundle.store.path, 'clusters', 'edge-3', 'jobs'), { recursive: true });
    writeFileSync(join(bundle.store.path, 'clusters', 'edge-3', 'jobs', '000000000001.json'), forged);
    const rejected = await waitUntil(async () => (await rejections()).find((r) => r.cluster === 'edge-3' && r.key.endsWith('jobs/000000000001.json')), { what: 'forged job reported by the agent', timeoutMs: 30_000 });
    expect(rejected.reason).toBe('unknown_key');
    const audit = await fetch(`${server}/api/v1/audit?limit=200`, { headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN}` } });
    const records = ((await audit.json()) as { items: { action: string; target: string; actor: { id: string } }[] }).items;
    expect(records.some((a) => a.action === 'agent.reject' && a.target.endsWith('jobs/000000000001.json') && a.actor.id === 'agent:edge-3')).toBe(true);

    // The forged file consumed nothing: the control plane's own first job runs.
    const detail = (await (await fetch(`${server}/api/v1/clusters/edge-3`, { headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN}` } })).json()) as { nodes: { name: string }[] };
    const node = detail.nodes[0]!.name;
    const submitted = await cli(['job', 'submit', 'edge-3', 'cordon', '--param', `node=${node}`, '--json']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = (JSON.parse(submitted.stdout) as { jobs: { id: string; seq: number }[] }).jobs[0]!;
    expect(job.seq).toBe(1);
    const done = await waitUntil(async () => {
      const r = await cli(['job', 'show', job.id, '--json']);
      const j = JSON.parse(r.stdout) as { state: string };
      return ['succeeded', 'failed', 'rejected', 'expired'].includes(j.state) ? j : undefined;
    }, { what: 'the real job to finish', timeoutMs: 30_000 });
    expect(done.state).toBe('succeeded');
    await agent.stop();
  });

  it('stops the daemon cleanly on SIGTERM', async () => {
    const { code, signal } = await daemon.stop('SIGTERM');
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});
