// The hash-chained audit log. Each record's hash covers the previous hash and the record itself, so
// removing or editing any row breaks verification from that row on.
import { createHash } from 'node:crypto';
import type { AuditRecord, AuditVerifyResult } from '../../core/api.js';
import { canonicalJson } from './canonical.js';
import type { Db } from './db.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  at?: string;
  actor: { id: string; name: string };
  action: string;
  target: string;
  allowed: boolean;
  detail?: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: string;
  actor_id: string;
  actor_name: string;
  action: string;
  target: string;
  allowed: number;
  detail: string;
  prev_hash: string;
  hash: string;
}

export function auditHash(prevHash: string, record: Omit<AuditRecord, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(record)).digest('hex');
}

function fromRow(r: AuditRow): AuditRecord {
  return {
    seq: r.seq,
    at: r.at,
    actor: { id: r.actor_id, name: r.actor_name },
    action: r.action,
    target: r.target,
    allowed: r.allowed === 1,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export type VerifyResult = AuditVerifyResult;

/** Checks a sequence of records (oldest first) links up from the genesis hash. */
export function verifyChain(records: Iterable<AuditRecord>): VerifyResult {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const rec of records) {
    const { prevHash, hash, ...body } = rec;
    if (rec.seq !== expectedSeq) return { ok: false, count, brokenAt: rec.seq, problem: `expected seq ${expectedSeq}, found ${rec.seq}` };
    if (prevHash !== prev) return { ok: false, count, brokenAt: rec.seq, problem: 'prevHash does not match the previous record' };
    if (auditHash(prevHash, body) !== hash) return { ok: false, count, brokenAt: rec.seq, problem: 'hash does not match the record content' };
    prev = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}

export class AuditLog {
  private readonly last;
  private readonly insert;
  private readonly recent;
  private readonly recentOf;
  private readonly pageAll;
  private readonly pageOf;
  private readonly all;

  constructor(private readonly db: Db) {
    this.last = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO audit (seq, at, actor_id, actor_name, action, target, allowed, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_name, @action, @target, @allowed, @detail, @prev_hash, @hash)',
    );
    this.recent = db.prepare<[number], AuditRow>('SELECT * FROM audit ORDER BY seq DESC LIMIT ?');
    this.recentOf = db.prepare<[string, number], AuditRow>('SELECT * FROM audit WHERE actor_id = ? ORDER BY seq DESC LIMIT ?');
    this.pageAll = db.prepare<[number, string, number], AuditRow>('SELECT * FROM audit WHERE seq > ? AND at >= ? ORDER BY seq ASC LIMIT ?');
    this.pageOf = db.prepare<[number, string, string, number], AuditRow>('SELECT * FROM audit WHERE seq > ? AND at >= ? AND actor_id = ? ORDER BY seq ASC LIMIT ?');
    this.all = db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq ASC');
  }

  /** Appends one record. Call inside the mutation's transaction so a failed write refuses the mutation. */
  append(entry: AuditEntry): AuditRecord {
    const append = this.db.transaction((): AuditRecord => {
      const last = this.last.get();
      const body = {
        seq: (last?.seq ?? 0) + 1,
        at: entry.at ?? new Date().toISOString(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        allowed: entry.allowed,
        detail: JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>,
      };
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, body);
      this.insert.run({
        seq: body.seq,
        at: body.at,
        actor_id: body.actor.id,
        actor_name: body.actor.name,
        action: body.action,
        target: body.target,
        allowed: body.allowed ? 1 : 0,
        detail: JSON.stringify(body.detail),
        prev_hash: prevHash,
        hash,
      });
      return { ...body, prevHash, hash };
    });
    return append();
  }

  /** Newest first. */
  list(limit: number): AuditRecord[] {
    return this.recent.all(limit).map(fromRow);
  }

  /** Oldest first from after `afterSeq`, at or after `since` (ISO), one actor's or all: how an export pages. */
  page(q: { afterSeq: number; since: string; limit: number; actorId?: string }): AuditRecord[] {
    const rows = q.actorId === undefined ? this.pageAll.all(q.afterSeq, q.since, q.limit) : this.pageOf.all(q.afterSeq, q.since, q.actorId, q.limit);
    return rows.map(fromRow);
  }

  /** The seq of the newest record, 0 for none. */
  headSeq(): number {
    return this.last.get()?.seq ?? 0;
  }

  /** One actor's records, newest first. */
  listOf(actorId: string, limit: number): AuditRecord[] {
    return this.recentOf.all(actorId, limit).map(fromRow);
  }

  verify(): VerifyResult {
    return verifyChain((function* (rows: IterableIterator<AuditRow>) {
      for (const r of rows) yield fromRow(r);
    })(this.all.iterate()));
  }
}
