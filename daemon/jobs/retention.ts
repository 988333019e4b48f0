// Which finished jobs leave the store (jobs.retention in daemon.yaml). Pure: given one cluster's
// finished jobs still in the store — each with the time the daemon collected its result — the
// policy and the clock, it names the seqs whose envelope and result may be deleted. A job stays
// while it is among the newest `keepLast` finished jobs of its cluster, or while its result was
// collected less than `keepForMs` ago. Deleting is always safe for the agent: it finished the job
// (its result was collected) and its journal keeps its high-water seq, so it never looks at that
// seq again; the rule only decides how much history the store shows.

export interface RetentionPolicy {
  /** The newest finished jobs per cluster that always stay (at least 1, so the newest result is always there). */
  keepLast: number;
  /** How long a finished job stays after its result was collected. */
  keepForMs: number;
}

export interface FinishedInStore {
  seq: number;
  /** When the daemon collected the result, in ms since the epoch (the daemon's clock, not the agent's). */
  collectedAtMs: number;
}

/** The policy from daemon.yaml's jobs.retention. */
export function retentionPolicy(config: { keepLast: number; keepHours: number }): RetentionPolicy {
  return { keepLast: config.keepLast, keepForMs: config.keepHours * 60 * 60 * 1000 };
}

/** The seqs to delete from the store, ascending. */
export function retentionExpired(finished: readonly FinishedInStore[], policy: RetentionPolicy, nowMs: number): number[] {
  const keepLast = Math.max(1, Math.floor(policy.keepLast));
  const newestFirst = [...finished].sort((a, b) => b.seq - a.seq);
  return newestFirst
    .slice(keepLast)
    .filter((j) => nowMs - j.collectedAtMs >= policy.keepForMs)
    .map((j) => j.seq)
    .sort((a, b) => a - b);
}
