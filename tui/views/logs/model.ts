// The logs view: matches of one query across the fleet, merged by time, live at the bottom. Its slice
// is the query, the bounded buffer, the cursor and whether it follows new lines, the histogram for
// the sparkline, and the calls it has on their way (older pages, the newest lines again, the
// histogram). Opened by `:logs QUERY` or `L` (the whole fleet, a cluster, or a workload's pods);
// `/` refines the query. Pure.
import type { LogHistogram } from '../../../core/logs/api.js';
import { tsMillis, type StoredLogRecord } from '../../../core/logs/record.js';
import type { Query } from '../../../core/query/ast.js';
import { formatQuery } from '../../../core/query/format.js';
import { logColumns, messageRows } from '../../render/log-line.js';
import { countLine } from '../../render/sparkline.js';
import { keepInView } from '../../state/layout.js';
import type { CallOutcome } from '../../state/calls.js';
import type { Scope, ViewCall, ViewContext, ViewModel, ViewUpdate } from '../../state/view-model.js';
import { parseHistogram, parseSearch } from './answers.js';
import { contextArg } from './context-model.js';
import { LOG_BUFFER_LINES, mergeLines } from './buffer.js';
import { logsLayout, type LogsLayout } from './layout.js';
import { checkQuery, matchRanges } from './query.js';

/** The histogram is asked again this often while the view is open; live lines update it in between. */
export const HISTOGRAM_REFRESH_MS = 5000;
/** A failed page or reload is asked again after this long, not on every change. */
export const RETRY_MS = 5000;
/** Records per older page, and in the newest lines fetched again by `G`. */
export const OLDER_PAGE = 200;
export const RELOAD_LINES = 500;

interface Pending {
  /** The ref of the call on its way. */
  pending: string | null;
  /** When the last one failed (ctx.now), to wait RETRY_MS before the next. */
  failedAt: number | null;
}

export interface LogsSlice {
  /** The query applied; null while the view is closed. */
  query: string | null;
  parsed: Query | null;
  /** The `/` input while it is edited, and where it stops parsing. */
  draft: { text: string; error: { position: number; message: string } | null } | null;
  /** Oldest first, merged by time across clusters, at most LOG_BUFFER_LINES. */
  lines: StoredLogRecord[];
  /** The topic's snapshot arrived. */
  loaded: boolean;
  /** The buffer reaches the newest stored match, so live lines join it; false once an older page pushed the newest out. */
  live: boolean;
  /** The cursor stays on the newest line as lines arrive. */
  follow: boolean;
  cursor: number;
  scroll: number;
  /** The id under the cursor, so the cursor stays on it as lines arrive or older ones are put in front. */
  selected: string | null;
  /** Lines that arrived since following paused. */
  newLines: number;
  /** Lines the daemon dropped for this console, and malformed records skipped. */
  dropped: number;
  rejected: number;
  /** A reconnect brought more lines than its snapshot held: some in between are not shown. */
  gap: boolean;
  wrap: boolean;
  older: Pending & { next: string | null; done: boolean };
  reload: Pending & { wanted: boolean };
  histogram: Pending & { data: LogHistogram | null; at: number | null; error: string | null };
  /** Numbers the refs of calls, so an answer to a call from before a new query or a reopen is recognised as stale. */
  seq: number;
}

export type LogsKeyAction = 'logs' | 'nextMatch' | 'prevMatch' | 'context' | 'wrap';

export type LogsDataAction =
  | { type: 'logs/snapshot'; query: string; lines: StoredLogRecord[]; more: boolean; resumed: boolean; rejected: number }
  | { type: 'logs/lines'; query: string; lines: StoredLogRecord[]; rejected: number }
  | { type: 'logs/dropped'; query: string; count: number };

const idle = (): Pending => ({ pending: null, failedAt: null });

