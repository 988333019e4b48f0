// Control-plane backups from the running daemon: an online SQLite backup of the registry (consistent
// while the daemon keeps writing), compressed into the store under controlplane/backups/<id>/ with a
// manifest signed by the control-plane key, written last so its presence means the backup is whole.
// Backups run one at a time, on request (`flotilla backup`, admin) and on the schedule of the
// daemon config's `backup` section; after each, all but the newest `keep` are deleted.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Counter, Gauge, type Registry as MetricsRegistry } from 'prom-client';
import type { ControlPlaneBackupInfo } from '../../core/api.js';
import { parseDuration } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { VERSION } from '../../core/version.js';
import type { DaemonConfig } from '../../config/schemas.js';
import { DAEMON_ACTOR, type Actor } from '../auth/actor.js';
import { BackupRepo } from '../registry/backup.js';
import { schemaVersion } from '../registry/db.js';
import type { Registry } from '../registry/registry.js';
import { backupInfo, listBackups, type CatalogEntry } from './catalog.js';
import { BACKUP_FORMAT, newBackupId, sealManifest, type BackupManifest, type TrustedControlPlane } from './manifest.js';
import { backupsToPrune, nextBackupAt } from './schedule.js';
import { uploadSnapshot } from './snapshot.js';

export interface BackupServiceOptions {
  registry: Registry;
  store: ObjectStore;
  signingKey: SigningKey;
  dataDir: string;
  config: DaemonConfig['backup'];
  log: Logger;
  /** The daemon's Prometheus registry, for the backup counters. */
  metrics: MetricsRegistry;
}

/** Temp files of snapshots on their way to the store; one left behind is from a daemon that died mid-backup. */
const SNAPSHOT_TEMP = /^\.backup-.+\.db(-journal)?$/;

