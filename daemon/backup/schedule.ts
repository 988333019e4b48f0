// When the daemon takes its next scheduled backup, and which backups pruning deletes. Pure.

/** A failed scheduled backup is tried again after this long (or after the interval, if shorter). */
export const RETRY_AFTER_MS = 5 * 60 * 1000;

export interface ScheduleState {
  /** createdAt of the newest verified backup in the store, or null if there is none. */
  latestMs: number | null;
  /** When the last attempt failed, if it failed after the newest backup. */
  failedAtMs: number | null;
  /** When the schedule started (the daemon's start). */
  startedMs: number;
}

/**
 * The time of the next scheduled backup: one interval after the newest backup, or after the start
 * if the store holds none; at once if that is past (a daemon that was down beyond its interval
 * catches up as it starts); and no sooner than the retry delay after a failed attempt.
 */
export function nextBackupAt(state: ScheduleState, intervalMs: number, nowMs: number): number {
  let at = (state.latestMs ?? state.startedMs) + intervalMs;
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
