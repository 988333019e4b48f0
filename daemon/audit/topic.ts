// The `audit` topic (docs/ACCESS.md, "The audit"): the newest records on subscribe, then each record
// as it is written. The log is read for records past the last one sent, every AUDIT_TICK_MS while
// anyone listens: appends happen inside other writes' transactions, so reading what committed is
// simpler and never shows a record that was rolled back. A fleet-wide admin gets everyone's records,
// anyone else the records of their own actions; a slow client's records are held, up to a bound.
import type { AuditRecord } from '../../core/api.js';
import type { AuditRecordsFrame, AuditSnapshotFrame } from '../../core/protocol.js';
import { TopicChannel } from '../api/topic-channel.js';
import { auditReader } from '../auth/actor.js';
import type { AuditLog } from '../registry/audit.js';

export const AUDIT_TICK_MS = 1000;
/** Records in the snapshot, and read per tick. */
export const AUDIT_SNAPSHOT = 200;
const HELD_RECORDS = 2000;

interface AuditEvent {
  rev: number;
  records: AuditRecord[];
}

interface AuditParams {
  /** undefined: everyone's records. */
  actorId: string | undefined;
}

export function auditTopic(audit: Pick<AuditLog, 'page' | 'list' | 'listOf' | 'headSeq'>, tickMs = AUDIT_TICK_MS): TopicChannel<AuditEvent, AuditParams, AuditRecord> {
  let sent = audit.headSeq();
  let publishing: ((e: AuditEvent) => void) | undefined;
  /** Sends the records written since the last sent, to whoever listens now. */
  const catchUp = () => {
    for (;;) {
      const records = audit.page({ afterSeq: sent, since: new Date(0).toISOString(), limit: AUDIT_SNAPSHOT });
      const last = records.at(-1);
      if (!last) return;
      sent = last.seq;
      publishing?.({ rev: sent, records });
    }
  };
  const mine = (e: AuditEvent, p: AuditParams) => (p.actorId === undefined ? e.records : e.records.filter((r) => r.actor.id === p.actorId));
  const channel: TopicChannel<AuditEvent, AuditParams, AuditRecord> = new TopicChannel<AuditEvent, AuditParams, AuditRecord>({
    pattern: 'audit',
    parse: (name, _query, _after, who) => (name === 'audit' ? { actorId: auditReader(who) } : undefined),
    action: 'audit.read',
    snapshot: (p) => {
      // Whatever was written since the last tick goes to the others now, and into this snapshot.
      catchUp();
      const newest = p.actorId === undefined ? audit.list(AUDIT_SNAPSHOT) : audit.listOf(p.actorId, AUDIT_SNAPSHOT);
      const frame: AuditSnapshotFrame = { topic: 'audit', kind: 'snapshot', rev: sent, data: newest.filter((r) => r.seq <= sent).reverse() };
      return { rev: sent, frame };
    },
    listen: (publish) => {
      publishing = publish;
      const timer = setInterval(() => {
        if (!channel.hasSubscribers()) {
          sent = audit.headSeq();
          return;
        }
        catchUp();
      }, tickMs);
      timer.unref();
      return () => {
        clearInterval(timer);
        publishing = undefined;
      };
    },
    concerns: (e, p) => mine(e, p).length > 0,
    frame: (e, p): AuditRecordsFrame => ({ topic: 'audit', kind: 'records', rev: e.rev, records: mine(e, p) }),
    shareKey: (p) => p.actorId ?? '',
    slow: {
      kind: 'drop',
      count: (e, p) => mine(e, p).length,
      buffer: { limit: HELD_RECORDS, items: mine, frame: (records, _p, rev): AuditRecordsFrame => ({ topic: 'audit', kind: 'records', rev, records }) },
    },
  });
  return channel;
}
