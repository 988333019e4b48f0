// The embedded series in a SQLite file of their own (<dataDir>/metrics.db; docs/METRICS.md): one row
// per report in the raw tier, and per cluster and bucket the average and maximum of each series in
// the coarser tiers, all series of a row in one blob of float32s (catalogue order). Reports are
// buffered and written in one transaction per flush; the open bucket of each coarse tier lives in
// memory and is written at every flush, so a restart loses at most one flush interval.
import Database from 'better-sqlite3';
import { FlotillaError } from '../../core/errors.js';
import { createPrivateFile } from '../../core/private-file.js';
import { bucketStart, COARSE_TIERS, TIERS, type StoredPoint, type Tier } from './tiers.js';

interface Bucket {
  tier: number;
  cluster: string;
  t: number;
  sum: Float64Array;
  n: Uint32Array;
  max: Float64Array;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS points (
    tier INTEGER NOT NULL,
    cluster TEXT NOT NULL,
    t INTEGER NOT NULL,
    v BLOB NOT NULL,
    PRIMARY KEY (tier, cluster, t)
  ) WITHOUT ROWID;
`;

function encode(values: ArrayLike<number>): Buffer {
  const f = Float32Array.from(values);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

function decode(blob: Buffer): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

export class SeriesStore {
  private readonly db: Database.Database;
  private readonly put: Database.Statement;
  private readonly select: Database.Statement;
  private readonly pruneOne: Database.Statement;
  private readonly forgetOne: Database.Statement;
  private pendingRaw: { cluster: string; t: number; v: Float64Array }[] = [];
  private readonly open = new Map<string, Bucket>();
  private closedBuckets: Bucket[] = [];
  private readonly dirty = new Set<string>();
  private readonly clusters = new Set<string>();

  constructor(
    file: string,
    private readonly width: number,
  ) {
    try {
      createPrivateFile(file);
      this.db = new Database(file);
    } catch (e) {
      throw new FlotillaError('config', `cannot open the metrics store ${file}: ${(e as Error).message}`, 'Check that the data directory exists and is writable by this user.', { cause: e });
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      this.db.close();
      throw new FlotillaError('config', `the metrics store ${file} is not usable: ${(e as Error).message}`, 'Move it aside (the series start again from the next reports) or restore it from a backup.', { cause: e });
    }
    this.put = this.db.prepare('INSERT OR REPLACE INTO points (tier, cluster, t, v) VALUES (?, ?, ?, ?)');
    this.select = this.db.prepare('SELECT t, v FROM points WHERE tier = ? AND cluster = ? AND t >= ? AND t <= ? ORDER BY t');
    this.pruneOne = this.db.prepare('DELETE FROM points WHERE tier = ? AND cluster = ? AND t < ?');
    this.forgetOne = this.db.prepare('DELETE FROM points WHERE tier = ? AND cluster = ?');
    for (const r of this.db.prepare('SELECT DISTINCT cluster FROM points').pluck().all() as string[]) this.clusters.add(r);
  }

  /** One report's values (catalogue order, NaN for none), at the daemon's receive time. */
  record(cluster: string, tMs: number, values: Float64Array): void {
    this.clusters.add(cluster);
    this.pendingRaw.push({ cluster, t: tMs, v: values });
    for (const tier of COARSE_TIERS) {
      const key = `${tier.id}\u0000${cluster}`;
      const t = bucketStart(tMs, tier.resolutionMs);
      let b = this.open.get(key);
      if (b && b.t !== t) {
        if (t < b.t) continue; // a report older than the open bucket adds nothing to what is written
        this.closedBuckets.push(b);
        b = undefined;
      }
      if (!b) {
        b = { tier: tier.id, cluster, t, sum: new Float64Array(this.width), n: new Uint32Array(this.width), max: new Float64Array(this.width).fill(Number.NaN) };
        this.open.set(key, b);
      }
      for (let i = 0; i < this.width; i++) {
        const v = values[i] as number;
        if (Number.isNaN(v)) continue;
        b.sum[i] = (b.sum[i] as number) + v;
        b.n[i] = (b.n[i] as number) + 1;
        if (!(v <= (b.max[i] as number))) b.max[i] = v;
      }
      this.dirty.add(key);
    }
  }

  private bucketRow(b: Bucket): Buffer {
    const avg = Array.from({ length: this.width }, (_, i) => ((b.n[i] as number) > 0 ? (b.sum[i] as number) / (b.n[i] as number) : Number.NaN));
    return encode([...avg, ...b.max]);
  }

  /** Writes what the reports since the last flush added, in one transaction. */
  flush(): void {
    if (this.pendingRaw.length === 0 && this.dirty.size === 0 && this.closedBuckets.length === 0) return;
    const raw = this.pendingRaw;
    const closed = this.closedBuckets;
    const dirty = [...this.dirty].map((k) => this.open.get(k) as Bucket);
    this.pendingRaw = [];
    this.closedBuckets = [];
    this.dirty.clear();
    this.db.transaction(() => {
      for (const r of raw) this.put.run(0, r.cluster, r.t, encode(r.v));
      for (const b of [...closed, ...dirty]) this.put.run(b.tier, b.cluster, b.t, this.bucketRow(b));
    })();
  }

  /** Removes what each tier keeps no longer; returns the rows removed. */
  prune(nowMs: number): number {
    let removed = 0;
    this.db.transaction(() => {
      for (const tier of TIERS) for (const c of this.clusters) removed += this.pruneOne.run(tier.id, c, nowMs - tier.retentionMs).changes;
    })();
    return removed;
  }

  /** A removed cluster's series go with it, so a new cluster of the same name starts empty. */
  forget(cluster: string): void {
    this.flush();
    this.db.transaction(() => {
      for (const tier of TIERS) this.forgetOne.run(tier.id, cluster);
    })();
    for (const tier of COARSE_TIERS) this.open.delete(`${tier.id}\u0000${cluster}`);
    this.clusters.delete(cluster);
  }

  /** The points of series `indexes` in [startMs, endMs] of one tier, per series. */
  read(cluster: string, tier: Tier, startMs: number, endMs: number, indexes: readonly number[]): StoredPoint[][] {
    this.flush();
    const out: StoredPoint[][] = indexes.map(() => []);
    const rows = this.select.all(tier.id, cluster, tier.resolutionMs ? bucketStart(startMs, tier.resolutionMs) : startMs, endMs) as { t: number; v: Buffer }[];
    for (const row of rows) {
      const v = decode(row.v);
      // A raw row holds the values; a bucket row the averages, then the maxima. Rows written before a series was added are shorter.
      const n = tier.resolutionMs ? v.length / 2 : v.length;
      indexes.forEach((s, j) => {
        if (s >= n) return;
        const avg = v[s] as number;
        (out[j] as StoredPoint[]).push({ t: row.t, avg, max: tier.resolutionMs ? (v[n + s] as number) : avg });
      });
    }
    return out;
  }

  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
