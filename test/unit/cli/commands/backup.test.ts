import { describe, expect, it } from 'vitest';
import type { ControlPlaneBackupInfo } from '../../../../core/api.js';
import { backupTable, formatBytes } from '../../../../cli/commands/backup.js';

const ok: ControlPlaneBackupInfo = {
  id: '20250601T120000Z-0a1b2c',
  state: 'ok',
  problem: null,
  createdAt: '2025-06-01T12:00:00.000Z',
  trigger: 'schedule',
  sizeBytes: 3 * 1024 * 1024,
  sha256: 'a'.repeat(64),
  storedBytes: 200 * 1024,
  manifestSha256: 'b'.repeat(64),
  schemaVersion: 3,
  flotillaVersion: '0.1.0',
  clusters: 12,
  jobs: 340,
  tokens: 3,
  auditSeq: 900,
};
const broken: ControlPlaneBackupInfo = { ...ok, id: '20250601T110000Z-ffffff', state: 'invalid', problem: 'bad_signature: signature does not verify', createdAt: null, trigger: null, sizeBytes: null, storedBytes: null, clusters: null, jobs: null };

describe('backup listing', () => {
  it('formats sizes in binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(3 * 1024 ** 3), formatBytes(null)]).toEqual(['0 B', '1023 B', '1.5 KiB', '3.0 GiB', '-']);
  });

  it('shows age, trigger, sizes and counts, and why a backup is not usable', () => {
    const text = backupTable([ok, broken], Date.parse('2025-06-01T14:00:00.000Z'));
    expect(text.split('\n')).toEqual([
      'ID                       AGE  TRIGGER   SIZE     STORED     CLUSTERS  JOBS  STATE',
      '20250601T120000Z-0a1b2c  2h   schedule  3.0 MiB  200.0 KiB  12        340   ok',
      '20250601T110000Z-ffffff  -    -         -        -          -         -     invalid: bad_signature: signature does not verify',
      '',
    ]);
  });
});
