// What control-plane backups the store holds, each judged against the trusted control-plane key: a
// backup is `ok` only if its manifest verifies and every part it lists is there at the listed size.
// Used by the daemon (listing, scheduling, pruning) and by `flotilla restore` on a new host.
import { createHash } from 'node:crypto';
import type { ControlPlaneBackupInfo } from '../../core/api.js';
import { EnvelopeRejected } from '../../core/dsse.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { BACKUP_ID, BACKUP_LIMITS, openManifest, type BackupManifest, type TrustedControlPlane } from './manifest.js';

export interface CatalogEntry {
  id: string;
  state: ControlPlaneBackupInfo['state'];
  problem: string | null;
  manifest: BackupManifest | null;
  manifestSha256: string | null;
  /** Every key stored under the backup's directory (for pruning). */
  keys: string[];
}

const MANIFEST_NAME = 'manifest.json';

/** Newest first: verified backups by their signed createdAt, then the rest by id. */
export async function listBackups(store: ObjectStore, trusted: TrustedControlPlane): Promise<CatalogEntry[]> {
  const prefix = storeKeys.controlPlaneBackupsPrefix();
  const byId = new Map<string, Map<string, number>>();
  for (const e of await store.list(prefix)) {
    const [id, ...rest] = e.key.slice(prefix.length).split('/');
    if (!id || rest.length === 0) continue;
    const files = byId.get(id) ?? new Map<string, number>();
    files.set(e.key, e.size);
    byId.set(id, files);
  }
  const entries = await Promise.all([...byId.entries()].map(([id, files]) => judge(store, trusted, id, files)));
  const ok = entries.filter((e) => e.manifest).sort((a, b) => Date.parse(b.manifest!.createdAt) - Date.parse(a.manifest!.createdAt) || (a.id < b.id ? 1 : -1));
  const rest = entries.filter((e) => !e.manifest).sort((a, b) => (a.id < b.id ? 1 : -1));
  return [...ok, ...rest];
}

async function judge(store: ObjectStore, trusted: TrustedControlPlane, id: string, files: Map<string, number>): Promise<CatalogEntry> {
  const keys = [...files.keys()].sort();
  const base = { id, keys, manifest: null, manifestSha256: null };
  if (!BACKUP_ID.test(id)) return { ...base, state: 'invalid', problem: `"${id.slice(0, 80)}" is not a backup id` };
  const manifestKey = storeKeys.controlPlaneBackupManifest(id);
  if (!files.has(manifestKey)) return { ...base, state: 'incomplete', problem: `no ${MANIFEST_NAME}: the backup was cut short` };
  const obj = await store.get(manifestKey, BACKUP_LIMITS.manifestBytes);
  if (!obj) return { ...base, state: 'incomplete', problem: `${MANIFEST_NAME} vanished while listing` };
  let manifest: BackupManifest;
  try {
    manifest = openManifest(obj.body, id, trusted);
  } catch (e) {
    if (e instanceof EnvelopeRejected) return { ...base, state: 'invalid', problem: `${e.reason}: ${e.message}` };
    throw e;
  }
  const manifestSha256 = createHash('sha256').update(obj.body).digest('hex');
  const missing = manifest.snapshot.parts.find((p) => files.get(p.key) !== p.sizeBytes);
  if (missing) return { ...base, manifest: null, manifestSha256, state: 'incomplete', problem: `${missing.key} is ${files.has(missing.key) ? 'not the listed size' : 'missing'}` };
  return { ...base, manifest, manifestSha256, state: 'ok', problem: null };
}

export function backupInfo(e: CatalogEntry): ControlPlaneBackupInfo {
  const m = e.manifest;
  return {
    id: e.id,
    state: e.state,
    problem: e.problem,
    createdAt: m?.createdAt ?? null,
    trigger: m?.trigger ?? null,
    sizeBytes: m?.snapshot.sizeBytes ?? null,
    sha256: m?.snapshot.sha256 ?? null,
    storedBytes: m ? m.snapshot.parts.reduce((n, p) => n + p.sizeBytes, 0) : null,
    manifestSha256: e.manifestSha256,
    schemaVersion: m?.snapshot.schemaVersion ?? null,
    flotillaVersion: m?.flotillaVersion ?? null,
    clusters: m?.registry.clusters ?? null,
    jobs: m?.registry.jobs ?? null,
    tokens: m?.registry.tokens ?? null,
    auditSeq: m?.registry.auditHead?.seq ?? null,
  };
}
