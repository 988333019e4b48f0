// The fleet view's panes as data: which tab or side pane is chosen, the cluster the panes show, the
// logs pane's live error lines and the metrics pane's last hour. The panes follow the fleet's
// selection once it rests (PANE_FOLLOW_MS, judged on the console's clock ticks), so running the cursor
// down the table does not subscribe and unsubscribe a topic per row. Pure.
//
// - Logs pane: the `logs` topic with `level:error,fatal` and the shown cluster (or the whole fleet:
//   `f`, or when no row is selected), subscribed while the pane is on screen; the newest
//   PANE_LOG_LINES kept, newest at the bottom.
// - Metrics pane: `metrics.range` of the shown cluster's CPU, memory, running pods and error lines
//   over the last hour (the one query path: Prometheus's answer when the daemon asks it, with its
//   warning when it did not answer), then `metrics:<cluster>`'s live points appended.
import type { StoredLogRecord } from '../../core/logs/record.js';
import { firstIssue } from '../../core/schema-issue.js';
import { MetricsRangeSchema } from '../frames.js';
import type { CallOutcome } from './calls.js';
import { appendLive, CHARTS, holdRange, RANGE_MS, replaceRange, replaceWithSnapshot, type ChartDef, type HeldRange } from './metrics.js';
import type { Message, TopicWant, ViewCall } from './view-model.js';
import { mergeLines } from '../views/logs/buffer.js';
import type { LogsDataAction } from '../views/logs/model.js';
import type { MetricsDataAction } from '../views/metrics/model.js';
import type { FleetTab, SidePane } from './fleet-layout.js';

/** The selection must rest this long before the panes follow it (while a pane is on screen). */
export const PANE_FOLLOW_MS = 400;
/** Error lines the logs pane keeps. */
export const PANE_LOG_LINES = 200;
/** A failed range call is asked again after this long. */
export const PANE_RETRY_MS = 10_000;
/**
 * An answer from the central Prometheus is asked again after this long: the live topic carries the
 * daemon's own series, not Prometheus's nor its word on the edge (a stopped edge shows within this).
 */
export const PANE_PROMETHEUS_REFRESH_MS = 30_000;
/** The lines the logs pane shows: errors and worse. */
export const ERROR_QUERY = 'level:error,fatal';
/** The metrics pane's sparklines, in the order they give way on a short pane. */
export const PANE_CHARTS: readonly ChartDef[] = ['cpu_used_ratio', 'memory_used_ratio', 'pods_running', 'error_lines_per_minute'].map(
  (name) => CHARTS.find((c) => c.series === name) as ChartDef,
);
const PANE_SERIES = PANE_CHARTS.map((c) => c.series);

export type LogsScope = 'cluster' | 'fleet';

export interface PaneLogs {
  /** The query the lines match; they are dropped when it changes. */
  query: string;
  lines: readonly StoredLogRecord[];
  loaded: boolean;
  /** Lines the daemon could not send this console in time. */
  dropped: number;
}

export interface PaneMetrics {
  /** The cluster the series are of; null shows none. */
  cluster: string | null;
  held: HeldRange | null;
  /** The ref of the range call on its way. */
  pending: string | null;
  /** The range call answered (the topic's snapshot alone does not count: it is always the daemon's own series). */
  answered: boolean;
  /** When it answered (ctx.now). */
  answeredAt: number | null;
  failedAt: number | null;
  error: string | null;
}

export interface FleetPanes {
  /** The tab shown below 130 columns, and the pane beside the table from 130 to 179. */
  tab: FleetTab;
  side: SidePane;
  logsScope: LogsScope;
  /** The cluster the panes show; the selection it follows, and since when it is that (ctx.now). */
  shown: string | null;
  wanted: string | null;
  wantedSince: number;
  logs: PaneLogs;
  metrics: PaneMetrics;
  seq: number;
}

export type PanesDataAction = LogsDataAction | MetricsDataAction;

export function paneLogsQuery(scope: LogsScope, cluster: string | null): string {
  return scope === 'cluster' && cluster !== null ? `cluster:${cluster} ${ERROR_QUERY}` : ERROR_QUERY;
}

const freshLogs = (query: string): PaneLogs => ({ query, lines: [], loaded: false, dropped: 0 });
const freshMetrics = (cluster: string | null): PaneMetrics => ({ cluster, held: null, pending: null, answered: false, answeredAt: null, failedAt: null, error: null });

export function initialPanes(): FleetPanes {
  return { tab: 'fleet', side: 'metrics', logsScope: 'cluster', shown: null, wanted: null, wantedSince: 0, logs: freshLogs(ERROR_QUERY), metrics: freshMetrics(null), seq: 0 };
}

/** The panes' data for the cluster shown and the logs scope: what was held for another is dropped. */
function sync(p: FleetPanes): FleetPanes {
  const query = paneLogsQuery(p.logsScope, p.shown);
  const logs = p.logs.query === query ? p.logs : freshLogs(query);
  const metrics = p.metrics.cluster === p.shown ? p.metrics : freshMetrics(p.shown);
  return logs === p.logs && metrics === p.metrics ? p : { ...p, logs, metrics };
}

/**
 * The panes after the selection moved (or the clock ticked): a new selection is noted with the time;
 * the panes take it once it has stayed PANE_FOLLOW_MS, at once when nothing was shown yet or when no
 * pane is on screen (nothing would churn).
 */
