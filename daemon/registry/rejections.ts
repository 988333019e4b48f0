// Store rejections: one row per rejected (key, etag), so a bad object sitting in the store is
// recorded once, not on every poll.
import type { StoreRejection } from '../../core/fleet.js';
import type { Db } from './db.js';

export interface RejectionInput {
  at: string;
  cluster: string | null;
  key: string;
  etag: string;
  reason: string;
  message: string;
}

export class RejectionRepo {
  private readonly insert;
  private readonly exists;
  private readonly recent;
  private readonly recentForCluster;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO rejections (at, cluster, key, etag, reason, message) VALUES (@at, @cluster, @key, @etag, @reason, @message)');
    this.exists = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM rejections WHERE key = ? AND etag = ?');
    this.recent = db.prepare<[number], StoreRejection & { message: string }>('SELECT at, cluster, key, reason, message FROM rejections ORDER BY id DESC LIMIT ?');
    this.recentForCluster = db.prepare<[string, number], StoreRejection & { message: string }>(
      'SELECT at, cluster, key, reason, message FROM rejections WHERE cluster = ? ORDER BY id DESC LIMIT ?',
    );
  }

  seen(key: string, etag: string): boolean {
    return this.exists.get(key, etag) !== undefined;
  }

  /** Returns false if this (key, etag) was already recorded. */
  record(r: RejectionInput): boolean {
    return this.insert.run(r).changes === 1;
  }

  /** Newest first. */
  list(opts: { cluster?: string; limit: number }): (StoreRejection & { message: string })[] {
    return opts.cluster ? this.recentForCluster.all(opts.cluster, opts.limit) : this.recent.all(opts.limit);
  }
}