function closed(seq = 0, wrap = false): LogsSlice {
  return {
    query: null,
    parsed: null,
    draft: null,
    lines: [],
    loaded: false,
    live: true,
    follow: true,
    cursor: 0,
    scroll: 0,
    selected: null,
    newLines: 0,
    dropped: 0,
    rejected: 0,
    gap: false,
    wrap,
    older: { ...idle(), next: null, done: false },
    reload: { ...idle(), wanted: false },
    histogram: { ...idle(), data: null, at: null, error: null },
    seq,
  };
}

/** A fresh buffer for a query; the wrap setting and the ref numbering carry over. */
function start(s: LogsSlice, query: string, parsed: Query): LogsSlice {
  return { ...closed(s.seq, s.wrap), query, parsed };
}

/** What `L` shows from where it was pressed: a workload's pods, a cluster, or the whole fleet. */
export function scopeQuery(from: Scope): string {
  if (from.cluster !== undefined && from.workload) return `cluster:${from.cluster} ns:${from.workload.namespace} pod:${from.workload.name}-*`;
  if (from.cluster !== undefined) return `cluster:${from.cluster}`;
  return '';
}

export function queryErrorText(e: { position: number; message: string }): string {
  return `query error: ${e.message}`;
}

/** Notices under the lines: dropped or skipped lines, a gap after a reconnect, a query being edited that does not parse. */
export function logsNotices(s: LogsSlice): string[] {
  const out: string[] = [];
  if (s.draft?.error) out.push('draft');
  const lost: string[] = [];
  if (s.dropped > 0) lost.push(`dropped ${s.dropped} lines (the daemon could not send them fast enough)`);
  if (s.rejected > 0) lost.push(`${s.rejected} malformed lines skipped`);
  if (s.gap) lost.push('reconnected: some lines stored meanwhile are not shown');
  if (lost.length > 0) out.push(lost.join(' · '));
  return out;
}

export function logsLayoutOf(s: LogsSlice, ctx: ViewContext): LogsLayout {
  const notices = logsNotices(s);
  return logsLayout(ctx.viewport, ctx.conn, notices.length + (s.draft?.error ? 1 : 0));
}

/** Buckets of the sparkline: its width on screen. */
export function sparkWidth(ctx: ViewContext): number {
  return Math.max(10, ctx.viewport.columns - 30);
}

/** The first record shown when lines wrap: far enough down that the cursor's rows all fit. */
function wrappedScroll(lines: readonly StoredLogRecord[], cursor: number, scroll: number, rows: number, width: number): number {
  let s = Math.max(0, Math.min(scroll, cursor));
  const h = (i: number): number => messageRows(lines[i]?.message ?? '', width, true);
  let used = 0;
  for (let i = s; i <= cursor; i++) used += h(i);
  while (used > rows && s < cursor) {
    used -= h(s);
    s += 1;
  }
  return s;
}

function normalize(s: LogsSlice, ctx: ViewContext): LogsSlice {
  if (s.query === null) return s;
  const n = s.lines.length;
  let cursor = s.cursor;
  if (s.follow && s.live) cursor = n - 1;
  else if (s.selected !== null && s.lines[cursor]?.id !== s.selected) {
    const idx = s.lines.findIndex((r) => r.id === s.selected);
    if (idx >= 0) cursor = idx;
  }
  cursor = Math.max(0, Math.min(cursor, n - 1));
  const { rows } = logsLayoutOf(s, ctx);
  const scroll = s.wrap ? wrappedScroll(s.lines, cursor, s.scroll, rows, logColumns(ctx.viewport.columns).message) : keepInView(cursor, s.scroll, n, rows).scroll;
  // Reaching the last line follows again; beyond the buffer's newest (an older page pushed it out) the newest lines are fetched again.
  const atEnd = n === 0 || cursor === n - 1;
  const follow = atEnd && s.live;
  const reload = atEnd && !s.live && n > 0 ? { ...s.reload, wanted: true } : s.reload;
  const selected = s.lines[cursor]?.id ?? null;
  const newLines = follow ? 0 : s.newLines;
  if (cursor === s.cursor && scroll === s.scroll && follow === s.follow && selected === s.selected && newLines === s.newLines && reload === s.reload) return s;
  return { ...s, cursor, scroll, follow, selected, newLines, reload };
}

