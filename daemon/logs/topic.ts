// The `logs` WebSocket topic (DESIGN.md §3.8, core/logs/api.ts): subscribe with a query (and
// optionally `after`, an ingest cursor); the snapshot is read between two commits, so it and the
// `lines` frames after it meet with no gap and no repeat; then every commit's new matches as one
// `lines` frame. A slow client gets up to LOGS_TOPIC_LIMITS.bufferedLines held for it, then a
// `dropped` notice with the count of matching lines it missed (it fills the gap over REST `after=`).
// The topic name is `logs` for every query, so a session has one logs subscription: a second
// subscribe replaces the first.
import { LOGS_TOPIC_LIMITS, type LogsLinesFrame, type LogsSnapshotFrame } from '../../core/logs/api.js';
import type { StoredLogRecord } from '../../core/logs/record.js';
import { resolveQuery, type ResolvedQuery } from '../../core/query/ast.js';
import { compileMatcher, type RecordMatcher } from '../../core/query/match.js';
import { parseQuery } from '../../core/query/parse.js';
import { TopicChannel } from '../api/topic-channel.js';
import type { Identity } from '../../core/api.js';
import type { ScopeView } from '../auth/scope.js';
import { queryClusters, withinClusters } from './query-target.js';
import type { LogCommit, LogService } from './service.js';

export interface LogsParams {
  text: string;
  query: ResolvedQuery;
  matches: RecordMatcher;
  after: string | undefined;
  clusters: string[];
  /** A scoped subscriber's view: its live lines are those of clusters it sees as each commit comes (null: every cluster). */
  view: ScopeView | null;
}

export type LogsSource = Pick<LogService, 'subscribe' | 'atCommitBoundary' | 'sink'>;

/**
 * A scoped subscriber's snapshot is narrowed to the clusters it sees when it subscribes; its live
 * lines to those it sees when each commit comes, on the labels as they are then (docs/ACCESS.md), so
 * a cluster relabelled out of its scope stops at once and one relabelled in starts. Only subscribers
 * that see alike share frames.
 */
export function logsTopic(
  logs: LogsSource,
  knownClusters: () => Iterable<string>,
  scope: { visible: (who: Identity) => string[] | null; view: (who: Identity) => ScopeView | null },
  now: () => number = Date.now,
): TopicChannel<LogCommit, LogsParams, StoredLogRecord> {
  const matching = (event: LogCommit, p: LogsParams) => event.records.filter(p.matches);
  return new TopicChannel<LogCommit, LogsParams, StoredLogRecord>({
    pattern: 'logs',
    parse: (name, text, after, who) => {
      if (name !== 'logs') return undefined;
      const view = scope.view(who);
      const asked = parseQuery(text ?? '');
      const at = now();
      const parsed = withinClusters(asked, view === null ? null : scope.visible(who));
      const query = resolveQuery(parsed, at);
      const own = compileMatcher(resolveQuery(asked, at));
      const matches: RecordMatcher = view === null ? own : (r) => own(r) && view.sees(r.cluster);
      return { text: text ?? '', query, matches, after, clusters: queryClusters(parsed, knownClusters()), view };
    },
    action: 'log.read',
    target: (p) => ({ clusters: p.clusters }),
    snapshot: (p) =>
      logs.atCommitBoundary(async (rev) => {
        let data: StoredLogRecord[];
        let more = false;
        if (p.after !== undefined) {
          const page = await logs.sink.storedAfter(p.query, p.after || null, LOGS_TOPIC_LIMITS.snapshot);
          data = page.items;
          more = page.next !== null;
        } else {
          // newest matches, shown oldest first like the lines that follow
          data = (await logs.sink.search({ query: p.query, limit: LOGS_TOPIC_LIMITS.snapshot })).items.reverse();
        }
        const frame: LogsSnapshotFrame = { topic: 'logs', kind: 'snapshot', rev, data, more };
        return { rev, frame };
      }),
    listen: (publish) => logs.subscribe(publish),
    concerns: (event, p) => event.records.some(p.matches),
    frame: (event, p): LogsLinesFrame => ({ topic: 'logs', kind: 'lines', rev: event.rev, lines: matching(event, p) }),
    // the same query text resolved at the same instant matches the same lines
    shareKey: (p) => `${p.query.sinceMs ?? ''} ${p.query.untilMs ?? ''} ${p.view?.key ?? ''} ${p.text}`,
    slow: {
      kind: 'drop',
      count: (event, p) => matching(event, p).length,
      buffer: {
        limit: LOGS_TOPIC_LIMITS.bufferedLines,
        items: matching,
        frame: (lines, _p, rev): LogsLinesFrame => ({ topic: 'logs', kind: 'lines', rev, lines }),
      },
    },
  });
}
