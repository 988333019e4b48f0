// Log lines agents report as lost (LogBatch.drops): durable per-cluster totals and the recent
// reports, for cluster detail and the health model. A report is stored once per (cluster, file,
// reason, at), so a batch resent after a lost ack never counts its drops twice.
import type { LogDrop } from '../../core/logs/batch.js';
import type { Db } from './db.js';

/** Reports kept per cluster; the totals keep counting past them. */
export const LOG_DROPS_KEPT = 1000;

export interface LogDropTotals {
  lines: number;
  bytes: number;
}

export class LogDropRepo {
  private readonly insert;
  private readonly addTotals;
  private readonly totals;
  private readonly recentStmt;
  private readonly prune;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO log_drops (cluster, file, path, lines, bytes, reason, at, received_at) VALUES (@cluster, @file, @path, @lines, @bytes, @reason, @at, @receivedAt)',
    );
    this.addTotals = db.prepare(
      'INSERT INTO log_drop_totals (cluster, lines, bytes) VALUES (@cluster, @lines, @bytes) ON CONFLICT(cluster) DO UPDATE SET lines = lines + excluded.lines, bytes = bytes + excluded.bytes',
    );
    this.totals = db.prepare<[string], LogDropTotals>('SELECT lines, bytes FROM log_drop_totals WHERE cluster = ?');
    this.recentStmt = db.prepare<[string, number], LogDrop>('SELECT path, file, lines, bytes, reason, at FROM log_drops WHERE cluster = ? ORDER BY id DESC LIMIT ?');
    this.prune = db.prepare<[string, string, number]>('DELETE FROM log_drops WHERE cluster = ? AND id <= (SELECT id FROM log_drops WHERE cluster = ? ORDER BY id DESC LIMIT 1 OFFSET ?)');
  }

  /** Records a batch's drops in one transaction; returns the ones not seen before (what the totals grew by). */
  record(cluster: string, drops: readonly LogDrop[], receivedAt: string): LogDrop[] {
    if (drops.length === 0) return [];
    return this.db.transaction(() => {
      const fresh: LogDrop[] = [];
      for (const d of drops) {
        if (this.insert.run({ cluster, file: d.file, path: d.path, lines: d.lines, bytes: d.bytes, reason: d.reason, at: d.at, receivedAt }).changes === 1) fresh.push(d);
      }
      if (fresh.length > 0) {
        this.addTotals.run({ cluster, lines: fresh.reduce((n, d) => n + d.lines, 0), bytes: fresh.reduce((n, d) => n + d.bytes, 0) });
        this.prune.run(cluster, cluster, LOG_DROPS_KEPT);
      }
      return fresh;
    })();
  }

  totalsOf(cluster: string): LogDropTotals {
    return this.totals.get(cluster) ?? { lines: 0, bytes: 0 };
  }

  /** Newest first. */
  recent(cluster: string, limit: number): LogDrop[] {
    return this.recentStmt.all(cluster, limit);
  }
}