function matchIn(s: LogsSlice, i: number): boolean {
  const r = s.lines[i];
  return r !== undefined && s.parsed !== null && matchRanges(s.parsed, r.message).length > 0;
}

function hasTextTerms(s: LogsSlice): boolean {
  return s.parsed?.text.some((t) => !t.negated) ?? false;
}

function jump(direction: 1 | -1): { run(s: LogsSlice): ViewUpdate<LogsSlice> } {
  return {
    run: (s) => {
      if (s.query === null) return {};
      if (!hasTextTerms(s)) return { message: { text: 'the query has no words to jump between — add one with /', level: 'info' } };
      for (let i = s.cursor + direction; i >= 0 && i < s.lines.length; i += direction) {
        if (matchIn(s, i)) return { slice: { ...s, cursor: i, selected: s.lines[i]?.id ?? null, follow: false } };
      }
      return { message: { text: direction === 1 ? 'no more matches below' : 'no more matches above in the buffer', level: 'info' } };
    },
  };
}

/** The query of the next older page: the one applied, bounded by the oldest line held (sinks page newest first from there). */
export function olderQuery(query: Query, oldest: StoredLogRecord): string {
  return formatQuery({ ...query, until: { kind: 'absolute', ms: tsMillis(oldest.ts) } });
}

const due = (p: Pending, now: number): boolean => p.pending === null && (p.failedAt === null || now - p.failedAt >= RETRY_MS);

function wants(s: LogsSlice, ctx: ViewContext): { slice: LogsSlice; calls: ViewCall[] } {
  if (s.query === null || ctx.conn.status !== 'open') return { slice: s, calls: [] };
  const calls: ViewCall[] = [];
  let next = s;
  const ref = (what: string): string => {
    next = { ...next, seq: next.seq + 1 };
    return `${what}:${next.seq}`;
  };
  const { query } = s;
  const h = s.histogram;
  if (h.pending === null && (h.at === null || ctx.now - h.at >= HISTOGRAM_REFRESH_MS)) {
    const r = ref('histogram');
    calls.push({ method: 'logs.histogram', params: { query, buckets: sparkWidth(ctx) }, ref: r });
    next = { ...next, histogram: { ...next.histogram, pending: r, at: ctx.now } };
  }
  const oldest = s.lines[0];
  if (s.loaded && oldest && s.parsed && s.scroll === 0 && !s.older.done && due(s.older, ctx.now)) {
    const r = ref('older');
    const older = olderQuery(s.parsed, oldest);
    const params = s.older.next !== null ? { query: older, before: s.older.next, limit: OLDER_PAGE } : { query: older, limit: OLDER_PAGE };
    calls.push({ method: 'logs.search', params, ref: r });
    next = { ...next, older: { ...next.older, pending: r } };
  }
  if (s.reload.wanted && due(s.reload, ctx.now)) {
    const r = ref('reload');
    calls.push({ method: 'logs.search', params: { query, limit: RELOAD_LINES }, ref: r });
    next = { ...next, reload: { ...next.reload, pending: r } };
  }
  return { slice: next, calls };
}

function failed(outcome: CallOutcome): string | null {
  if (outcome.ok) return null;
  return `${outcome.error.message}${outcome.error.next ? ` — ${outcome.error.next}` : ''}`;
}

