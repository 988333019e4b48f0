// What the center saw arrive, per cluster, since the daemon started: records stored per second over
// the last minute, the newest ts stored, and refusals (dead letters). Memory is fixed per cluster
// (two rate windows and a few numbers), whatever the traffic. Read by the pipeline (pipeline.ts).
import { RateWindow } from '../../core/rate-window.js';
import { PIPELINE_RECENT_SECONDS } from './pipeline-model.js';

const RATE_SECONDS = 60;

interface ClusterIngest {
  stored: RateWindow;
  newestTs: string | null;
  newestTsMs: number | null;
  refused: number;
  recentRefused: RateWindow;
}

export interface IngestOf {
  linesPerSecond: number;
  newestTs: string | null;
  newestTsMs: number | null;
  deadLetters: number;
  recentDeadLetters: number;
}

export class IngestFigures {
  private readonly clusters = new Map<string, ClusterIngest>();

  private of(cluster: string): ClusterIngest {
    let c = this.clusters.get(cluster);
    if (!c) {
      c = { stored: new RateWindow(RATE_SECONDS), newestTs: null, newestTsMs: null, refused: 0, recentRefused: new RateWindow(PIPELINE_RECENT_SECONDS) };
      this.clusters.set(cluster, c);
    }
    return c;
  }

  stored(records: readonly { cluster: string; ts: string }[], nowMs: number): void {
    const counts = new Map<string, { n: number; newest: string; newestMs: number }>();
    for (const r of records) {
      const ms = Date.parse(r.ts);
      const c = counts.get(r.cluster);
      if (!c) counts.set(r.cluster, { n: 1, newest: r.ts, newestMs: ms });
      else {
        c.n++;
        if (ms > c.newestMs) {
          c.newest = r.ts;
          c.newestMs = ms;
        }
      }
    }
    for (const [cluster, c] of counts) {
      const f = this.of(cluster);
      f.stored.add(nowMs, c.n);
      if (f.newestTsMs === null || c.newestMs > f.newestTsMs) {
        f.newestTs = c.newest;
        f.newestTsMs = c.newestMs;
      }
    }
  }

  refused(cluster: string, nowMs: number, n = 1): void {
    const f = this.of(cluster);
    f.refused += n;
    f.recentRefused.add(nowMs, n);
  }

  figures(cluster: string, nowMs: number): IngestOf {
    const f = this.clusters.get(cluster);
    if (!f) return { linesPerSecond: 0, newestTs: null, newestTsMs: null, deadLetters: 0, recentDeadLetters: 0 };
    return { linesPerSecond: Math.round((f.stored.sum(nowMs) / RATE_SECONDS) * 10) / 10, newestTs: f.newestTs, newestTsMs: f.newestTsMs, deadLetters: f.refused, recentDeadLetters: f.recentRefused.sum(nowMs) };
  }

  /** A removed cluster's figures go with it. */
  forget(cluster: string): void {
    this.clusters.delete(cluster);
  }
}
