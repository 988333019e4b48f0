// What `flotilla logs tail` prints and fetches, as a pure state machine driven by the link
// (tail-link.ts): no gaps and no repeats across reconnects, slow-client drops and daemon restarts.
//
// - The cursor of the last printed line is where a (re)subscription resumes (`after`; '' for the
//   start of the store when nothing matched yet).
// - A snapshot with `more: true`, or a `dropped` notice, means lines are missing: the machine asks
//   for REST pages after the cursor (paged by `next`) and holds live lines meanwhile; when the pages
//   run out it prints what it held. If it would hold too many, it lets them go and pages once more,
//   since the pages cover them too.
// - Every line is printed once: ids printed recently (a bounded window) are skipped.
import type { LogSearchResponse } from '../../core/logs/api.js';
import type { StoredLogRecord } from '../../core/logs/record.js';

export interface TailStep {
  print: StoredLogRecord[];
  /** Fetch a REST page of what was stored after this cursor ('' = from the start: nothing was printed yet). */
  fetch?: { after: string };
}

export interface TailLimits {
  /** Ids remembered for de-duplication. */
  seen: number;
  /** Live lines held while a gap is filled. */
  held: number;
}

export const TAIL_LIMITS: TailLimits = { seen: 50_000, held: 20_000 };

type Phase = { kind: 'waiting'; resumed: boolean } | { kind: 'live' } | { kind: 'filling'; held: StoredLogRecord[]; overflowed: boolean };

export class TailState {
  private cursor: string | null = null;
  private started = false;
  private readonly seen = new Set<string>();
  private phase: Phase = { kind: 'waiting', resumed: false };
  private readonly limits: TailLimits;

  constructor(limits: Partial<TailLimits> = {}) {
    this.limits = { ...TAIL_LIMITS, ...limits };
  }

  /**
   * The `after` of the next subscribe frame: the cursor of the last printed line; '' (from the start)
   * once a snapshot came and nothing was printed, since then no line matched before; null before
   * the first snapshot, to get the newest matches.
   */
  get after(): string | null {
    return this.cursor ?? (this.started ? '' : null);
  }

  get filling(): boolean {
    return this.phase.kind === 'filling';
  }

  /** A new connection, subscribing with `after`: whatever was held or being fetched is superseded. */
  connected(): void {
    this.phase = { kind: 'waiting', resumed: this.after !== null };
  }

  /** Without `after` the snapshot is the newest matches and `more` only says older ones exist; after a cursor, `more` is a gap. */
  snapshot(lines: readonly StoredLogRecord[], more: boolean): TailStep {
    const gap = more && this.phase.kind === 'waiting' && this.phase.resumed;
    this.started = true;
    const print = this.take(lines);
    if (!gap) {
      this.phase = { kind: 'live' };
      return { print };
    }
    this.phase = { kind: 'filling', held: [], overflowed: false };
    return { print, fetch: { after: this.after ?? '' } };
  }

  lines(lines: readonly StoredLogRecord[]): TailStep {
    if (this.phase.kind === 'filling') {
      this.hold(lines);
      return { print: [] };
    }
    // Lines before the snapshot cannot come from a daemon that keeps the protocol; print them anyway.
    return { print: this.take(lines) };
  }

  /** The daemon dropped `count` lines for this client: fill from the cursor. Already filling: the pages cover it. */
  dropped(): TailStep {
    if (this.phase.kind === 'filling') return { print: [] };
    this.phase = { kind: 'filling', held: [], overflowed: false };
    return { print: [], fetch: { after: this.after ?? '' } };
  }

  /** A REST page (stored order) answered a fetch. */
  page(page: LogSearchResponse): TailStep {
    if (this.phase.kind !== 'filling') return { print: [] };
    const print = this.take(page.items);
    if (page.next !== undefined) return { print, fetch: { after: page.next } };
    const phase = this.phase;
    if (phase.overflowed) {
      this.phase = { kind: 'filling', held: [], overflowed: false };
      return { print, fetch: { after: this.after ?? '' } };
    }
    this.phase = { kind: 'live' };
    return { print: [...print, ...this.take(phase.held)] };
  }

  private hold(lines: readonly StoredLogRecord[]): void {
    const phase = this.phase as Extract<Phase, { kind: 'filling' }>;
    if (phase.overflowed) return;
    if (phase.held.length + lines.length > this.limits.held) {
      phase.held = [];
      phase.overflowed = true;
      return;
    }
    phase.held.push(...lines);
  }

  /** The lines not printed before, remembered; the cursor moves to the last one. */
  private take(lines: readonly StoredLogRecord[]): StoredLogRecord[] {
    const out: StoredLogRecord[] = [];
    for (const r of lines) {
      if (this.seen.has(r.id)) continue;
      this.seen.add(r.id);
      if (this.seen.size > this.limits.seen) this.seen.delete(this.seen.values().next().value as string);
      out.push(r);
      this.cursor = r.cursor;
    }
    return out;
  }
}
