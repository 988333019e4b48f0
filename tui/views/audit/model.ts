// The audit view (docs/ACCESS.md, "The audit"): the hash-chained audit log, newest first, from the
// `audit` topic it follows while open — a fleet-wide admin sees everyone's records, anyone else the
// records of their own actions (the daemon decides which). `/` filters on words in the actor, action,
// target and result (`denied` shows only refusals); the selected record's detail and hashes are
// below the table. A opens it from the fleet, `:audit` from anywhere. Pure.
import type { AuditRecord } from '../../../core/api.js';
import type { ConnectionState } from '../../state/connection.js';
import { bodyLines, keepInView, type Viewport } from '../../state/layout.js';
import type { ViewContext, ViewModel } from '../../state/view-model.js';

/** Records held: the newest, past which the oldest go. */
export const AUDIT_KEEP = 2000;
/** The selected record's lines under the table: who and what, the detail, the hashes. */
export const AUDIT_DETAIL_LINES = 4;

export interface AuditSlice {
  open: boolean;
  /** Newest first; null until the snapshot. */
  records: readonly AuditRecord[] | null;
  /** Records the daemon could not send this console in time. */
  dropped: number;
  filter: string;
  cursor: number;
  scroll: number;
  /** The seq under the cursor, so it stays on its record as new ones arrive on top. */
  selected: number | null;
}

export type AuditKeyAction = 'audit';

export type AuditDataAction = { type: 'audit/snapshot'; records: readonly AuditRecord[] } | { type: 'audit/records'; records: readonly AuditRecord[] } | { type: 'audit/dropped'; count: number };

export function auditTableRows(vp: Viewport, conn: ConnectionState): number {
  // the title and the column header above, the detail below
  return Math.max(1, bodyLines(vp, conn) - 2 - AUDIT_DETAIL_LINES);
}

const NO_RECORDS: readonly AuditRecord[] = [];

/** The words of a record the filter looks at. */
function words(r: AuditRecord): string {
  return `${r.actor.name} ${r.actor.id} ${r.action} ${r.target} ${r.allowed ? 'allowed' : 'denied'}`.toLowerCase();
}

export function visibleAuditRecords(s: AuditSlice): readonly AuditRecord[] {
  const all = s.records ?? NO_RECORDS;
  const terms = s.filter.toLowerCase().split(/\s+/).filter((t) => t !== '');
  return terms.length === 0 ? all : all.filter((r) => terms.every((t) => words(r).includes(t)));
}

/** New records on top of the held ones (oldest first as they come), each seq once, the newest AUDIT_KEEP. */
export function mergeRecords(held: readonly AuditRecord[], incoming: readonly AuditRecord[]): AuditRecord[] {
  const seen = new Set(held.map((r) => r.seq));
  const fresh = incoming.filter((r) => !seen.has(r.seq)).sort((a, b) => b.seq - a.seq);
  return [...fresh, ...held].slice(0, AUDIT_KEEP);
}

function normalize(s: AuditSlice, ctx: ViewContext): AuditSlice {
  const rows = visibleAuditRecords(s);
  let wanted = s.cursor;
  if (s.selected !== null && rows[wanted]?.seq !== s.selected) {
    const idx = rows.findIndex((r) => r.seq === s.selected);
    if (idx >= 0) wanted = idx;
  }
  const { cursor, scroll } = keepInView(wanted, s.scroll, rows.length, auditTableRows(ctx.viewport, ctx.conn));
  const selected = rows[cursor]?.seq ?? null;
  if (cursor === s.cursor && scroll === s.scroll && selected === s.selected) return s;
  return { ...s, cursor, scroll, selected };
}

export const auditView: ViewModel<'audit', AuditSlice, AuditKeyAction, AuditDataAction> = {
  kind: 'audit',
  title: 'Audit',
  over: ['fleet'],
  initial: () => ({ open: false, records: null, dropped: 0, filter: '', cursor: 0, scroll: 0, selected: null }),
  open: (s) => ({ ok: true, slice: { ...s, open: true } }),
  // Dropped on close: a reopened view starts from the daemon's snapshot, never from old records shown as current.
  close: (s) => ({ ...s, open: false, records: null, dropped: 0 }),
  bindings: [
    { keys: ['A'], action: 'audit', description: 'audit log view', hint: true, contexts: ['fleet'] },
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['/'], action: 'filter', description: 'filter (words of actor, action, target; denied)', hint: true },
  ],
  keys: { audit: { run: () => ({ open: { view: 'audit' } }) } },
  commands: [{ verbs: ['audit'], usage: ':audit', description: 'the audit log: who did what, allowed or denied', parse: () => ({ ok: true }) }],
  list: {
    page: (_s, ctx) => auditTableRows(ctx.viewport, ctx.conn),
    move: (s, delta) => {
      const rows = visibleAuditRecords(s);
      const cursor = Math.max(0, Math.min(rows.length - 1, s.cursor + delta));
      return { ...s, cursor, selected: rows[cursor]?.seq ?? s.selected };
    },
  },
  filter: {
    text: (s) => s.filter,
    set: (s, filter) => ({ ...s, filter }),
    problems: () => [],
    counts: (s) => ({ shown: visibleAuditRecords(s).length, total: s.records?.length ?? 0 }),
  },
  normalize,
  topics: () => ['audit'],
  actionTypes: ['audit/snapshot', 'audit/records', 'audit/dropped'],
  reduce: (s, a) => {
    if (!s.open) return s;
    if (a.type === 'audit/snapshot') return { ...s, records: mergeRecords([], a.records) };
    if (a.type === 'audit/records') return { ...s, records: mergeRecords(s.records ?? [], a.records) };
    return { ...s, dropped: s.dropped + a.count };
  },
};
