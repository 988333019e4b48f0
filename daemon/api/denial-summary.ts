// Rate limit for records of refused requests: per source and subject (e.g. 127.0.0.1 and
// "POST /api/v1/clusters"), the first refusal of each window is recorded on its own (a sample) and
// the rest are only counted, into one summary when the window ends. Pure: the caller supplies the
// clock and writes the records, so the audit log and the daemon log are limited by the same rule and
// a flood from anyone who reaches the port costs a bounded number of records per window.

export interface DenialSummaryOptions {
  windowMs: number;
  /** Sources tracked separately per window; the rest share one "other sources" entry per subject. */
  maxSources: number;
}

/** What the summary of one closed window says. */
export interface DenialWindow {
  /** The client address, or OTHER_SOURCES when the table was full. */
  source: string;
  subject: string;
  /** Refusals in the window, the sampled first one included. */
  count: number;
  firstAt: number;
  lastAt: number;
  windowMs: number;
}

export const OTHER_SOURCES = '(other sources)';

interface Open {
  source: string;
  subject: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

export class DenialSummary {
  /** Open windows by source and subject. */
  private readonly open = new Map<string, Open>();
  /** Windows a new hit replaced before due() collected them. */
  private ended: Open[] = [];
  /** Sources with an open window; at maxSources, new ones are counted as OTHER_SOURCES. */
  private readonly sources = new Set<string>();

  constructor(private readonly opts: DenialSummaryOptions) {}

  /** Counts one refusal; true if it is the first of its window and should be recorded on its own. */
  hit(source: string, subject: string, now: number): { sample: boolean } {
    const who = this.sources.has(source) || this.sources.size < this.opts.maxSources ? source : OTHER_SOURCES;
    this.sources.add(who);
    const key = `${who}\u0000${subject}`;
    const current = this.open.get(key);
    if (current && now - current.firstAt < this.opts.windowMs) {
      current.count += 1;
      current.lastAt = now;
      return { sample: false };
    }
    if (current) this.ended.push(current);
    this.open.set(key, { source: who, subject, count: 1, firstAt: now, lastAt: now });
    return { sample: true };
  }

  /** Windows that have ended with more than their sample: one summary each. Ended windows are forgotten. */
  due(now: number): DenialWindow[] {
    const closed = this.ended;
    this.ended = [];
    for (const [key, w] of this.open) {
      if (now - w.firstAt < this.opts.windowMs) continue;
      this.open.delete(key);
      closed.push(w);
    }
    this.sources.clear();
    for (const w of this.open.values()) this.sources.add(w.source);
    return summaries(closed, this.opts.windowMs);
  }

  /** Every window still open, as if it ended now (on shutdown, so no count is lost). */
  drain(): DenialWindow[] {
    const closed = [...this.ended, ...this.open.values()];
    this.ended = [];
    this.open.clear();
    this.sources.clear();
    return summaries(closed, this.opts.windowMs);
  }

  /** Windows open right now: at most (maxSources + 1) × subjects. */
  get size(): number {
    return this.open.size;
  }
}

function summaries(closed: Open[], windowMs: number): DenialWindow[] {
  return closed.filter((w) => w.count > 1).map((w) => ({ ...w, windowMs }));
}

/** "412 unauthenticated requests from 127.0.0.1 to POST /api/v1/clusters in 10 s, first at …, last at …". */
export function summaryText(w: DenialWindow, what: string, where = `to ${w.subject}`): string {
  return `${w.count} ${what} from ${w.source} ${where} in ${w.windowMs / 1000} s, first at ${new Date(w.firstAt).toISOString()}, last at ${new Date(w.lastAt).toISOString()}`;
}
