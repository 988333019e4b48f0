// Finds the job envelopes an agent has still to settle without listing clusters/<c>/jobs/: it asks
// for the keys above its high-water seq, one at first and then in doubling windows while every key
// is there, and stops at the first window with a gap (the daemon writes jobs in order, so a gap is a
// write still on its way and the agent waits there anyway). An idle poll is one HEAD; a backlog of n
// jobs is about n HEADs, however many finished envelopes the store still keeps below the high-water.
// The same walk finds the agent's own results above its journal at start (they are written in order too).
import type { ObjectStore, StoreEntry } from '../../core/store/types.js';

/** The widest window of HEADs in flight at once. */
export const MAX_SCAN_WINDOW = 64;

export interface ScanChanges {
  /** Envelopes new or changed since the previous scan, in seq order. */
  changed: StoreEntry[];
  /** Keys seen by the previous scan and not by this one (deleted, or past a gap that opened). */
  removed: string[];
}

export class SeqScanner {
  /** seq → etag of what the last scan saw, above the high-water only. */
  private readonly seen = new Map<number, string>();

  constructor(
    private readonly store: ObjectStore,
    /** The store key of a seq, e.g. storeKeys.job(cluster, seq). */
    private readonly keyOf: (seq: number) => string,
  ) {}

  /** Forget a seq so its envelope counts as changed on the next scan (after a failed read). */
  forget(seq: number): void {
    this.seen.delete(seq);
  }

  /** Looks at the keys of from, from+1, … ; store errors propagate (the caller retries with backoff). */
  async scan(from: number): Promise<ScanChanges> {
    const present: StoreEntry[] = [];
    const seqs: number[] = [];
    let seq = from;
    let width = 1;
    for (;;) {
      const window = Array.from({ length: width }, (_, i) => seq + i);
      const heads = await Promise.all(window.map((s) => this.store.head(this.keyOf(s))));
      heads.forEach((h, i) => {
        if (!h) return;
        present.push(h);
        seqs.push(window[i] as number);
      });
      if (heads.some((h) => h === null)) break;
      seq += width;
      width = Math.min(width * 2, MAX_SCAN_WINDOW);
    }
    const now = new Map(seqs.map((s, i) => [s, (present[i] as StoreEntry).etag]));
    const changed = present.filter((e, i) => this.seen.get(seqs[i] as number) !== e.etag);
    const removed: string[] = [];
    for (const s of this.seen.keys()) {
      if (s >= from && !now.has(s)) removed.push(this.keyOf(s));
    }
    this.seen.clear();
    for (const [s, etag] of now) this.seen.set(s, etag);
    return { changed, removed };
  }
}
