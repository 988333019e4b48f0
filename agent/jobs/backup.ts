// Backup and restore through the store. A backup writes each object as YAML under
// clusters/<c>/backups/<id>/objects/ and a manifest of their SHA-256s signed by this agent; the job
// result carries the SHA-256 of the manifest envelope. A restore trusts nothing it reads but that
// hash, which arrives inside a job the control plane signed: manifest bytes → manifest hash, then
// each object's bytes → the hash the manifest lists. The source agent's signature is not needed.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobParams } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import type { ActionContext, ActionOutcome, ClusterActions, KubeObject } from '../actions.js';

export const BACKUP_LIMITS = { manifestBytes: 8 * 1024 * 1024, objectBytes: 4 * 1024 * 1024, objects: 20_000 };

export const BackupManifestSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    backupId: z.string().min(1).max(63),
    createdAt: z.string().max(40),
    objects: z
      .array(
        z
          .object({
            key: z.string().min(1).max(1024),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
            kind: z.string().min(1).max(128),
            namespace: z.string().max(253).nullable(),
            name: z.string().min(1).max(253),
          })
          .strict(),
      )
      .max(BACKUP_LIMITS.objects),
  })
  .strict();
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One store-safe name segment per object; the index keeps names unique after cutting. */
export function backupObjectName(index: number, obj: KubeObject): string {
  const part = (s: string) => s.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 60) || '_';
  return `${String(index).padStart(5, '0')}-${part(obj.kind)}-${part(obj.metadata.namespace ?? '_')}-${part(obj.metadata.name)}.yaml`;
}

export interface BackupDeps {
  cluster: string;
  store: ObjectStore;
  actions: ClusterActions;
  key: SigningKey;
  now: () => Date;
}

export async function runBackup(deps: BackupDeps, p: JobParams<'backup'>, ctx: ActionContext): Promise<ActionOutcome> {
  const objects = await deps.actions.exportObjects(p.namespaces, ctx);
  if (objects.length > BACKUP_LIMITS.objects) {
    throw new FlotillaError('conflict', `backup has ${objects.length} objects, over the ${BACKUP_LIMITS.objects} limit`, 'Back up fewer namespaces per job.');
  }
  const entries: BackupManifest['objects'] = [];
  for (const [i, obj] of objects.entries()) {
    ctx.signal.throwIfAborted();
    const key = storeKeys.backupObject(deps.cluster, p.backupId, backupObjectName(i, obj));
    const body = Buffer.from(stringifyYaml(obj), 'utf8');
    await deps.store.put(key, body);
    entries.push({ key, sha256: sha256Hex(body), kind: obj.kind, namespace: obj.metadata.namespace ?? null, name: obj.metadata.name });
  }
  const manifest: BackupManifest = { cluster: deps.cluster, backupId: p.backupId, createdAt: deps.now().toISOString(), objects: entries };
  const envelope = sealEnvelope(PAYLOAD_TYPES.backup, manifest, deps.key);
  await deps.store.put(storeKeys.backupManifest(deps.cluster, p.backupId), envelope);
  return {
    detail: `backed up ${entries.length} objects from ${p.namespaces.join(', ')} as ${p.backupId}`,
    output: { backupId: p.backupId, objects: entries.length, manifestSha256: sha256Hex(envelope) },
  };
}

/** Opens a manifest envelope whose bytes already matched the signed hash (no signature needed). */
function readManifest(bytes: Buffer, sourceCluster: string, backupId: string): BackupManifest {
  let payload: unknown;
  try {
    const env = JSON.parse(bytes.toString('utf8')) as { payloadType?: unknown; payload?: unknown };
    if (env.payloadType !== PAYLOAD_TYPES.backup || typeof env.payload !== 'string') throw new Error('not a backup envelope');
    payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
  } catch (e) {
    throw new FlotillaError('rejected', `backup manifest of ${backupId} is not a backup envelope: ${(e as Error).message}`, 'Take the backup again.');
  }
  const manifest = BackupManifestSchema.safeParse(payload);
  if (!manifest.success || manifest.data.cluster !== sourceCluster || manifest.data.backupId !== backupId) {
    throw new FlotillaError('rejected', `backup manifest of ${backupId} does not describe backup ${backupId} of ${sourceCluster}`, 'Take the backup again.');
  }
  return manifest.data;
}

function inNamespaces(entry: BackupManifest['objects'][number], namespaces: readonly string[] | undefined): boolean {
  if (!namespaces) return true;
  if (entry.kind === 'Namespace' && entry.namespace === null) return namespaces.includes(entry.name);
  return entry.namespace !== null && namespaces.includes(entry.namespace);
}

function asKubeObject(value: unknown, key: string): KubeObject {
  const v = value as Partial<KubeObject> | null;
  if (typeof v !== 'object' || v === null || typeof v.apiVersion !== 'string' || typeof v.kind !== 'string' || typeof v.metadata?.name !== 'string') {
    throw new FlotillaError('rejected', `backup object ${key} is not a Kubernetes object`, 'Take the backup again.');
  }
  return v as KubeObject;
}

export async function runRestore(deps: BackupDeps, p: JobParams<'restore'>, ctx: ActionContext): Promise<ActionOutcome> {
  const manifestKey = storeKeys.backupManifest(p.sourceCluster, p.backupId);
  const found = await deps.store.get(manifestKey, BACKUP_LIMITS.manifestBytes);
  if (!found) throw new FlotillaError('not_found', `backup ${p.backupId} of ${p.sourceCluster} has no manifest in the store`, 'Check the backup id with `flotilla job list`.');
  if (found.body.length > BACKUP_LIMITS.manifestBytes || sha256Hex(found.body) !== p.manifestSha256) {
    throw new FlotillaError('rejected', `backup manifest ${manifestKey} is not the one the control plane accepted (hash differs)`, 'The backup was changed in the store; restore another backup.');
  }
  const manifest = readManifest(found.body, p.sourceCluster, p.backupId);
  const prefix = storeKeys.backupObject(p.sourceCluster, p.backupId, '');
  const objects: KubeObject[] = [];
  for (const entry of manifest.objects.filter((e) => inNamespaces(e, p.namespaces))) {
    ctx.signal.throwIfAborted();
    if (!entry.key.startsWith(prefix)) throw new FlotillaError('rejected', `backup manifest lists ${entry.key}, outside the backup`, 'Take the backup again.');
    const obj = await deps.store.get(entry.key, BACKUP_LIMITS.objectBytes);
    if (!obj || obj.body.length > BACKUP_LIMITS.objectBytes || sha256Hex(obj.body) !== entry.sha256) {
      throw new FlotillaError('rejected', `backup object ${entry.key} is missing or changed`, 'The backup was changed in the store; restore another backup.');
    }
    objects.push(asKubeObject(parseYaml(obj.body.toString('utf8')), entry.key));
  }
  const outcome = await deps.actions.applyObjects(objects, ctx);
  return { detail: `restored ${objects.length} objects from ${p.sourceCluster}/${p.backupId}: ${outcome.detail}`, output: { ...outcome.output, restored: objects.length } };
}
