// When the daemon takes its next scheduled backup, and which backups pruning deletes. Pure.

/** A failed scheduled backup is tried again after this long (or after the interval, if shorter). */
export const RETRY_AFTER_MS = 5 * 60 * 1000;

export interface ScheduleState {
  /** createdAt of the newest verified backup in the store, or null if there is none. */
  latestMs: number | null;
  /** When the last attempt failed, if it failed after the newest backup. */
  failedAtMs: number | null;
}

/**
 * The time of the next scheduled backup: one interval after the newest backup (at once if there is
 * none or it is overdue, so a daemon that was down past its interval catches up on start), and no
 * sooner than the retry delay after a failed attempt.
 */
export function nextBackupAt(state: ScheduleState, intervalMs: number, nowMs: number): number {
  let at = state.latestMs === null ? nowMs : state.latestMs + intervalMs;
  if (state.failedAtMs !== null && (state.latestMs === null || state.failedAtMs >= state.latestMs)) {
    at = Math.max(at, state.failedAtMs + Math.min(intervalMs, RETRY_AFTER_MS));
  }
  return Math.max(at, nowMs);
}

export interface Prunable {
  id: string;
  createdAt: string;
}

/** The ids to delete so that only the newest `keep` backups remain (newest by their signed createdAt, then id). */
export function backupsToPrune(backups: readonly Prunable[], keep: number): string[] {
  const newestFirst = [...backups].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return newestFirst.slice(Math.max(0, keep)).map((b) => b.id);
}
