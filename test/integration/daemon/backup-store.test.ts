/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// Control-plane backups against a real store with an in-process daemon: the restore's seq rule when
// job retention has removed envelopes and results, a snapshot job still pending, forged evidence;
// what a restore refuses (a changed part, a foreign manifest, a cut-short backup); pruning and the
// schedule; and the same backup and restore on S3 (s3rver), with a snapshot cut into many parts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../config/daemon.js';
import type { DaemonConfig } from '../../../config/schemas.js';
import type { ControlPlaneBackupInfo } from '../../../core/api.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import type { JobPayload } from '../../../core/jobs.js';
import { readPrivateKeyFile } from '../../../core/key-files.js';
import { generateSigningKey, publicKeyFromBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { S3Store } from '../../../core/store/s3.js';
import { storeKeys } from '../../../core/store/types.js';
import { listBackups } from '../../../daemon/backup/catalog.js';
import { BACKUP_FORMAT, sealManifest, type BackupManifest } from '../../../daemon/backup/manifest.js';
import { restoreControlPlane } from '../../../daemon/backup/restore.js';
import { downloadSnapshot, uploadSnapshot } from '../../../daemon/backup/snapshot.js';
import { initControlPlane } from '../../../daemon/init.js';
import { startDaemon, type DaemonHandle } from '../../../daemon/main.js';
import { Registry } from '../../../daemon/registry/registry.js';
import { makeStatusReport } from '../../harness/fake-agent.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { startS3rver } from '../../harness/s3rver.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});
afterAll(cleanupTempDirs);

async function fixture(flags: Record<string, unknown> = {}): Promise<Fixture> {
  const fx = await startFixture({ 'backup.interval': 'off', ...flags });
  running.push(fx.daemon);
  return fx;
}

async function agentFor(fx: Fixture, name: string): Promise<FakeJobAgent> {
  const info = (await fx.api('GET', '/api/v1/info')).body as { controlPlane: { keyid: string; publicKey: string } };
  const agent = new FakeJobAgent(await fx.addCluster(name), fx.store, { keyid: info.controlPlane.keyid, key: publicKeyFromBase64(info.controlPlane.publicKey) });
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return agent;
}

