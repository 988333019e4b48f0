// The FTS5 sink's one writer connection: every write, partition change and retention pass goes
// through it, one transaction at a time (better-sqlite3 is synchronous, so they cannot interleave).
import type Database from 'better-sqlite3';
import { FlotillaError } from '../../../core/errors.js';
import { LOG_LEVELS, LOG_STREAMS, type LogRecord, type StoredLogRecord } from '../../../core/logs/record.js';
import type { SinkRetention, SinkRetentionResult, SinkWriteResult } from '../sink.js';
import { SOURCES_TABLE } from './compile.js';
import { TIEBREAKS, baseRowid, encodeSeq, parseTs, partitionOf, rowidRange } from './rowkey.js';
import { dropPartition, ftsTable, partitionSchema, recordsTable } from './schema.js';

type Statement = Database.Statement;

interface PartitionStatements {
  insert: Statement;
  nextTiebreak: Statement;
  known: Statement;
  freeRowid: Statement;
  fts: Statement;
}

const LEVEL_CODE = new Map<string, number>(LOG_LEVELS.map((l, i) => [l, i]));
const STREAM_CODE = new Map<string, number>(LOG_STREAMS.map((s, i) => [s, i]));

function sourceKey(r: Pick<LogRecord, 'cluster' | 'namespace' | 'pod' | 'container' | 'node'>): string {
  return `${r.cluster}\u0000${r.namespace}\u0000${r.pod}\u0000${r.container}\u0000${r.node}`;
}

