// `flotilla restore`: builds a daemon's data directory on any host from a control-plane backup in the
// store. The trust root is the signing key the daemon config names (the operator carries it to the
// new host): the backup's manifest must verify against it, each part must match the manifest, and
// the snapshot must match its signed hash, be a sound SQLite database and hold an audit chain that
// verifies and ends where the manifest says. Then the seq rule (seq-floor.ts) is applied from the
// store's verified evidence, the restore is appended to the audit chain, and only then does the
// registry appear in the data directory, in one rename.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ControlPlaneBackupInfo } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { readPrivateKeyFile } from '../../core/key-files.js';
import { openStore } from '../../core/store/open.js';
import type { ObjectStore } from '../../core/store/types.js';
import type { DaemonConfig } from '../../config/schemas.js';
import { BackupRepo } from '../registry/backup.js';
import { migrate, schemaVersion } from '../registry/db.js';
import { MIGRATIONS } from '../registry/migrations.js';
import { Registry } from '../registry/registry.js';
import { backupInfo, listBackups, type CatalogEntry } from './catalog.js';
import { assertRestorable, RESTORE_TEMP } from './data-dir.js';
import { gatherEvidence, type Refusal } from './evidence.js';
import type { BackupManifest, TrustedControlPlane } from './manifest.js';
import { planSeqs, type SeqPlan } from './seq-floor.js';
import { downloadSnapshot } from './snapshot.js';

export const RESTORE_ACTOR = { id: 'restore', name: 'flotilla restore' };

/** Clusters whose store evidence is read at once. */
const CLUSTER_WIDTH = 16;

export interface RestoreOptions {
  config: DaemonConfig;
  /** The config file, which may sit in the data directory. */
  configFile: string;
  /** A backup id; the newest verified backup when absent. */
  backupId?: string;
}

export interface ClusterSeqReport {
  cluster: string;
  lastSeqBefore: number;
  received: number;
  lastSeq: number;
  adopted: number;
  dispatched: number;
  conflicts: SeqPlan['conflicts'];
}

export interface RestoreReport {
  backup: ControlPlaneBackupInfo;
  dataDir: string;
  registry: string;
  clusters: ClusterSeqReport[];
  /** Store objects that failed verification and so counted for nothing (at most 100 listed). */
  refused: Refusal[];
  refusedCount: number;
  /** The seq of the restore's own audit record; the chain verifies up to it. */
  auditSeq: number;
}

function trustedKey(config: DaemonConfig): TrustedControlPlane {
  const key = readPrivateKeyFile(config.keys.signingKey);
  return { keyid: key.keyid, key: key.publicKey };
}

/** The backups in the store, judged against the config's signing key (`flotilla restore --list`). */
export async function listRestorable(config: DaemonConfig): Promise<ControlPlaneBackupInfo[]> {
  const store = openStore(config.store);
  try {
    return (await listBackups(store, trustedKey(config))).map(backupInfo);
  } finally {
    close(store);
  }
}

function close(store: ObjectStore): void {
  (store as { close?: () => void }).close?.();
}

function choose(entries: CatalogEntry[], backupId: string | undefined): CatalogEntry & { manifest: BackupManifest } {
  const listNext = 'See what the store holds with `flotilla restore --config FILE --list`.';
  const entry = backupId === undefined ? entries.find((e) => e.state === 'ok') : entries.find((e) => e.id === backupId);
  if (!entry) {
    throw new FlotillaError('not_found', backupId === undefined ? 'the store holds no verified control-plane backup' : `the store holds no backup "${backupId.slice(0, 80)}"`, `${listNext} Check that store in the config is the store the old daemon used.`);
  }
  if (entry.state !== 'ok' || !entry.manifest) throw new FlotillaError('rejected', `backup ${entry.id} is ${entry.state}: ${entry.problem ?? ''}`, `Restore another backup. ${listNext}`);
  return entry as CatalogEntry & { manifest: BackupManifest };
}

