// Text of the header summary and the stale banner.
import type { Health } from '../../core/fleet.js';
import { ageSince, formatAge } from '../../core/duration.js';
import type { ConnectionState } from '../state/connection.js';
import type { FleetSummary } from '../state/select.js';

const ORDER: readonly Health[] = ['healthy', 'degraded', 'critical', 'unreachable', 'unknown'];

/** "12 clusters · 8 healthy · 2 degraded · 1 critical · 1 unreachable"; zero counts are left out. */
export function fleetCountsText(summary: FleetSummary): string {
  const parts = [`${summary.total} ${summary.total === 1 ? 'cluster' : 'clusters'}`];
  for (const h of ORDER) if (summary.byHealth[h] > 0) parts.push(`${summary.byHealth[h]} ${h}`);
  return parts.join(' · ');
}

export function connectionText(conn: ConnectionState): string {
  switch (conn.status) {
    case 'open':
      return `connected as ${conn.identity.name} (${conn.identity.role})`;
    case 'connecting':
      return conn.attempt > 1 ? `connecting (attempt ${conn.attempt})` : 'connecting';
    case 'reconnecting':
      return `reconnecting (attempt ${conn.attempt})`;
  }
}

export function freshestText(summary: FleetSummary, now: number): string {
  return summary.freshestReportMs === null ? 'no reports yet' : `newest report ${formatAge(ageSince(summary.freshestReportMs, now))} old`;
}

/** Null while connected; otherwise says what is happening and how old the data on screen is. */
export function staleBannerText(conn: ConnectionState, now: number, hasData: boolean): string | null {
  if (conn.status === 'open') return null;
  const lostAt = conn.lostAt;
  const age = lostAt === null || !hasData ? 'no data yet' : `data is ${formatAge(ageSince(lostAt, now))} old`;
  const error = conn.lastError ? ` — ${conn.lastError}` : '';
  if (lostAt === null) return `not connected — connecting (attempt ${conn.attempt}); ${age}${error}`;
  return `connection lost — reconnecting (attempt ${conn.attempt}); ${age}${error}`;
}
