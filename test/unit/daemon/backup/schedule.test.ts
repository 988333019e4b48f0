import { describe, expect, it } from 'vitest';
import { backupsToPrune, nextBackupAt, RETRY_AFTER_MS } from '../../../../daemon/backup/schedule.js';

const HOUR = 3_600_000;
const now = Date.parse('2025-06-01T12:00:00Z');

describe('nextBackupAt', () => {
  it('backs up one interval after the start when the store holds no backup', () => {
    expect(nextBackupAt({ latestMs: null, failedAtMs: null, startedMs: now }, HOUR, now)).toBe(now + HOUR);
    expect(nextBackupAt({ latestMs: null, failedAtMs: null, startedMs: now - 2 * HOUR }, HOUR, now)).toBe(now);
  });

  it('waits one interval after the newest backup', () => {
    expect(nextBackupAt({ latestMs: now - 10 * 60_000, failedAtMs: null, startedMs: now }, HOUR, now)).toBe(now + 50 * 60_000);
  });

  it('catches up at once when the newest backup is overdue (the daemon was down)', () => {
    expect(nextBackupAt({ latestMs: now - 5 * HOUR, failedAtMs: null, startedMs: now }, HOUR, now)).toBe(now);
  });

  it('retries a failed attempt after the retry delay, or after the interval when that is shorter', () => {
    expect(nextBackupAt({ latestMs: now - 5 * HOUR, failedAtMs: now, startedMs: now - 6 * HOUR }, HOUR, now)).toBe(now + RETRY_AFTER_MS);
    expect(nextBackupAt({ latestMs: null, failedAtMs: now, startedMs: now - 2 * HOUR }, HOUR, now)).toBe(now + RETRY_AFTER_MS);
    expect(nextBackupAt({ latestMs: null, failedAtMs: now, startedMs: now - 2 * HOUR }, 10_000, now)).toBe(now + 10_000);
  });

  it('forgets a failure older than the newest backup', () => {
    expect(nextBackupAt({ latestMs: now - 60_000, failedAtMs: now - 120_000, startedMs: now - HOUR }, HOUR, now)).toBe(now - 60_000 + HOUR);
  });
});

describe('backupsToPrune', () => {
  const b = (id: string, createdAt: string) => ({ id, createdAt });

  it('keeps the newest by their signed time, whatever their ids say', () => {
    const list = [b('a', '2025-06-01T10:00:00Z'), b('z', '2025-06-01T08:00:00Z'), b('m', '2025-06-01T11:00:00Z'), b('c', '2025-06-01T09:00:00Z')];
    expect(backupsToPrune(list, 2).sort()).toEqual(['c', 'z']);
  });

  it('breaks ties by id, newest id kept', () => {
    expect(backupsToPrune([b('x-1', '2025-06-01T10:00:00Z'), b('x-2', '2025-06-01T10:00:00Z')], 1)).toEqual(['x-1']);
  });

  it('deletes nothing while there are no more than `keep`', () => {
    expect(backupsToPrune([b('a', '2025-06-01T10:00:00Z')], 24)).toEqual([]);
    expect(backupsToPrune([], 1)).toEqual([]);
  });
});
