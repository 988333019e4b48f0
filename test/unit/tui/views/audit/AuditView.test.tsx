// The audit view through the console's reducer and as drawn: A opens it from the fleet and it follows
// the `audit` topic while open; records newest first, refusals marked, new ones on top with the
// cursor staying on its record, each seq once; `/` narrows on words (denied: the refusals); the
// selected record's detail and hashes below; closing drops the records, so a reopening starts from
// the daemon's snapshot. Every frame fits 80×24 and 160×40.
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../../../core/api.js';
import { wantedTopics, type AppState } from '../../../../../tui/state/app.js';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { mergeRecords, visibleAuditRecords, AUDIT_KEEP } from '../../../../../tui/views/audit/model.js';
import { apply, connectedState, expectFits, showApp, unmountAll, VIEW_SIZES } from '../../helpers.js';

afterEach(unmountAll);

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const lines = (frame: string) => frame.split('\n');

function rec(seq: number, o: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq,
    at: new Date(Date.UTC(2026, 11, 3, 12, 0, seq)).toISOString(),
    actor: { id: 'tok_ops', name: 'ops' },
    action: 'cluster.add',
    target: `edge-${seq}`,
    allowed: true,
    detail: { labels: { team: 'payments' } },
    prevHash: `${seq - 1}`.padStart(64, '0'),
    hash: `${seq}`.padStart(64, 'a'),
    ...o,
  };
}

const SNAPSHOT = [rec(1), rec(2, { action: 'token.create', target: 'ci', actor: { id: 'tok_admin', name: 'admin' } }), rec(3, { action: 'cluster.label', target: 'chk-prod', allowed: false, detail: { reason: 'cluster chk-prod is outside the scope of pay-op', cluster: 'chk-prod' }, actor: { id: 'tok_payop', name: 'pay-op' } })];

function auditState(columns = 80, rows = 24): AppState {
  return apply(connectedState(undefined, columns, rows), key('audit'), { type: 'audit/snapshot', records: SNAPSHOT });
}

describe('the audit view', () => {
  it('opens with A, follows the audit topic while open and drops what it held on close', () => {
    let s = apply(connectedState(), key('audit'));
    expect(wantedTopics(s)).toContain('audit');
    s = apply(s, { type: 'audit/snapshot', records: SNAPSHOT });
    expect(s.view.audit.records?.map((r) => r.seq)).toEqual([3, 2, 1]);
    s = apply(s, key('back'));
    expect(wantedTopics(s)).not.toContain('audit');
    expect(s.view.audit.records).toBeNull();
    // a frame for a closed view changes nothing
    expect(apply(s, { type: 'audit/records', records: [rec(9)] }).view.audit.records).toBeNull();
  });

  it('puts new records on top, once each, keeps the cursor on its record and the newest AUDIT_KEEP', () => {
    let s = apply(auditState(), key('down'));
    expect(s.view.audit.selected).toBe(2);
    s = apply(s, { type: 'audit/records', records: [rec(4), rec(5)] }, { type: 'audit/records', records: [rec(5)] });
    expect(s.view.audit.records?.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(s.view.audit.selected).toBe(2);
    const many = Array.from({ length: AUDIT_KEEP + 10 }, (_, i) => rec(i + 1));
    expect(mergeRecords([], many).map((r) => r.seq).slice(0, 2)).toEqual([AUDIT_KEEP + 10, AUDIT_KEEP + 9]);
    expect(mergeRecords([], many)).toHaveLength(AUDIT_KEEP);
  });

  it('narrows on words of the actor, action and target, and on denied', () => {
    const s = auditState();
    expect(visibleAuditRecords({ ...s.view.audit, filter: 'denied' }).map((r) => r.seq)).toEqual([3]);
    expect(visibleAuditRecords({ ...s.view.audit, filter: 'token ci' }).map((r) => r.seq)).toEqual([2]);
    expect(visibleAuditRecords({ ...s.view.audit, filter: 'OPS edge-1' }).map((r) => r.seq)).toEqual([1]);
  });
});

describe.each(VIEW_SIZES)('the audit view at %i×%i', (columns, rows) => {
  it('shows the records newest first with their result, and the selected one’s detail and hashes', () => {
    const frame = showApp(auditState(columns, rows));
    expectFits(frame, columns, rows);
    expect(frame).toMatch(/^Audit · 3 records, newest first$/m);
    expect(frame).toMatch(/^ TIME \(UTC\) +ACTOR +ACTION +RESULT +TARGET/m);
    const table = lines(frame).filter((l) => /^[> ]2026-12-03 12:00:0\d /.test(l));
    expect(table.map((l) => /(allowed|denied)/.exec(l)?.[1])).toEqual(['denied', 'allowed', 'allowed']);
    expect(table[0]).toMatch(/2026-12-03 12:00:03 pay-op +cluster\.label +denied +chk-prod/);
    expect(frame).toMatch(/^#3 pay-op \(tok_payop\) cluster\.label chk-prod: denied/m);
    expect(frame).toMatch(/^reason=cluster chk-prod is outside the scope of pay-op cluster=chk-prod/m);
    expect(frame).toMatch(/^hash a{16}… prev 0{16}…/m);
  });

  it('says it waits for the log before the snapshot, and when a filter matches nothing', () => {
    expect(showApp(apply(connectedState(undefined, columns, rows), key('audit')))).toMatch(/waiting for the audit log…/);
    const s = auditState(columns, rows);
    expect(showApp({ ...s, view: { ...s.view, audit: { ...s.view.audit, filter: 'nothing-like-this' } } })).toMatch(/no record matches the filter/);
  });
});
