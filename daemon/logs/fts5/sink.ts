// The embedded log sink (DESIGN.md §3.6): SQLite FTS5 in a database file of its own, in WAL mode,
// one writer connection for every write and a read-only one for searches. See docs/LOGS.md,
// "Storage and retention", and docs/ARCHITECTURE.md, "Log sink".
import Database from 'better-sqlite3';
import { FlotillaError } from '../../../core/errors.js';
import type { LogHistogram } from '../../../core/logs/api.js';
import type { LogRecord, StoredLogRecord } from '../../../core/logs/record.js';
import { createPrivateFile } from '../../../core/private-file.js';
import type { ResolvedQuery } from '../../../core/query/ast.js';
import type { LogSink, SinkPage, SinkRetention, SinkRetentionResult, SinkSearch, SinkStats, SinkWriteResult } from '../sink.js';
import { Fts5Reader } from './reader.js';
import { partitionWidthMs } from './rowkey.js';
import { BASE_SCHEMA, SCHEMA_VERSION } from './schema.js';
import { Fts5Writer } from './writer.js';

export interface Fts5SinkOptions {
  file: string;
  /** Used when the file is created; an existing file keeps the width it was created with. */
  partitionHours: number;
}

function openWriter(file: string, partitionHours: number): { db: Database.Database; widthMs: number } {
  let db: Database.Database;
  try {
    // SQLite gives the -wal and -shm files the database file's mode, so creating it 0600 covers all three.
    createPrivateFile(file);
    db = new Database(file);
  } catch (e) {
    throw new FlotillaError('config', `cannot open the log database ${file}: ${(e as Error).message}`, 'Check that its directory exists and is writable by this user, or set logs.sink.path.', { cause: e });
  }
  try {
    // auto_vacuum takes effect only before the first table exists: set it first, on a new file.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536');
    // A checkpoint every 64 MiB of WAL rather than SQLite's 4 MiB: a page that many commits dirty
    // (an index's, the FTS segments') is copied back to the file once, not once per few commits.
    db.pragma('wal_autocheckpoint = 16384');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new FlotillaError('config', `log database ${file} has schema version ${version}, newer than this Flotilla understands (${SCHEMA_VERSION})`, 'Run the Flotilla version that wrote it, or move the file aside to start an empty log store.');
    }
    db.exec(BASE_SCHEMA);
    db.prepare(`INSERT OR IGNORE INTO log_meta (key, value) VALUES ('partition_ms', ?)`).run(partitionWidthMs(partitionHours));
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const widthMs = db.prepare(`SELECT value FROM log_meta WHERE key = 'partition_ms'`).pluck().get() as number;
    return { db, widthMs };
  } catch (e) {
    db.close();
    if (e instanceof FlotillaError) throw e;
    throw new FlotillaError('config', `log database ${file} is not usable: ${(e as Error).message}`, 'Move the file aside (the daemon starts an empty log store) or restore it from a copy.', { cause: e });
  }
}

export class Fts5LogSink implements LogSink {
  readonly kind = 'sqlite' as const;
  private readonly writerDb: Database.Database;
  private readonly readerDb: Database.Database;
  private readonly writer: Fts5Writer;
  private readonly reader: Fts5Reader;
  private closed = false;
  /** The partition width in force (from the file, which may differ from the configured one). */
  readonly partitionMs: number;

  constructor(opts: Fts5SinkOptions) {
    const { db, widthMs } = openWriter(opts.file, opts.partitionHours);
    this.writerDb = db;
    this.partitionMs = widthMs;
    this.readerDb = new Database(opts.file, { readonly: true, fileMustExist: true });
    this.readerDb.pragma('cache_size = -65536');
    this.readerDb.pragma('mmap_size = 268435456');
    this.writer = new Fts5Writer(this.writerDb, widthMs);
    this.reader = new Fts5Reader(this.readerDb, widthMs);
  }

  private open(): void {
    if (this.closed) throw new FlotillaError('unavailable', 'the log store is closed', 'Retry once the daemon has restarted.');
  }

  async write(records: readonly LogRecord[]): Promise<SinkWriteResult> {
    this.open();
    return this.writer.write(records);
  }

  async search(req: SinkSearch): Promise<SinkPage> {
    this.open();
    return this.reader.search(req);
  }

  async storedAfter(query: ResolvedQuery, after: string | null, limit: number): Promise<{ items: StoredLogRecord[]; next: string | null }> {
    this.open();
    return this.reader.storedAfter(query, after, limit);
  }

  async head(): Promise<string | null> {
    this.open();
    return this.reader.head();
  }

  async context(id: string, lines: number): Promise<{ hit: StoredLogRecord; before: StoredLogRecord[]; after: StoredLogRecord[] } | null> {
    this.open();
    return this.reader.context(id, lines);
  }

  async histogram(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): Promise<LogHistogram> {
    this.open();
    return this.reader.histogram(query, buckets);
  }

  async retain(policy: SinkRetention, nowMs: number): Promise<SinkRetentionResult> {
    this.open();
    return this.writer.retain(policy, nowMs);
  }

  async stats(): Promise<SinkStats> {
    this.open();
    return this.reader.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readerDb.close();
    this.writerDb.close();
  }
}
