// The FTS5 sink's searches, on a read-only connection of their own: in WAL mode a reader sees the
// last commit and never takes the writer's lock, so ingest never waits on a search.
import type Database from 'better-sqlite3';
import { FlotillaError } from '../../../core/errors.js';
import type { LogHistogram } from '../../../core/logs/api.js';
import { LOG_LEVELS, LOG_STREAMS, type LogLevel, type StoredLogRecord } from '../../../core/logs/record.js';
import type { ResolvedQuery } from '../../../core/query/ast.js';
import type { SinkPage, SinkSearch, SinkStats } from '../sink.js';
import { SOURCES_TABLE, compileQuery, type CompiledQuery, type SqlParam } from './compile.js';
import { ROWID_PER_US, decodePage, decodeSeq, encodePage, encodeSeq, partitionStartMs, rowidRange } from './rowkey.js';
import { RECORD_COLUMNS, ftsTable, recordsTable, type RecordRow } from './schema.js';

interface Source {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
}

interface PartitionRow {
  part: number;
  records: number;
  max_seq: number;
}

/** storedAfter looks at most this many ingest positions per call, so one call stays short; `next` continues. */
const STORED_AFTER_WINDOW = 20_000;
const STORED_AFTER_BUDGET = 100_000;
const STATEMENT_CACHE = 256;