async function submit(fx: Fixture, cluster: string, replicas: number): Promise<{ id: string; seq: number; state: string }> {
  const r = await fx.api('POST', '/api/v1/jobs', { body: { cluster, type: 'scale', params: { namespace: 'apps', name: 'web', replicas } } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.jobs[0];
}

async function state(fx: Fixture, id: string): Promise<string> {
  return (await fx.api('GET', `/api/v1/jobs/${id}`)).body.state as string;
}

async function finishSeq(agent: FakeJobAgent, seq: number): Promise<void> {
  const job = (await agent.jobs()).find((j) => j.seq === seq);
  if (!job) throw new Error(`no job at seq ${seq}`);
  await agent.finish(job);
}

async function backup(fx: Fixture): Promise<ControlPlaneBackupInfo> {
  const r = await fx.api('POST', '/api/v1/backups');
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.backup as ControlPlaneBackupInfo;
}

function restoredConfig(fx: Fixture): DaemonConfig {
  return { ...fx.config, dataDir: join(tempDir('flotilla-restored-'), 'data'), listen: { host: '127.0.0.1', port: 0 } };
}

describe('the seq rule against a store that job retention has thinned', () => {
  it('learns seqs from what is left, adopts open jobs, dispatches a snapshot job the agent has, ignores forgeries, and B continues', async () => {
    const fx = await fixture();
    const agent = await agentFor(fx, 'alpha');
    const jobsDir = join(fx.config.store.type === 'dir' ? fx.config.store.path : '', 'clusters', 'alpha', 'jobs');

    const j1 = await submit(fx, 'alpha', 1);
    await finishSeq(agent, 1);
    await waitUntil(async () => (await state(fx, j1.id)) === 'succeeded', { what: 'job 1 succeeded' });
    // A file where the jobs directory belongs: the store write of job 2 fails and it stays pending.
    rmSync(jobsDir, { recursive: true });
    writeFileSync(jobsDir, 'blocked');
    const j2 = await submit(fx, 'alpha', 2);
    expect(j2.state).toBe('pending');
    const taken = await backup(fx);
    expect(taken).toMatchObject({ state: 'ok', jobs: 2, clusters: 1 });

    // After the backup: job 2 reaches the store and runs, jobs 3 and 4 are issued, 3 runs.
    rmSync(jobsDir);
    await waitUntil(async () => (await state(fx, j2.id)) === 'dispatched', { what: 'job 2 written' });
    await finishSeq(agent, 2);
    const j3 = await submit(fx, 'alpha', 3);
    const j4 = await submit(fx, 'alpha', 4);
    await finishSeq(agent, 3);
    await waitUntil(async () => (await state(fx, j3.id)) === 'succeeded', { what: 'job 3 succeeded' });
    await fx.daemon.stop();

    // Retention removed every finished envelope and result; the agent's report says it finished 3.
    for (const seq of [1, 2, 3]) {
      await fx.store.delete(storeKeys.job('alpha', seq));
      await fx.store.delete(storeKeys.result('alpha', seq));
    }
    agent.seq += 1;
    await fx.store.put(storeKeys.status('alpha'), agent.statusEnvelope({ ...makeStatusReport('alpha', agent.seq), lastJobSeq: 3 }));
    // Evidence nobody may count: a job signed by another key, and a genuine one for another agent key.
    const genuine = readPrivateKeyFile(fx.config.keys.signingKey);
    const stranger = generateSigningKey();
    const payload = (seq: number, agentKeyId: string): JobPayload => ({ cluster: 'alpha', agentKeyId, seq, id: '00000000-0000-4000-8000-0000000000ff', type: 'scale', params: {}, issuedAt: new Date().toISOString(), notAfter: new Date(Date.now() + 3_600_000).toISOString(), destructive: false, issuer: { tokenId: 't', name: 'x' } });
    await fx.store.put(storeKeys.job('alpha', 9), sealEnvelope(PAYLOAD_TYPES.job, payload(9, agent.key.keyid), stranger));
    await fx.store.put(storeKeys.job('alpha', 12), sealEnvelope(PAYLOAD_TYPES.job, payload(12, stranger.keyid), genuine));

    const config = restoredConfig(fx);
    const report = await restoreControlPlane({ config, configFile: join(tempDir(), 'daemon.yaml') });
    expect(report.backup.id).toBe(taken.id);
    expect(report.clusters).toEqual([{ cluster: 'alpha', lastSeqBefore: 2, received: 4, lastSeq: 4, adopted: 1, dispatched: 1, conflicts: [] }]);
    expect(report.refused.map((r) => [r.key, r.reason]).sort()).toEqual([
      [storeKeys.job('alpha', 9), 'unknown_key'],
      [storeKeys.job('alpha', 12), 'unknown_key'],
    ]);
    expect(readdirSync(config.dataDir)).toEqual(['registry.db']);

    const registry = Registry.open(join(config.dataDir, 'registry.db'));
    try {
      expect(registry.jobs.get(j2.id)?.state).toBe('dispatched');
      expect(registry.jobs.get(j4.id)).toMatchObject({ state: 'dispatched', seq: 4, generation: 0 });
      // Job 3 left nothing behind but the agent's word that it finished: it is history the backup missed.
      expect(registry.jobs.get(j3.id)).toBeUndefined();
      expect(registry.audit.verify().ok).toBe(true);
      const [last] = registry.audit.list(1);
      expect(last).toMatchObject({ action: 'controlplane.restore', target: taken.id, seq: report.auditSeq, detail: { refused: 2, clusters: [{ cluster: 'alpha', lastSeqBefore: 2, lastSeq: 4, adopted: 1, dispatched: 1 }] } });
    } finally {
      registry.close();
    }

    // The restored daemon records the adopted job's result and issues seq 5, which the agent runs.
    // (A real agent refuses and reports the forgeries; this fake one only reads clean stores.)
    await fx.store.delete(storeKeys.job('alpha', 9));
    await fx.store.delete(storeKeys.job('alpha', 12));
    const b = await startDaemon(config, { logger: silentLogger() });
    running.push(b);
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${b.url}${path}`, { method, headers: { authorization: `Bearer ${fx.adminToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    await finishSeq(agent, 4);
    await waitUntil(async () => (await api('GET', `/api/v1/jobs/${j4.id}`)).body.state === 'succeeded', { what: 'adopted job 4 recorded by B' });
    const next = await api('POST', '/api/v1/jobs', { cluster: 'alpha', type: 'scale', params: { namespace: 'apps', name: 'web', replicas: 5 } });
    expect(next.status).toBe(201);
    expect(next.body.jobs[0].seq).toBe(5);
    await finishSeq(agent, 5);
    await waitUntil(async () => (await api('GET', `/api/v1/jobs/${next.body.jobs[0].id}`)).body.state === 'succeeded', { what: 'job 5 succeeded on B' });
  });
});

describe('what a restore refuses', () => {
  it('never restores a backup with a changed part, and writes nothing', async () => {
    const fx = await fixture();
    await agentFor(fx, 'alpha');
    const taken = await backup(fx);
    const part = storeKeys.controlPlaneBackupPart(taken.id, 0);
    const body = (await fx.store.get(part, 1 << 26))!.body;
    body.writeUInt8(body.readUInt8(body.length - 5) ^ 0xff, body.length - 5);
    await fx.store.put(part, body);
    const config = restoredConfig(fx);
    const err = await restoreControlPlane({ config, configFile: join(tempDir(), 'daemon.yaml'), backupId: taken.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/is not the part the signed manifest .* lists/) });
    expect(existsSync(join(config.dataDir, 'registry.db'))).toBe(false);
    expect(readdirSync(config.dataDir)).toEqual([]);
  });

  it('lists a foreign manifest as invalid and a cut-short backup as incomplete, and restores the newest good one', async () => {
    const fx = await fixture();
    await agentFor(fx, 'alpha');
    const good = await backup(fx);
    // Newer-looking backups someone else put there.
    const foreign = '29990101T000000Z-aaaaaa';
    const stranger = generateSigningKey();
    const fake: BackupManifest = {
      format: BACKUP_FORMAT,
      backupId: foreign,
      createdAt: '2999-01-01T00:00:00.000Z',
      trigger: 'manual',
      flotillaVersion: '0.1.0',
      controlPlaneKeyId: stranger.keyid,
      snapshot: { sha256: 'a'.repeat(64), sizeBytes: 1, schemaVersion: 3, compression: 'gzip', parts: [{ key: storeKeys.controlPlaneBackupPart(foreign, 0), sha256: 'b'.repeat(64), sizeBytes: 1 }] },
      registry: { clusters: 0, jobs: 0, tokens: 0, auditHead: null },
    };
    await fx.store.put(storeKeys.controlPlaneBackupPart(foreign, 0), Buffer.from('x'));
    await fx.store.put(storeKeys.controlPlaneBackupManifest(foreign), sealManifest(fake, stranger));
    await fx.store.put(storeKeys.controlPlaneBackupPart('29980101T000000Z-bbbbbb', 0), Buffer.from('y'));

    const listed = (await fx.api('GET', '/api/v1/backups')).body.items as ControlPlaneBackupInfo[];
    expect(listed.map((b) => [b.id, b.state])).toEqual([
      [good.id, 'ok'],
      [foreign, 'invalid'],
      ['29980101T000000Z-bbbbbb', 'incomplete'],
    ]);
    expect(listed[1]?.problem).toMatch(/^unknown_key: /);
    const config = restoredConfig(fx);
    await expect(restoreControlPlane({ config, configFile: join(tempDir(), 'daemon.yaml'), backupId: foreign })).rejects.toMatchObject({ kind: 'rejected' });
    const report = await restoreControlPlane({ config, configFile: join(tempDir(), 'daemon.yaml') });
    expect(report.backup.id).toBe(good.id);
  });

  it('refuses backups and listings to non-admins, and audits the refusal', async () => {
    const fx = await fixture();
    const operator = (await fx.api('POST', '/api/v1/tokens', { body: { role: 'operator', name: 'ops' } })).body.token as string;
    expect((await fx.api('POST', '/api/v1/backups', { token: operator })).status).toBe(403);
    expect((await fx.api('GET', '/api/v1/backups', { token: operator })).status).toBe(403);
    const audit = (await fx.api('GET', '/api/v1/audit?limit=5')).body.items as { action: string; allowed: boolean }[];
    // Newest first: the refused listing, then the refused backup.
    expect(audit.slice(0, 2)).toMatchObject([
      { action: 'backup.read', allowed: false },
      { action: 'controlplane.backup', allowed: false },
    ]);
  });
});

describe('a backup the store refuses', () => {
  it('fails with 503, is audited and counted as failed, and leaves nothing behind', async () => {
    const fx = await fixture();
    const storeRoot = fx.config.store.type === 'dir' ? fx.config.store.path : '';
    writeFileSync(join(storeRoot, 'controlplane', 'backups'), 'not a directory');
    const r = await fx.api('POST', '/api/v1/backups');
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ code: 'unavailable', next: expect.any(String) });
    const audit = (await fx.api('GET', '/api/v1/audit?limit=2')).body.items as { action: string; target: string; detail: Record<string, unknown> }[];
    expect(audit.map((a) => a.action)).toEqual(['controlplane.backup', 'controlplane.backup']);
    expect(audit[0]?.target).toBe(audit[1]?.target);
    expect(audit[0]?.detail).toMatchObject({ trigger: 'manual', failed: 'unavailable' });
    expect(readdirSync(fx.config.dataDir).filter((n) => n.startsWith('.backup-'))).toEqual([]);
    const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/^flotilla_controlplane_backups_total\{trigger="manual",result="failed"\} 1$/m);
    expect(metrics).toMatch(/^flotilla_controlplane_backup_last_success_timestamp_seconds 0$/m);

    rmSync(join(storeRoot, 'controlplane', 'backups'));
    expect((await fx.api('POST', '/api/v1/backups')).status).toBe(201);
  });
});

