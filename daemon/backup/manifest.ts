// The signed manifest of a control-plane backup (controlplane/backups/<id>/manifest.json): what the
// registry snapshot is (its SHA-256 and size before compression, the schema version, the audit head)
// and the SHA-256 of every compressed part in the store. It is a DSSE envelope signed by the
// control-plane key, so a restore that holds that key trusts nothing else it reads from the store:
// manifest signature → part hashes → snapshot hash. Pure apart from signature verification.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import type { SigningKey } from '../../core/keys.js';
import { storeKeys } from '../../core/store/types.js';

export const BACKUP_FORMAT = 'flotilla-registry-backup/v1';

export const BACKUP_LIMITS = {
  manifestBytes: 1024 * 1024,
  /** Compressed bytes per part object: one PUT each, well under any S3 single-PUT limit. */
  partBytes: 32 * 1024 * 1024,
  parts: 10_000,
};

/** `20250102T030405Z-1a2b3c`: sorts by time, unique per backup, a valid store key segment. */
export const BACKUP_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

export const BackupManifestSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    backupId: z.string().regex(BACKUP_ID),
    createdAt: z.iso.datetime(),
    trigger: z.enum(['manual', 'schedule']),
    flotillaVersion: z.string().min(1).max(64),
    controlPlaneKeyId: z.string().min(1).max(128),
    snapshot: z
      .object({
        sha256,
        sizeBytes: count,
        schemaVersion: count,
        compression: z.literal('gzip'),
        parts: z
          .array(z.object({ key: z.string().min(1).max(1024), sha256, sizeBytes: count.max(BACKUP_LIMITS.partBytes) }).strict())
          .min(1)
          .max(BACKUP_LIMITS.parts),
      })
      .strict(),
    registry: z
      .object({
        clusters: count,
        jobs: count,
        tokens: count,
        /** The last audit record in the snapshot; the restore checks the chain ends exactly here. */
        auditHead: z.object({ seq: count, hash: sha256 }).strict().nullable(),
      })
      .strict(),
  })
  .strict();
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** A new backup id for this moment; `random` is six hex digits. */
export function newBackupId(now: Date, random: string): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${random}`;
}

export function sealManifest(manifest: BackupManifest, key: SigningKey): Buffer {
  return sealEnvelope(PAYLOAD_TYPES.controlPlaneBackup, BackupManifestSchema.parse(manifest), key);
}

export interface TrustedControlPlane {
  keyid: string;
  key: KeyObject;
}

/**
 * Verifies a manifest read from the untrusted store for backup `backupId`: signed by the trusted
 * control-plane key, a valid manifest of exactly that backup, every part inside that backup's
 * directory, in order. Throws EnvelopeRejected with the reason.
 */
export function openManifest(raw: Buffer, backupId: string, trusted: TrustedControlPlane): BackupManifest {
  const opened = openEnvelope(raw, {
    payloadType: PAYLOAD_TYPES.controlPlaneBackup,
    maxBytes: BACKUP_LIMITS.manifestBytes,
    keyFor: (id) => (id === trusted.keyid ? trusted.key : undefined),
  });
  const parsed = BackupManifestSchema.safeParse(opened.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EnvelopeRejected('malformed_payload', `manifest ${issue ? `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}` : 'does not match the schema'}`);
  }
  const m = parsed.data;
  if (m.backupId !== backupId) throw new EnvelopeRejected('malformed_payload', `manifest of backup ${m.backupId} found under ${backupId}`);
  if (m.controlPlaneKeyId !== trusted.keyid) throw new EnvelopeRejected('malformed_payload', `manifest names control-plane key ${m.controlPlaneKeyId.slice(0, 48)}, not the signing key ${trusted.keyid}`);
  m.snapshot.parts.forEach((p, i) => {
    if (p.key !== storeKeys.controlPlaneBackupPart(backupId, i)) throw new EnvelopeRejected('malformed_payload', `manifest part ${i} is ${p.key.slice(0, 200)}, not ${storeKeys.controlPlaneBackupPart(backupId, i)}`);
  });
  return m;
}