export class Fts5Reader {
  private readonly sources = new Map<number, Source>();
  private readonly cache = new Map<string, Database.Statement>();
  private readonly sourceOf: Database.Statement;
  private readonly partitions: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly widthMs: number,
  ) {
    this.sourceOf = db.prepare(`SELECT cluster, namespace, pod, container, node FROM ${SOURCES_TABLE} WHERE sid = ?`);
    this.partitions = db.prepare('SELECT part, records, max_seq FROM log_partitions ORDER BY part DESC');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (s) {
      // Most recently used last, so the first entry is the one to evict.
      this.cache.delete(sql);
    } else {
      s = this.db.prepare(sql);
      if (this.cache.size >= STATEMENT_CACHE) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, s);
    return s;
  }

  private source(sid: number): Source {
    let s = this.sources.get(sid);
    if (!s) {
      s = this.sourceOf.get(sid) as Source | undefined;
      if (!s) throw new FlotillaError('internal', `log store: record source ${sid} is missing`, 'Report this as a bug; the log database may be damaged.');
      this.sources.set(sid, s);
    }
    return s;
  }

  private record(row: RecordRow): StoredLogRecord {
    const s = this.source(row.sid);
    return {
      id: row.id.toString('hex'),
      ts: row.ts,
      cluster: s.cluster,
      namespace: s.namespace,
      pod: s.pod,
      container: s.container,
      node: s.node,
      stream: LOG_STREAMS[row.stream]!,
      level: LOG_LEVELS[row.level]!,
      message: row.message,
      fields: row.fields === null ? {} : (JSON.parse(row.fields) as StoredLogRecord['fields']),
      cursor: encodeSeq(row.seq),
    };
  }

  private partList(): PartitionRow[] {
    return this.partitions.all() as PartitionRow[];
  }

  /**
   * The FROM and WHERE of a query over one partition with its rowid bounds. With a positive text term
   * the FTS index drives (newest first, rowid bounds pushed into it); otherwise the records table.
   */
  private scope(part: number, c: CompiledQuery, lo: number, hi: number): { from: string; where: string; params: SqlParam[]; rid: string } {
    const t = recordsTable(part);
    const f = ftsTable(part);
    const exclude = c.exclude ? ` AND NOT EXISTS (SELECT 1 FROM ${f} WHERE ${f} MATCH ? AND ${f}.rowid = r.rid)` : '';
    const excludeParams = c.exclude ? [c.exclude] : [];
    if (c.match) {
      return {
        from: `${f} CROSS JOIN ${t} r ON r.rid = ${f}.rowid`,
        where: `${f} MATCH ? AND ${f}.rowid BETWEEN ? AND ? AND ${c.where}${exclude}`,
        params: [c.match, lo, hi, ...c.params, ...excludeParams],
        rid: `${f}.rowid`,
      };
    }
    return { from: `${t} r`, where: `r.rid BETWEEN ? AND ? AND ${c.where}${exclude}`, params: [lo, hi, ...c.params, ...excludeParams], rid: 'r.rid' };
  }

  search(req: SinkSearch): SinkPage {
    if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > 1000) {
      throw new FlotillaError('usage', `limit ${req.limit} is out of range`, 'Ask for 1 to 1000 records a page.');
    }
    const c = compileQuery(req.query);
    const before = req.before === undefined ? null : decodePage(req.before);
    const want = req.limit + 1; // one more than the page, to know whether a next page exists
    const rows: { part: number; row: RecordRow }[] = [];
    for (const { part } of this.partList()) {
      if (before && part > before.part) continue;
      const range = rowidRange(part, this.widthMs, req.query.sinceMs, req.query.untilMs);
      if (!range) continue;
      const hi = before && part === before.part ? Math.min(range.hi, before.rowid - 1) : range.hi;
      if (hi < range.lo) continue;
      const s = this.scope(part, c, range.lo, hi);
      const found = this.stmt(`SELECT ${RECORD_COLUMNS} FROM ${s.from} WHERE ${s.where} ORDER BY ${s.rid} DESC LIMIT ?`).all(...s.params, want - rows.length) as RecordRow[];
      for (const row of found) rows.push({ part, row });
      if (rows.length >= want) break;
    }
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return { items: page.map((x) => this.record(x.row)), ...(rows.length > req.limit && last ? { next: encodePage(last.part, last.row.rid) } : {}) };
  }

  head(): string | null {
    const max = Math.max(0, ...this.partList().filter((p) => p.records > 0).map((p) => p.max_seq));
    return max > 0 ? encodeSeq(max) : null;
  }

  storedAfter(query: ResolvedQuery, after: string | null, limit: number): { items: StoredLogRecord[]; next: string | null } {
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new FlotillaError('usage', `limit ${limit} is out of range`, 'Ask for 1 to 5000 records at a time.');
    const c = compileQuery(query);
    let lo = after === null ? 0 : decodeSeq(after);
    const parts = this.partList();
    const head = Math.max(0, ...parts.map((p) => p.max_seq));
    const found: RecordRow[] = [];
    const scannedTo = lo + STORED_AFTER_BUDGET;
    while (lo < head && lo < scannedTo) {
      const hi = Math.min(lo + STORED_AFTER_WINDOW, head);
      const window: RecordRow[] = [];
      for (const p of parts) {
        if (p.max_seq <= lo) continue;
        const range = rowidRange(p.part, this.widthMs, query.sinceMs, query.untilMs);
        if (!range) continue;
        const t = recordsTable(p.part);
        const f = ftsTable(p.part);
        // Few rows in a seq window: each is checked against the index by rowid, not the whole term's doclist.
        const text = [c.match ? ` AND EXISTS (SELECT 1 FROM ${f} WHERE ${f} MATCH ? AND ${f}.rowid = r.rid)` : '', c.exclude ? ` AND NOT EXISTS (SELECT 1 FROM ${f} WHERE ${f} MATCH ? AND ${f}.rowid = r.rid)` : ''].join('');
        const textParams = [...(c.match ? [c.match] : []), ...(c.exclude ? [c.exclude] : [])];
        const sql = `SELECT ${RECORD_COLUMNS} FROM ${t} r WHERE r.seq > ? AND r.seq <= ? AND r.rid BETWEEN ? AND ? AND ${c.where}${text} ORDER BY r.seq LIMIT ?`;
        // One more than needed: a window that fills the page must still say whether it held more.
        window.push(...(this.stmt(sql).all(lo, hi, range.lo, range.hi, ...c.params, ...textParams, limit - found.length + 1) as RecordRow[]));
      }
      window.sort((a, b) => a.seq - b.seq);
      found.push(...window);
      if (found.length >= limit) {
        const items = found.slice(0, limit);
        const more = found.length > limit || hi < head;
        return { items: items.map((r) => this.record(r)), next: more ? encodeSeq(items[items.length - 1]!.seq) : null };
      }
      lo = hi;
    }
    return { items: found.map((r) => this.record(r)), next: lo < head ? encodeSeq(lo) : null };
  }

  context(id: string, lines: number): { hit: StoredLogRecord; before: StoredLogRecord[]; after: StoredLogRecord[] } | null {
    if (!/^[0-9a-f]{32}$/.test(id)) return null;
    if (!Number.isInteger(lines) || lines < 0 || lines > 1000) throw new FlotillaError('usage', `context of ${lines} lines is out of range`, 'Ask for 0 to 1000 lines of context.');
    const parts = this.partList();
    const key = Buffer.from(id, 'hex');
    for (const { part } of parts) {
      const row = this.stmt(`SELECT ${RECORD_COLUMNS} FROM ${recordsTable(part)} r WHERE r.id = ?`).get(key) as RecordRow | undefined;
      if (!row) continue;
      const s = this.source(row.sid);
      const sids = (this.stmt(`SELECT sid FROM ${SOURCES_TABLE} WHERE cluster = ? AND namespace = ? AND pod = ? AND container = ?`).pluck().all(s.cluster, s.namespace, s.pod, s.container) as number[]).join(',');
      const neighbours = (dir: 'before' | 'after'): RecordRow[] => {
        const out: RecordRow[] = [];
        const ordered = dir === 'before' ? parts.filter((p) => p.part <= part) : [...parts].reverse().filter((p) => p.part >= part);
        for (const p of ordered) {
          if (out.length >= lines) break;
          const bound = p.part === part ? (dir === 'before' ? ` AND r.rid < ${row.rid}` : ` AND r.rid > ${row.rid}`) : '';
          const sql = `SELECT ${RECORD_COLUMNS} FROM ${recordsTable(p.part)} r WHERE r.sid IN (${sids})${bound} ORDER BY r.rid ${dir === 'before' ? 'DESC' : 'ASC'} LIMIT ?`;
          out.push(...(this.stmt(sql).all(lines - out.length) as RecordRow[]));
        }
        return out;
      };
      return { hit: this.record(row), before: lines ? neighbours('before').reverse().map((r) => this.record(r)) : [], after: lines ? neighbours('after').map((r) => this.record(r)) : [] };
    }
    return null;
  }

  histogram(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): LogHistogram {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw new FlotillaError('usage', `${buckets} buckets is out of range`, 'Ask for 1 to 1000 buckets.');
    if (!Number.isSafeInteger(query.sinceMs) || !Number.isSafeInteger(query.untilMs)) throw new FlotillaError('usage', 'the histogram range is not a pair of epoch milliseconds', 'Give since and until as times.');
    if (!(query.untilMs >= query.sinceMs)) throw new FlotillaError('usage', 'the histogram range ends before it starts', 'Give until after since.');
    const c = compileQuery(query);
    const bucketMs = Math.max(1, Math.ceil((query.untilMs - query.sinceMs + 1) / buckets));
    const out: Partial<Record<LogLevel, number>>[] = Array.from({ length: buckets }, () => ({}));
    let total = 0;
    for (const { part } of this.partList()) {
      const range = rowidRange(part, this.widthMs, query.sinceMs, query.untilMs);
      if (!range) continue;
      const s = this.scope(part, c, range.lo, range.hi);
      const msOf = `(${partitionStartMs(part, this.widthMs)} + ${s.rid} / ${ROWID_PER_US * 1000})`;
      // Integers checked above, so written into the SQL: a placeholder in the SELECT would come before the WHERE's.
      const sql = `SELECT (${msOf} - ${query.sinceMs}) / ${bucketMs} AS b, r.level AS level, count(*) AS n FROM ${s.from} WHERE ${s.where} GROUP BY b, r.level`;
      for (const g of this.stmt(sql).all(...s.params) as { b: number; level: number; n: number }[]) {
        const bucket = out[Math.min(buckets - 1, Math.max(0, g.b))]!;
        const level = LOG_LEVELS[g.level]!;
        bucket[level] = (bucket[level] ?? 0) + g.n;
        total += g.n;
      }
    }
    return { fromMs: query.sinceMs, toMs: query.untilMs, bucketMs, buckets: out, total };
  }

  stats(): SinkStats {
    const parts = this.partList().filter((p) => p.records > 0);
    const edge = (part: number | undefined, dir: 'ASC' | 'DESC') => (part === undefined ? null : ((this.stmt(`SELECT ts FROM ${recordsTable(part)} ORDER BY rid ${dir} LIMIT 1`).pluck().get() as string | undefined) ?? null));
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return {
      records: parts.reduce((n, p) => n + p.records, 0),
      bytes: (pages - free) * (this.db.pragma('page_size', { simple: true }) as number),
      partitions: this.partList().length,
      oldestTs: edge(parts[parts.length - 1]?.part, 'ASC'),
      newestTs: edge(parts[0]?.part, 'DESC'),
    };
  }
}