describe('the schedule', () => {
  it('backs up every interval and keeps only the newest `keep`', async () => {
    const fx = await fixture({ 'backup.interval': '1s', 'backup.keep': 2 });
    const key = readPrivateKeyFile(fx.config.keys.signingKey);
    const trusted = { keyid: key.keyid, key: key.publicKey };
    await waitUntil(
      async () => {
        const metrics = await (await fetch(`${fx.daemon.url}/metrics`)).text();
        const written = Number(/^flotilla_controlplane_backups_total\{trigger="schedule",result="ok"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
        const stored = await listBackups(fx.store, trusted);
        return written >= 4 && stored.length === 2 && stored.every((b) => b.state === 'ok' && b.manifest?.trigger === 'schedule');
      },
      { what: 'four scheduled backups written, the newest two kept', timeoutMs: 30_000 },
    );
    const audit = (await fx.api('GET', '/api/v1/audit?limit=1000')).body.items as { action: string; actor: { id: string } }[];
    expect(audit.filter((a) => a.action === 'controlplane.backup' && a.actor.id === 'daemon').length).toBeGreaterThanOrEqual(4);
  });
});

describe('on S3', () => {
  it('cuts a snapshot into parts and reads it back byte for byte, and backs up and restores a daemon on S3', async () => {
    const s3 = await startS3rver();
    running.push(s3);
    const store = new S3Store({ bucket: s3.bucket, prefix: 'fl/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const dir = tempDir();
    const original = join(dir, 'snapshot.db');
    writeFileSync(original, randomBytes(300 * 1024));
    const figures = await uploadSnapshot(store, '20250601T120000Z-0a1b2c', original, 64 * 1024);
    expect(figures.parts.length).toBeGreaterThanOrEqual(5);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      backupId: '20250601T120000Z-0a1b2c',
      createdAt: new Date().toISOString(),
      trigger: 'manual',
      flotillaVersion: '0.1.0',
      controlPlaneKeyId: 'k',
      snapshot: { ...figures, schemaVersion: 3, compression: 'gzip' },
      registry: { clusters: 0, jobs: 0, tokens: 0, auditHead: null },
    };
    await downloadSnapshot(store, manifest, join(dir, 'copy.db'));
    expect(readFileSync(join(dir, 'copy.db')).equals(readFileSync(original))).toBe(true);

    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    try {
      const init = await initControlPlane({ dataDir: join(dir, 'a'), port: 0 });
      // A fresh bucket prefix holds no control plane yet: starting one there is what create allows.
      const flags = { store: { type: 's3', bucket: s3.bucket, prefix: 'cp/', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, pollIntervalMs: 100, create: true }, 'backup.interval': 'off' };
      const config = loadDaemonConfig(init.configPath, flags, {});
      const a: DaemonHandle = await startDaemon(config, { logger: silentLogger() });
      const headers = { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' };
      expect((await fetch(`${a.url}/api/v1/clusters`, { method: 'POST', headers, body: JSON.stringify({ name: 'on-s3' }) })).status).toBe(201);
      const taken = (await (await fetch(`${a.url}/api/v1/backups`, { method: 'POST', headers })).json()) as { backup: ControlPlaneBackupInfo };
      expect(taken.backup).toMatchObject({ state: 'ok', clusters: 1 });
      await a.stop();
      const target = join(dir, 'b');
      mkdirSync(target);
      const report = await restoreControlPlane({ config: { ...config, dataDir: target }, configFile: init.configPath });
      expect(report.backup.id).toBe(taken.backup.id);
      const registry = Registry.open(join(target, 'registry.db'));
      expect(registry.clusters.all().map((c) => c.name)).toEqual(['on-s3']);
      registry.close();
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      store.close();
    }
  });
});