function answer(s: LogsSlice, ref: string, outcome: CallOutcome, ctx: ViewContext): ViewUpdate<LogsSlice> {
  if (ref === s.histogram.pending) {
    const error = failed(outcome);
    const parsed = outcome.ok ? parseHistogram(outcome.result) : null;
    if (error !== null || !parsed?.ok) return { slice: { ...s, histogram: { ...s.histogram, pending: null, failedAt: ctx.now, error: error ?? (parsed && !parsed.ok ? parsed.error : null) } } };
    return { slice: { ...s, histogram: { ...s.histogram, pending: null, failedAt: null, data: parsed.value, error: null } } };
  }
  if (ref === s.older.pending || ref === s.reload.pending) {
    const older = ref === s.older.pending;
    const error = failed(outcome);
    const parsed = outcome.ok ? parseSearch(outcome.result) : null;
    if (error !== null || !parsed?.ok) {
      const text = `${older ? 'older lines' : 'newest lines'}: ${error ?? (parsed && !parsed.ok ? parsed.error : '')}`;
      const slice = older ? { ...s, older: { ...s.older, pending: null, failedAt: ctx.now } } : { ...s, reload: { ...s.reload, pending: null, failedAt: ctx.now } };
      return { slice, message: { text, level: 'error' } };
    }
    const items = parsed.value.items.map(({ context: _context, ...r }) => r);
    if (!older) {
      const merged = mergeLines([], items, LOG_BUFFER_LINES, 'oldest');
      return { slice: { ...s, lines: merged.lines, live: true, follow: true, newLines: 0, gap: false, reload: { ...idle(), wanted: false }, older: { ...idle(), next: null, done: false } } };
    }
    const merged = mergeLines(s.lines, items, LOG_BUFFER_LINES, 'newest');
    const next = parsed.value.next ?? null;
    const pushedOut = merged.evictedNewest > 0;
    return {
      slice: {
        ...s,
        lines: merged.lines,
        // Older lines go in front: the view keeps showing what it showed.
        scroll: s.scroll + merged.added,
        live: s.live && !pushedOut,
        follow: s.follow && !pushedOut,
        older: { pending: null, failedAt: null, next, done: next === null },
      },
    };
  }
  return {};
}

function reduce(s: LogsSlice, a: LogsDataAction): LogsSlice {
  if (s.query === null || a.query !== s.query) return s;
  switch (a.type) {
    case 'logs/dropped':
      return { ...s, dropped: s.dropped + a.count };
    case 'logs/snapshot': {
      const rejected = s.rejected + a.rejected;
      if (!s.loaded) return { ...s, loaded: true, rejected, lines: mergeLines([], a.lines, LOG_BUFFER_LINES, 'oldest').lines };
      // A reconnect: the snapshot joins what is held; lines it cannot connect to leave a gap, said so.
      if (!s.live) return { ...s, rejected };
      const held = new Set(s.lines.map((r) => r.id));
      const disjoint = s.lines.length > 0 && a.lines.length > 0 && !a.lines.some((r) => held.has(r.id));
      const gap = s.gap || (a.resumed ? a.more : disjoint);
      const merged = mergeLines(s.lines, a.lines, LOG_BUFFER_LINES, 'oldest');
      return { ...s, rejected, gap, ...evicted(s, merged.lines, merged.evictedOldest), newLines: s.follow ? 0 : s.newLines + merged.added };
    }
    case 'logs/lines': {
      let histogram = s.histogram;
      if (histogram.data) {
        let data = histogram.data;
        for (const r of a.lines) data = countLine(data, tsMillis(r.ts), r.level);
        histogram = { ...histogram, data };
      }
      const rejected = s.rejected + a.rejected;
      if (!s.live) return { ...s, histogram, rejected, newLines: s.newLines + a.lines.length };
      const merged = mergeLines(s.lines, a.lines, LOG_BUFFER_LINES, 'oldest');
      return { ...s, histogram, rejected, ...evicted(s, merged.lines, merged.evictedOldest), newLines: s.follow ? 0 : s.newLines + merged.added };
    }
  }
}

/** The buffer after the oldest lines gave way: the cursor keeps its line, and older pages start again from the new oldest. */
function evicted(s: LogsSlice, lines: StoredLogRecord[], count: number): Pick<LogsSlice, 'lines' | 'cursor' | 'scroll' | 'older'> {
  if (count === 0) return { lines, cursor: s.cursor, scroll: s.scroll, older: s.older };
  return { lines, cursor: Math.max(0, s.cursor - count), scroll: Math.max(0, s.scroll - count), older: { ...idle(), next: null, done: false } };
}

