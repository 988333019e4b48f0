// Topics that exist only to test the shared machinery (daemon/api/topic-channel.ts): `lines` drops
// what a slow client cannot take and says how much, as the coming logs topic will; `counters`
// coalesces per key, latest wins, as `fleet` does.
import { FlotillaError } from '../../../../core/errors.js';
import type { AuthAction } from '../../../../core/roles.js';
import { TopicChannel } from '../../../../daemon/api/topic-channel.js';

/** A source with a revision counter that tells its listeners about every event. */
export class Feed<E extends { rev: number }> {
  rev = 0;
  private readonly listeners = new Set<(e: E) => void>();

  listen(l: (e: E) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get listening(): number {
    return this.listeners.size;
  }

  emit(make: (rev: number) => E): void {
    this.rev += 1;
    const event = make(this.rev);
    for (const l of this.listeners) l(event);
  }
}

export interface LinesEvent {
  rev: number;
  lines: string[];
}

interface LinesParams {
  pattern?: RegExp;
}

const matching = (e: LinesEvent, p: LinesParams) => (p.pattern ? e.lines.filter((l) => p.pattern!.test(l)) : e.lines);

/** `lines` with an optional regular-expression query; frameCount counts the frames it built. */
export function linesTopic(feed: Feed<LinesEvent>, built = { frames: 0 }, action: AuthAction = 'cluster.read') {
  return new TopicChannel<LinesEvent, LinesParams>({
    pattern: 'lines',
    parse: (name, query) => {
      if (name !== 'lines') return undefined;
      if (query === undefined) return {};
      try {
        return { pattern: new RegExp(query) };
      } catch {
        throw new FlotillaError('usage', `query ${query} is not a valid pattern`, 'Send a regular expression, e.g. "error|warn".');
      }
    },
    action,
    snapshot: () => ({ rev: feed.rev, frame: { topic: 'lines', kind: 'snapshot', rev: feed.rev } }),
    listen: (publish) => feed.listen(publish),
    concerns: (e, p) => matching(e, p).length > 0,
    frame: (e, p) => {
      built.frames += 1;
      return { topic: 'lines', kind: 'lines', rev: e.rev, lines: matching(e, p) };
    },
    shareKey: (p) => p.pattern?.source ?? '',
    slow: { kind: 'drop', count: (e, p) => matching(e, p).length },
  });
}

export interface CountersEvent {
  rev: number;
  values: Record<string, number>;
}

/** `counters`: patches of changed values that must apply in order (fromRev); a slow client gets one patch of the latest values. */
export function countersTopic(feed: Feed<CountersEvent>) {
  return new TopicChannel<CountersEvent, Record<string, never>, Map<string, number>>({
    pattern: 'counters',
    parse: (name) => (name === 'counters' ? {} : undefined),
    action: 'cluster.read',
    snapshot: () => ({ rev: feed.rev, frame: { topic: 'counters', kind: 'snapshot', rev: feed.rev } }),
    listen: (publish) => feed.listen(publish),
    inStep: (e, held) => held === e.rev - 1,
    frame: (e) => ({ topic: 'counters', kind: 'patch', rev: e.rev, fromRev: e.rev - 1, values: e.values }),
    slow: {
      kind: 'coalesce',
      merge: (backlog, e) => {
        const latest = backlog ?? new Map<string, number>();
        for (const [k, v] of Object.entries(e.values)) latest.set(k, v);
        return latest;
      },
      catchUp: (latest, _p, held) => ({ rev: feed.rev, frame: { topic: 'counters', kind: 'patch', rev: feed.rev, fromRev: held, values: Object.fromEntries(latest) } }),
    },
  });
}
