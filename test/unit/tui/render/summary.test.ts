import { describe, expect, it } from 'vitest';
import { fleetCountsText, staleBannerText, freshestText } from '../../../../tui/render/summary.js';
import { selectSummary } from '../../../../tui/state/select.js';
import { NOW, ROWS } from '../helpers.js';

describe('header and banner text', () => {
  it('counts clusters by health', () => {
    const summary = selectSummary({ rev: 1, rows: new Map(ROWS.map((r) => [r.name, r])), gap: null, delta: null });
    expect(fleetCountsText(summary)).toBe('12 clusters · 7 healthy · 2 degraded · 1 critical · 1 unreachable · 1 unknown');
    expect(freshestText(summary, NOW)).toBe('newest report 1s old');
  });

  it('says how old the data is while reconnecting', () => {
    const conn = { status: 'reconnecting' as const, since: NOW, attempt: 3, lastError: 'daemon not reachable', lostAt: NOW - 42_000, retryAt: NOW + 1000 };
    expect(staleBannerText(conn, NOW, true)).toBe('connection lost — reconnecting (attempt 3); data is 42s old — daemon not reachable');
    expect(staleBannerText({ status: 'open', since: NOW, identity: { name: 'a', role: 'viewer' } }, NOW, true)).toBeNull();
    expect(staleBannerText({ status: 'connecting', since: NOW, attempt: 1, lastError: null, lostAt: null }, NOW, false)).toBe('not connected — connecting (attempt 1); no data yet');
  });
});