export class Fts5Writer {
  private readonly parts = new Map<number, PartitionStatements>();
  private readonly sources = new Map<string, number>();
  private seq: number;
  private readonly insertSource: Statement;
  private readonly setSeq: Statement;
  private readonly bumpPartition: Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly widthMs: number,
  ) {
    this.seq = (db.prepare(`SELECT value FROM log_meta WHERE key = 'seq'`).pluck().get() as number | undefined) ?? 0;
    this.insertSource = db.prepare(`INSERT INTO ${SOURCES_TABLE} (cluster, namespace, pod, container, node) VALUES (?, ?, ?, ?, ?)`);
    this.setSeq = db.prepare(`INSERT INTO log_meta (key, value) VALUES ('seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.bumpPartition = db.prepare('UPDATE log_partitions SET records = records + ?, max_seq = max(max_seq, ?) WHERE part = ?');
    this.loadSources();
    for (const part of db.prepare('SELECT part FROM log_partitions').pluck().all() as number[]) this.parts.set(part, this.statements(part));
  }

  private loadSources(): void {
    this.sources.clear();
    for (const s of this.db.prepare(`SELECT sid, cluster, namespace, pod, container, node FROM ${SOURCES_TABLE}`).all() as (LogRecord & { sid: number })[]) {
      this.sources.set(sourceKey(s), s.sid);
    }
  }

  private statements(part: number): PartitionStatements {
    const t = recordsTable(part);
    const cols = '(rid, seq, id, sid, level, stream, ts, message, fields)';
    return {
      // The record's own rowid first: a plain insert, which a known id (or a taken rowid: an equal ts)
      // turns into a no-op that write() then sorts out.
      insert: this.db.prepare(`INSERT OR IGNORE INTO ${t} ${cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      nextTiebreak: this.db.prepare(`SELECT max(rid) + 1 FROM ${t} WHERE rid BETWEEN ? AND ?`).pluck(),
      known: this.db.prepare(`SELECT 1 FROM ${t} WHERE id = ?`).pluck(),
      freeRowid: this.db.prepare(`SELECT a.rid + 1 FROM ${t} a WHERE a.rid >= ? AND NOT EXISTS (SELECT 1 FROM ${t} b WHERE b.rid = a.rid + 1) ORDER BY a.rid LIMIT 1`).pluck(),
      fts: this.db.prepare(`INSERT INTO ${ftsTable(part)} (rowid, message) VALUES (?, ?)`),
    };
  }

  private partition(part: number): PartitionStatements {
    let p = this.parts.get(part);
    if (!p) {
      this.db.exec(partitionSchema(part));
      p = this.statements(part);
      this.parts.set(part, p);
    }
    return p;
  }

  private sid(r: LogRecord, added: string[]): number {
    const key = sourceKey(r);
    let sid = this.sources.get(key);
    if (sid === undefined) {
      sid = Number(this.insertSource.run(r.cluster, r.namespace, r.pod, r.container, r.node).lastInsertRowid);
      this.sources.set(key, sid);
      added.push(key);
    }
    return sid;
  }

  write(records: readonly LogRecord[]): SinkWriteResult {
    // Checked before the transaction, so a bad record refuses the whole batch with nothing written.
    const placed = records.map((r, i) => {
      const level = LEVEL_CODE.get(r.level);
      const stream = STREAM_CODE.get(r.stream);
      if (level === undefined || stream === undefined || !/^[0-9a-f]{32}$/.test(r.id)) {
        throw new FlotillaError('rejected', `log record ${JSON.stringify(r.id).slice(0, 40)} has an unknown level, stream or id form`, 'Send records that pass LogRecordSchema (core/logs/record.ts).');
      }
      const t = parseTs(r.ts);
      const part = partitionOf(t.ms, this.widthMs);
      return { r, level, stream, part, base: baseRowid(t, part, this.widthMs), seq: this.seq + 1 + i };
    });
    // Inserted in rowid order: FTS5 flushes its pending terms to a new segment whenever a rowid is
    // not above the previous one, so a batch merged from many files in arrival order would cost a
    // segment (and its merges) every few lines. The seq (the stored order readers see) stays the
    // arrival order; a duplicate leaves a gap in it. The sort is stable: equal ts keep arrival order.
    placed.sort((a, b) => a.part - b.part || a.base - b.base);
    const seqBefore = this.seq;
    const addedSources: string[] = [];
    try {
      return this.db.transaction(() => {
        const stored: { seq: number; record: StoredLogRecord }[] = [];
        const touched = new Map<number, { n: number; maxSeq: number }>();
        let duplicates = 0;
        for (const { r, level, stream, part, base, seq } of placed) {
          const p = this.partition(part);
          const id = Buffer.from(r.id, 'hex');
          const sid = this.sid(r, addedSources);
          const fields = Object.keys(r.fields).length ? JSON.stringify(r.fields) : null;
          let rid = base;
          let info = p.insert.run(rid, seq, id, sid, level, stream, r.ts, r.message, fields);
          if (info.changes === 0) {
            if (p.known.get(id) !== undefined) {
              duplicates++;
              continue;
            }
            // An equal ts is stored: the next of its tiebreaks, or past them the next free rowid.
            const next = p.nextTiebreak.get(base, base + TIEBREAKS - 1) as number;
            rid = next < base + TIEBREAKS ? next : (p.freeRowid.get(base) as number);
            info = p.insert.run(rid, seq, id, sid, level, stream, r.ts, r.message, fields);
            if (info.changes !== 1) throw new FlotillaError('internal', `log store: no free rowid at ${rid}`, 'Report this as a bug.');
          }
          this.seq = Math.max(this.seq, seq);
          p.fts.run(rid, r.message);
          const t = touched.get(part) ?? { n: 0, maxSeq: 0 };
          t.n++;
          t.maxSeq = Math.max(t.maxSeq, seq);
          touched.set(part, t);
          stored.push({ seq, record: { ...r, cursor: encodeSeq(seq) } });
        }
        for (const [part, t] of touched) this.bumpPartition.run(t.n, t.maxSeq, part);
        if (this.seq !== seqBefore) this.setSeq.run(this.seq);
        stored.sort((a, b) => a.seq - b.seq);
        return { stored: stored.map((s) => s.record), duplicates };
      })();
    } catch (e) {
      // The transaction rolled back: forget what it added.
      this.seq = seqBefore;
      for (const key of addedSources) this.sources.delete(key);
      this.forgetMissingPartitions();
      throw e;
    }
  }

  private forgetMissingPartitions(): void {
    const present = new Set(this.db.prepare('SELECT part FROM log_partitions').pluck().all() as number[]);
    for (const part of [...this.parts.keys()]) if (!present.has(part)) this.parts.delete(part);
  }

  private bytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  private reclaim(): void {
    this.db.pragma('incremental_vacuum');
  }

  private partitionList(): { part: number; records: number }[] {
    return this.db.prepare('SELECT part, records FROM log_partitions ORDER BY part').all() as { part: number; records: number }[];
  }

  private drop(part: number): void {
    this.db.exec(dropPartition(part));
    this.parts.delete(part);
  }

  /** Deletes the rows of one partition with rid below `rid`; returns how many. */
  private deleteBelow(part: number, rid: number): number {
    const t = recordsTable(part);
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM ${ftsTable(part)} WHERE rowid IN (SELECT rid FROM ${t} WHERE rid < ?)`).run(rid);
      const n = this.db.prepare(`DELETE FROM ${t} WHERE rid < ?`).run(rid).changes;
      this.db.prepare('UPDATE log_partitions SET records = records - ? WHERE part = ?').run(n, part);
      return n;
    })();
  }

  retain(policy: SinkRetention, nowMs: number): SinkRetentionResult {
    const before = this.bytes();
    let removedRecords = 0;
    let removedPartitions = 0;
    const cutoffMs = nowMs - policy.maxAgeMs;

    // By age: a wholly old partition is dropped; the old rows of the one the cutoff falls in are
    // deleted (ts-ordered rids make that a range), so nothing is kept past maxAge.
    for (const { part, records } of this.partitionList()) {
      const range = rowidRange(part, this.widthMs, cutoffMs, undefined);
      if (range === null) {
        this.drop(part);
        removedRecords += records;
        removedPartitions++;
      } else if (range.lo > 0) {
        removedRecords += this.deleteBelow(part, range.lo);
      }
    }
    this.reclaim();

    // By size: the oldest partitions go first. The newest is never dropped whole; if it alone is too
    // big, its oldest rows go, in proportion to the excess, and its index is rebuilt to free the space.
    let size = this.bytes();
    while (size > policy.maxBytes) {
      const list = this.partitionList();
      if (list.length > 1) {
        const oldest = list[0]!;
        this.drop(oldest.part);
        removedRecords += oldest.records;
        removedPartitions++;
      } else if (list.length === 1 && list[0]!.records > 0) {
        const { part, records } = list[0]!;
        const fraction = Math.min(1, (size - policy.maxBytes) / size + 0.05);
        const cut = this.db.prepare(`SELECT rid FROM ${recordsTable(part)} ORDER BY rid LIMIT 1 OFFSET ?`).pluck().get(Math.min(records - 1, Math.ceil(records * fraction))) as number | undefined;
        const n = this.deleteBelow(part, cut === undefined || fraction >= 1 ? Number.MAX_SAFE_INTEGER : cut);
        removedRecords += n;
        this.db.prepare(`INSERT INTO ${ftsTable(part)} (${ftsTable(part)}) VALUES ('optimize')`).run();
        if (n === 0) break;
      } else {
        break;
      }
      this.reclaim();
      size = this.bytes();
    }

    if (removedPartitions > 0) this.pruneSources();
    if (removedRecords > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { removedRecords, removedBytes: Math.max(0, before - this.bytes()), removedPartitions };
  }

  /** Forgets sources no stored record refers to any more (pods come and go; the table must not grow forever). */
  private pruneSources(): void {
    const parts = this.partitionList();
    const used = parts.map((p) => `SELECT 1 FROM ${recordsTable(p.part)} r WHERE r.sid = s.sid`).join(' UNION ALL ');
    const sql = used ? `DELETE FROM ${SOURCES_TABLE} AS s WHERE NOT EXISTS (${used})` : `DELETE FROM ${SOURCES_TABLE}`;
    if (this.db.prepare(sql).run().changes > 0) this.loadSources();
  }
}