export const logsView: ViewModel<'logs', LogsSlice, LogsKeyAction, LogsDataAction> = {
  kind: 'logs',
  title: 'Logs',
  // Over the metrics too, so esc from the logs L opened at a chart's cursor goes back to the charts.
  over: ['fleet', 'cluster', 'metrics'],
  initial: () => closed(),
  open: (slice, arg, _ctx, from) => {
    const text = (arg ?? scopeQuery(from)).trim();
    const checked = checkQuery(text);
    if (!checked.ok) return { ok: false, error: queryErrorText(checked) };
    return { ok: true, slice: start(slice, text, checked.query) };
  },
  close: (s) => closed(s.seq, s.wrap),
  bindings: [
    { keys: ['L'], action: 'logs', description: 'logs (the fleet, this cluster, or the selected workload)', hint: true, needs: 'log.read', contexts: ['fleet', 'cluster'] },
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['/'], action: 'filter', description: 'refine the query', hint: true },
    { keys: ['n'], action: 'nextMatch', description: 'next match of the query words', hint: true },
    { keys: ['N'], action: 'prevMatch', description: 'previous match', hint: false },
    { keys: ['enter'], action: 'context', description: "the line's context (its container's lines around it)", hint: true, needs: 'log.read' },
    { keys: ['w'], action: 'wrap', description: 'wrap long lines', hint: true },
  ],
  keys: {
    logs: { run: () => ({ open: { view: 'logs' } }) },
    nextMatch: jump(1),
    prevMatch: jump(-1),
    context: { run: (s) => (s.selected === null ? { message: { text: 'no line selected', level: 'error' } } : { open: { view: 'logContext', arg: contextArg(s.selected, s.query ?? '') } }) },
    wrap: { run: (s) => ({ slice: { ...s, wrap: !s.wrap }, message: { text: s.wrap ? 'long lines cut' : 'long lines wrapped', level: 'info' } }) },
  },
  commands: [
    {
      verbs: ['logs'],
      usage: ':logs QUERY',
      description: 'logs matching a query (cluster:, ns:, pod:, level:, words, since:), merged across the fleet',
      needs: 'log.read',
      parse: (args) => {
        const text = args.join(' ');
        const checked = checkQuery(text);
        return checked.ok ? { ok: true, arg: text } : { ok: false, error: queryErrorText(checked) };
      },
    },
  ],
  list: {
    page: (s, ctx) => logsLayoutOf(s, ctx).rows,
    move: (s, delta) => ({ ...s, cursor: s.cursor + delta, follow: false, selected: s.lines[Math.max(0, Math.min(s.lines.length - 1, s.cursor + delta))]?.id ?? null }),
  },
  filter: {
    text: (s) => s.query ?? '',
    set: (s, text) => {
      const checked = checkQuery(text);
      return { ...s, draft: { text, error: checked.ok ? null : { position: checked.position, message: checked.message } } };
    },
    problems: () => [],
    counts: (s) => ({ shown: s.lines.length, total: s.lines.length }),
    submit: (s, text) => {
      const checked = checkQuery(text.trim());
      if (!checked.ok) return { ok: false, slice: { ...s, draft: { text, error: { position: checked.position, message: checked.message } } }, error: queryErrorText(checked) };
      if (text.trim() === s.query) return { ok: true, slice: { ...s, draft: null } };
      return { ok: true, slice: start(s, text.trim(), checked.query) };
    },
    cancel: (s) => ({ ...s, draft: null }),
    keptHint: 'lines held · / refines',
  },
  normalize,
  topics: (s) => (s.query === null ? [] : [{ topic: 'logs', query: s.query }]),
  actionTypes: ['logs/snapshot', 'logs/lines', 'logs/dropped'],
  reduce,
  wants,
  answer,
};