/** setTimeout's limit; a longer wait is re-planned when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class BackupService {
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private latestMs: number | null = null;
  private failedAtMs: number | null = null;
  private startedMs = Date.now();
  private stopped = false;
  private readonly trusted: TrustedControlPlane;
  private readonly intervalMs: number | null;
  private readonly taken: Counter<'trigger' | 'result'>;
  private readonly lastSuccess: Gauge;

  constructor(private readonly opts: BackupServiceOptions) {
    this.trusted = { keyid: opts.signingKey.keyid, key: opts.signingKey.publicKey };
    this.intervalMs = opts.config.interval === 'off' ? null : parseDuration(opts.config.interval);
    const registers = [opts.metrics];
    this.taken = new Counter({ name: 'flotilla_controlplane_backups_total', help: 'Control-plane backups attempted, by trigger and result', labelNames: ['trigger', 'result'], registers });
    this.lastSuccess = new Gauge({ name: 'flotilla_controlplane_backup_last_success_timestamp_seconds', help: 'When the newest control-plane backup this daemon wrote or found in the store was taken (0: none)', registers });
  }

  /** Every backup in the store, newest first, judged against this daemon's key. */
  async list(): Promise<ControlPlaneBackupInfo[]> {
    return (await this.catalog()).map(backupInfo);
  }

  /** Takes a backup now (after any in progress) and prunes; the audit record names it before the snapshot, so the snapshot holds it. */
  take(actor: Actor, trigger: BackupManifest['trigger']): Promise<ControlPlaneBackupInfo> {
    const run = this.queue.then(() => this.backup(actor, trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the schedule: the next backup is due one interval after the newest in the store, or after now if there is none. */
  start(): void {
    this.startedMs = Date.now();
    for (const name of readdirSync(this.opts.dataDir)) if (SNAPSHOT_TEMP.test(name)) rmSync(join(this.opts.dataDir, name), { force: true });
    void this.catalog()
      .then((entries) => {
        const newest = entries.find((e) => e.manifest);
        this.latestMs = newest?.manifest ? Date.parse(newest.manifest.createdAt) : null;
        if (this.latestMs !== null) this.lastSuccess.set(this.latestMs / 1000);
      })
      .catch((e: unknown) => {
        this.opts.log.warn({ err: e }, 'could not list control-plane backups; scheduling one soon');
        this.failedAtMs = Date.now();
      })
      .finally(() => this.plan());
  }

  /** Stops the schedule and waits for a backup in progress, so the registry can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue;
  }

  private plan(): void {
    clearTimeout(this.timer);
    if (this.stopped || this.intervalMs === null) return;
    const now = Date.now();
    const at = nextBackupAt({ latestMs: this.latestMs, failedAtMs: this.failedAtMs, startedMs: this.startedMs }, this.intervalMs, now);
    this.timer = setTimeout(() => {
      if (Date.now() < at) return this.plan();
      this.take(DAEMON_ACTOR, 'schedule').catch(() => undefined);
    }, Math.min(at - now, MAX_TIMER_MS));
    this.timer.unref();
  }

  private catalog(): Promise<CatalogEntry[]> {
    return listBackups(this.opts.store, this.trusted);
  }

  private async backup(actor: Actor, trigger: BackupManifest['trigger']): Promise<ControlPlaneBackupInfo> {
    const { registry, store, signingKey, log } = this.opts;
    if (this.stopped) throw new FlotillaError('unavailable', 'the daemon is stopping; no backup was taken', 'Run `flotilla backup` again once the daemon is back.');
    const id = newBackupId(new Date(), randomBytes(3).toString('hex'));
    try {
      registry.tx(() => registry.audit.append({ actor, action: 'controlplane.backup', target: id, allowed: true, detail: { trigger } }));
    } catch (e) {
      throw new FlotillaError('unavailable', `registry write failed: ${(e as Error).message}`, 'Check the daemon log and that the data directory is writable; no backup was taken.', { cause: e });
    }
    const file = join(this.opts.dataDir, `.backup-${id}.db`);
    try {
      await registry.db.backup(file);
      const { summary, version } = snapshotFacts(file);
      const figures = await uploadSnapshot(store, id, file);
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        backupId: id,
        createdAt: new Date().toISOString(),
        trigger,
        flotillaVersion: VERSION,
        controlPlaneKeyId: signingKey.keyid,
        snapshot: { ...figures, schemaVersion: version, compression: 'gzip' },
        registry: summary,
      };
      const envelope = sealManifest(manifest, signingKey);
      await store.put(storeKeys.controlPlaneBackupManifest(id), envelope);
      this.latestMs = Date.parse(manifest.createdAt);
      this.failedAtMs = null;
      this.taken.inc({ trigger, result: 'ok' });
      this.lastSuccess.set(this.latestMs / 1000);
      log.info({ backup: id, trigger, bytes: figures.sizeBytes, parts: figures.parts.length }, 'control-plane backup written to the store');
      const entry: CatalogEntry = { id, state: 'ok', problem: null, manifest, manifestSha256: sha256Hex(envelope), keys: [...figures.parts.map((p) => p.key), storeKeys.controlPlaneBackupManifest(id)] };
      await this.prune();
      return backupInfo(entry);
    } catch (e) {
      this.failedAtMs = Date.now();
      this.taken.inc({ trigger, result: 'failed' });
      log.error({ err: e, backup: id, trigger }, 'control-plane backup failed');
      // Parts already written are useless without their manifest; a listing also finds those of an upload cut short.
      const written = await store.list(`${storeKeys.controlPlaneBackupsPrefix()}${id}/`).catch(() => []);
      for (const e2 of written) await store.delete(e2.key).catch(() => undefined);
      try {
        registry.audit.append({ actor, action: 'controlplane.backup', target: id, allowed: true, detail: { trigger, failed: e instanceof FlotillaError ? e.kind : 'internal', message: (e as Error).message } });
      } catch (auditError) {
        log.error({ err: auditError }, 'could not write the audit record of a failed backup');
      }
      if (e instanceof FlotillaError) throw e;
      throw new FlotillaError('unavailable', `control-plane backup ${id} failed: ${(e as Error).message}`, 'Check the daemon log, the store and the free space in the data directory, then run `flotilla backup` again.', { cause: e });
    } finally {
      rmSync(file, { force: true });
      rmSync(`${file}-journal`, { force: true });
      this.plan();
    }
  }

  /** Deletes all but the newest `keep` verified backups, manifest first so a half-deleted one is never `ok`. */
  private async prune(): Promise<void> {
    try {
      const entries = await this.catalog();
      const ok = entries.filter((e): e is CatalogEntry & { manifest: BackupManifest } => e.manifest !== null);
      const doomed = new Set(backupsToPrune(ok.map((e) => ({ id: e.id, createdAt: e.manifest.createdAt })), this.opts.config.keep));
      for (const e of ok.filter((x) => doomed.has(x.id))) {
        const manifestKey = storeKeys.controlPlaneBackupManifest(e.id);
        await this.opts.store.delete(manifestKey);
        for (const key of e.keys.filter((k) => k !== manifestKey)) await this.opts.store.delete(key);
        this.opts.log.info({ backup: e.id, keep: this.opts.config.keep }, 'old control-plane backup pruned');
      }
    } catch (e) {
      this.opts.log.warn({ err: e }, 'pruning old control-plane backups failed; will try after the next backup');
    }
  }
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Makes the snapshot file self-contained (no WAL) and reads the figures its manifest records. */
function snapshotFacts(file: string): { summary: ReturnType<BackupRepo['summary']>; version: number } {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    return { summary: new BackupRepo(db).summary(), version: schemaVersion(db) };
  } finally {
    db.close();
  }
}