export function followSelection(p: FleetPanes, selected: string | null, now: number, onScreen: boolean): FleetPanes {
  let next = p;
  if (selected !== next.wanted) next = { ...next, wanted: selected, wantedSince: now };
  if (next.shown !== next.wanted && (!onScreen || next.shown === null || now - next.wantedSince >= PANE_FOLLOW_MS)) next = { ...next, shown: next.wanted };
  return sync(next);
}

export function setLogsScope(p: FleetPanes, scope: LogsScope): FleetPanes {
  return sync({ ...p, logsScope: scope });
}

/** Which panes are on screen, and the topics they follow then. */
export interface PanesOnScreen {
  logs: boolean;
  metrics: boolean;
}

export function paneTopics(p: FleetPanes, on: PanesOnScreen): TopicWant[] {
  const topics: TopicWant[] = [];
  if (on.logs) topics.push({ topic: 'logs', query: p.logs.query });
  if (on.metrics && p.metrics.cluster !== null) topics.push(`metrics:${p.metrics.cluster}`);
  return topics;
}

function liveOf(points: Extract<MetricsDataAction, { type: 'metrics/points' }>['points'], cluster: string) {
  return points
    .filter((x) => x.cluster === cluster)
    .map((x) => ({ ...x, values: Object.fromEntries(PANE_SERIES.filter((n) => n in x.values).map((n) => [n, x.values[n] ?? null])) }));
}

export function reducePanes(p: FleetPanes, a: PanesDataAction): FleetPanes {
  switch (a.type) {
    case 'logs/snapshot': {
      if (a.query !== p.logs.query) return p;
      // A new subscription starts from its snapshot; a resumed one (a reconnect) joins what is held.
      const merged = mergeLines(a.resumed ? p.logs.lines : [], a.lines, PANE_LOG_LINES, 'oldest');
      return { ...p, logs: { ...p.logs, lines: merged.lines, loaded: true } };
    }
    case 'logs/lines': {
      if (a.query !== p.logs.query) return p;
      const merged = mergeLines(p.logs.lines, a.lines, PANE_LOG_LINES, 'oldest');
      return merged.added === 0 ? p : { ...p, logs: { ...p.logs, lines: merged.lines } };
    }
    case 'logs/dropped':
      return a.query === p.logs.query ? { ...p, logs: { ...p.logs, dropped: p.logs.dropped + a.count } } : p;
    case 'metrics/snapshot': {
      const m = p.metrics;
      if (m.cluster === null || a.cluster !== m.cluster || a.data === null || a.data.cluster !== m.cluster) return p;
      return { ...p, metrics: { ...m, held: replaceWithSnapshot(m.held, holdRange(a.data, PANE_SERIES)) } };
    }
    case 'metrics/points': {
      const m = p.metrics;
      if (m.cluster === null || m.held === null || a.cluster !== m.cluster) return p;
      const held = appendLive(m.held, liveOf(a.points, m.cluster), RANGE_MS['1h']);
      return held === m.held ? p : { ...p, metrics: { ...m, held } };
    }
  }
}

const REF_PREFIX = 'pane:';

export function isPaneRef(ref: string): boolean {
  return ref.startsWith(REF_PREFIX);
}

/** The metrics pane's range call, while it is on screen and has no answer for its cluster, or Prometheus's answer is due again. */
export function paneWants(p: FleetPanes, on: PanesOnScreen, now: number): { panes: FleetPanes; calls: ViewCall[] } {
  const m = p.metrics;
  if (!on.metrics || m.cluster === null || m.pending !== null) return { panes: p, calls: [] };
  if (m.answered && !(m.held?.prometheus === true && m.answeredAt !== null && now - m.answeredAt >= PANE_PROMETHEUS_REFRESH_MS)) return { panes: p, calls: [] };
  if (m.failedAt !== null && now - m.failedAt < PANE_RETRY_MS) return { panes: p, calls: [] };
  const seq = p.seq + 1;
  const ref = `${REF_PREFIX}${seq}`;
  return {
    panes: { ...p, seq, metrics: { ...m, pending: ref } },
    calls: [{ method: 'metrics.range', params: { cluster: m.cluster, series: [...PANE_SERIES], since: '1h' }, ref }],
  };
}

export function paneAnswer(p: FleetPanes, ref: string, outcome: CallOutcome, now: number): { panes: FleetPanes; message?: Message } {
  const m = p.metrics;
  if (m.pending !== ref || m.cluster === null) return { panes: p };
  if (outcome.ok) {
    const parsed = MetricsRangeSchema.safeParse(outcome.result);
    if (parsed.success && parsed.data.cluster === m.cluster) {
      return { panes: { ...p, metrics: { ...m, held: replaceRange(m.held, holdRange(parsed.data, PANE_SERIES)), pending: null, answered: true, answeredAt: now, failedAt: null, error: null } } };
    }
    const error = parsed.success ? `the answer is for "${parsed.data.cluster}"` : `the daemon's answer was not understood (${firstIssue(parsed.error, 'answer')})`;
    return { panes: { ...p, metrics: { ...m, pending: null, failedAt: now, error } } };
  }
  const { code, message, next } = outcome.error;
  const error = `${message}${next && code !== 'unavailable' ? ` — ${next}` : ''}`;
  return { panes: { ...p, metrics: { ...m, pending: null, failedAt: now, error } } };
}

/** The newest `rows` error lines, oldest first (newest at the bottom). */
export function paneLogLines(p: FleetPanes, rows: number): readonly StoredLogRecord[] {
  return rows <= 0 ? [] : p.logs.lines.slice(-rows);
}