/** Opens the downloaded snapshot and proves it is the registry the manifest describes. */
function openSnapshot(file: string, manifest: BackupManifest): Registry {
  const db = new Database(file);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new FlotillaError('rejected', `the snapshot of ${manifest.backupId} is not a sound database (${String(integrity)})`, 'Restore another backup.');
    const version = schemaVersion(db);
    if (version !== manifest.snapshot.schemaVersion) throw new FlotillaError('rejected', `the snapshot has schema version ${version}, the manifest says ${manifest.snapshot.schemaVersion}`, 'Restore another backup.');
    if (version > MIGRATIONS.length) {
      throw new FlotillaError('config', `backup ${manifest.backupId} was taken by Flotilla ${manifest.flotillaVersion} with registry schema ${version}; this Flotilla knows ${MIGRATIONS.length}`, `Restore with Flotilla ${manifest.flotillaVersion} or newer.`);
    }
    db.pragma('foreign_keys = ON');
    migrate(db);
    const registry = new Registry(db);
    const chain = registry.audit.verify();
    if (!chain.ok) throw new FlotillaError('rejected', `the audit chain in backup ${manifest.backupId} does not verify at record ${chain.brokenAt}: ${chain.problem}`, 'Restore another backup.');
    const head = new BackupRepo(db).summary().auditHead;
    const want = manifest.registry.auditHead;
    if ((head?.seq ?? null) !== (want?.seq ?? null) || (head?.hash ?? null) !== (want?.hash ?? null)) {
      throw new FlotillaError('rejected', `the audit chain in backup ${manifest.backupId} does not end at the record its manifest names`, 'Restore another backup.');
    }
    return registry;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Learns every cluster's seqs from the store, before anything is written (seq-floor.ts). */
async function planAll(registry: Registry, store: ObjectStore, trusted: TrustedControlPlane, statusMaxBytes: number): Promise<{ plans: { plan: SeqPlan; generation: number }[]; refused: Refusal[] }> {
  const repo = new BackupRepo(registry.db);
  const plans: { plan: SeqPlan; generation: number }[] = [];
  const refused: Refusal[] = [];
  const records = registry.clusters.all();
  for (let i = 0; i < records.length; i += CLUSTER_WIDTH) {
    const batch = records.slice(i, i + CLUSTER_WIDTH).map((record) => {
      const counter = repo.counter(record.name);
      const jobs = repo.jobsOf(record.name, counter.generation);
      const pending = jobs.filter((j) => j.state === 'pending').map((j) => j.seq);
      const fromSeq = Math.max(1, Math.min(counter.lastSeq + 1, ...pending));
      return { record, counter, jobs, fromSeq };
    });
    const evidence = await Promise.all(batch.map((b) => gatherEvidence(store, b.record, trusted, { fromSeq: b.fromSeq, statusMaxBytes })));
    batch.forEach((b, j) => {
      const e = evidence[j]!;
      refused.push(...e.refused);
      plans.push({ plan: planSeqs({ cluster: b.record.name, lastSeq: b.counter.lastSeq, jobs: b.jobs }, e), generation: b.counter.generation });
    });
  }
  return { plans, refused };
}

export async function restoreControlPlane(opts: RestoreOptions): Promise<RestoreReport> {
  const { config } = opts;
  const trusted = trustedKey(config);
  assertRestorable(config, opts.configFile);
  const store = openStore(config.store);
  const temp = join(config.dataDir, RESTORE_TEMP);
  const target = join(config.dataDir, 'registry.db');
  try {
    const entry = choose(await listBackups(store, trusted), opts.backupId);
    const manifest = entry.manifest;
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    await downloadSnapshot(store, manifest, temp);
    const registry = openSnapshot(temp, manifest);
    try {
      const { plans, refused } = await planAll(registry, store, trusted, config.limits.statusMaxBytes);
      const repo = new BackupRepo(registry.db);
      const clusters: ClusterSeqReport[] = plans.map(({ plan }) => ({
        cluster: plan.cluster,
        lastSeqBefore: plan.lastSeqBefore,
        received: plan.received,
        lastSeq: plan.lastSeq,
        adopted: plan.adopt.length,
        dispatched: plan.dispatch.length,
        conflicts: plan.conflicts,
      }));
      const record = registry.tx(() => {
        for (const { plan, generation } of plans) {
          for (const job of plan.adopt) repo.adopt(job, generation);
          for (const id of plan.dispatch) registry.jobs.transition(id, 'pending', 'dispatched');
          repo.raiseSeq(plan.cluster, plan.lastSeq);
        }
        return registry.audit.append({
          actor: RESTORE_ACTOR,
          action: 'controlplane.restore',
          target: manifest.backupId,
          allowed: true,
          detail: {
            backupId: manifest.backupId,
            backupCreatedAt: manifest.createdAt,
            manifestSha256: entry.manifestSha256,
            snapshotSha256: manifest.snapshot.sha256,
            backupAuditSeq: manifest.registry.auditHead?.seq ?? 0,
            host: hostname(),
            dataDir: config.dataDir,
            store: store.description,
            // Only the clusters whose seqs moved: the rest is the snapshot as it was.
            clusters: clusters.filter((c) => c.lastSeq !== c.lastSeqBefore || c.adopted > 0 || c.dispatched > 0).slice(0, 1000).map(({ cluster, lastSeqBefore, lastSeq, adopted, dispatched }) => ({ cluster, lastSeqBefore, lastSeq, adopted, dispatched })),
            refused: refused.length,
          },
        });
      });
      const chain = registry.audit.verify();
      if (!chain.ok) throw new FlotillaError('internal', `the restored audit chain does not verify at record ${chain.brokenAt}: ${chain.problem}`, 'This is a bug in Flotilla; please report it. Nothing was written to the data directory.');
      registry.db.pragma('journal_mode = DELETE');
      registry.close();
      renameSync(temp, target);
      return { backup: backupInfo(entry), dataDir: config.dataDir, registry: target, clusters, refused: refused.slice(0, 100), refusedCount: refused.length, auditSeq: record.seq };
    } finally {
      registry.close();
    }
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    rmSync(`${temp}-wal`, { force: true });
    rmSync(`${temp}-shm`, { force: true });
    close(store);
  }
}
