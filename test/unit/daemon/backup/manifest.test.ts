import { describe, expect, it } from 'vitest';
import { EnvelopeRejected, PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { storeKeys } from '../../../../core/store/types.js';
import { BACKUP_FORMAT, BACKUP_ID, BACKUP_LIMITS, newBackupId, openManifest, sealManifest, type BackupManifest } from '../../../../daemon/backup/manifest.js';

const key = generateSigningKey();
const other = generateSigningKey();
const trusted = { keyid: key.keyid, key: key.publicKey };
const ID = '20250601T120000Z-0a1b2c';

function manifest(over: Partial<BackupManifest> = {}): BackupManifest {
  return {
    format: BACKUP_FORMAT,
    backupId: ID,
    createdAt: '2025-06-01T12:00:00.000Z',
    trigger: 'manual',
    flotillaVersion: '0.1.0',
    controlPlaneKeyId: key.keyid,
    snapshot: {
      sha256: 'a'.repeat(64),
      sizeBytes: 4096,
      schemaVersion: 3,
      compression: 'gzip',
      parts: [0, 1].map((i) => ({ key: storeKeys.controlPlaneBackupPart(ID, i), sha256: String(i).repeat(64), sizeBytes: 100 })),
    },
    registry: { clusters: 2, jobs: 5, tokens: 1, auditHead: { seq: 9, hash: 'b'.repeat(64) } },
    ...over,
  };
}

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvelopeRejected) return e.reason;
    throw e;
  }
  throw new Error('not rejected');
}

describe('backup ids', () => {
  it('are the UTC time to the second and six hex digits: sortable, store-safe', () => {
    const id = newBackupId(new Date('2025-06-01T12:34:56.789Z'), 'abc123');
    expect(id).toBe('20250601T123456Z-abc123');
    expect(BACKUP_ID.test(id)).toBe(true);
    expect(newBackupId(new Date('2025-06-01T12:34:57Z'), '000000') > id).toBe(true);
    expect(() => storeKeys.controlPlaneBackupManifest(id)).not.toThrow();
  });
});

describe('the signed manifest', () => {
  it('round-trips when signed by the trusted control-plane key', () => {
    expect(openManifest(sealManifest(manifest(), key), ID, trusted)).toEqual(manifest());
  });

  it('refuses a manifest signed by any other key, however well formed', () => {
    expect(rejection(() => openManifest(sealManifest(manifest({ controlPlaneKeyId: other.keyid }), other), ID, trusted))).toBe('unknown_key');
  });

  it('refuses a tampered manifest (a changed snapshot hash)', () => {
    const env = JSON.parse(sealManifest(manifest(), key).toString('utf8')) as { payload: string };
    const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as BackupManifest;
    payload.snapshot.sha256 = 'f'.repeat(64);
    env.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    expect(rejection(() => openManifest(Buffer.from(JSON.stringify(env)), ID, trusted))).toBe('bad_signature');
  });

  it('refuses another signed envelope type: a job or a cluster backup manifest is not a registry backup', () => {
    expect(rejection(() => openManifest(sealEnvelope(PAYLOAD_TYPES.job, manifest(), key), ID, trusted))).toBe('wrong_payload_type');
    expect(rejection(() => openManifest(sealEnvelope(PAYLOAD_TYPES.backup, manifest(), key), ID, trusted))).toBe('wrong_payload_type');
  });

  it('refuses a genuine manifest copied under another backup id', () => {
    expect(rejection(() => openManifest(sealManifest(manifest(), key), '20250601T120001Z-ffffff', trusted))).toBe('malformed_payload');
  });

  it('refuses parts outside the backup, or out of order', () => {
    const outside = manifest();
    outside.snapshot.parts[1]!.key = storeKeys.controlPlaneBackupPart('20240101T000000Z-000000', 1);
    expect(rejection(() => openManifest(sealManifest(outside, key), ID, trusted))).toBe('malformed_payload');
    const swapped = manifest();
    swapped.snapshot.parts.reverse();
    expect(rejection(() => openManifest(sealManifest(swapped, key), ID, trusted))).toBe('malformed_payload');
  });

  it('refuses a manifest naming another key id than the one that signed it', () => {
    expect(rejection(() => openManifest(sealEnvelope(PAYLOAD_TYPES.controlPlaneBackup, manifest({ controlPlaneKeyId: other.keyid }), key), ID, trusted))).toBe('malformed_payload');
  });

  it('refuses payloads off the schema: unknown format, extra fields, oversize parts, no parts', () => {
    const seal = (payload: unknown) => sealEnvelope(PAYLOAD_TYPES.controlPlaneBackup, payload, key);
    expect(rejection(() => openManifest(seal({ ...manifest(), format: 'flotilla-registry-backup/v9' }), ID, trusted))).toBe('malformed_payload');
    expect(rejection(() => openManifest(seal({ ...manifest(), extra: 1 }), ID, trusted))).toBe('malformed_payload');
    const big = manifest();
    big.snapshot.parts[0]!.sizeBytes = BACKUP_LIMITS.partBytes + 1;
    expect(rejection(() => openManifest(seal(big), ID, trusted))).toBe('malformed_payload');
    const empty = manifest();
    empty.snapshot.parts = [];
    expect(rejection(() => openManifest(seal(empty), ID, trusted))).toBe('malformed_payload');
  });

  it('refuses oversize and corrupt bytes before parsing them', () => {
    expect(rejection(() => openManifest(Buffer.alloc(BACKUP_LIMITS.manifestBytes + 1, 0x20), ID, trusted))).toBe('oversize');
    expect(rejection(() => openManifest(Buffer.from('{"payloadType":'), ID, trusted))).toBe('malformed_json');
  });
});
