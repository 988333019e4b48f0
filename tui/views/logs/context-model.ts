// A log line's context: the lines of its container before and after it (WS call logs.context), the
// hit marked, the selected line's fields below. Opened with `enter` from the logs view, `esc` goes
// back to the logs as they were left. Lines of the context that the logs query matches are marked
// and `n`/`N` jump between them: the lines around a match stay in view (k9s#2056). Pure.
import type { LogContext } from '../../../core/logs/api.js';
import type { StoredLogRecord } from '../../../core/logs/record.js';
import { bodyLines, keepInView } from '../../state/layout.js';
import type { ViewCall, ViewContext, ViewModel } from '../../state/view-model.js';
import type { Query } from '../../../core/query/ast.js';
import { compileMatcher } from '../../../core/query/match.js';
import { parseContext } from './answers.js';
import { checkQuery } from './query.js';

export interface LogContextSlice {
  /** The hit's id; null while the view is closed. */
  id: string | null;
  /** Lines asked for on each side. */
  lines: number;
  data: LogContext | null;
  error: string | null;
  /** The ref of the call on its way; `asked` once it was sent, so a failure is not asked again on every change. */
  pending: string | null;
  asked: boolean;
  cursor: number;
  scroll: number;
  seq: number;
  /** The logs view's query, to mark the context lines it matches; null for none. */
  query: Query | null;
}

/** The view's argument: the hit's id (32 hex characters, no spaces) and the logs query it came from. */
export function contextArg(id: string, query: string): string {
  return `${id} ${query}`;
}

function parseArg(arg: string): { id: string; query: Query | null } {
  const space = arg.indexOf(' ');
  const id = space < 0 ? arg : arg.slice(0, space);
  const checked = checkQuery(space < 0 ? '' : arg.slice(space + 1));
  return { id, query: checked.ok && (checked.query.text.length > 0 || checked.query.filters.length > 0 || checked.query.fields.length > 0) ? checked.query : null };
}

/** Which context lines the query matches, time bounds aside (the context is of one moment). */
export function contextMatches(s: LogContextSlice): boolean[] {
  const records = contextRecords(s);
  if (!s.query) return records.map(() => false);
  const matches = compileMatcher({ filters: s.query.filters, fields: s.query.fields, text: s.query.text });
  return records.map(matches);
}

function jump(direction: 1 | -1): { run(s: LogContextSlice): { slice?: LogContextSlice; message?: { text: string; level: 'info' } } } {
  return {
    run: (s) => {
      const matches = contextMatches(s);
      for (let i = s.cursor + direction; i >= 0 && i < matches.length; i += direction) {
        if (matches[i]) return { slice: { ...s, cursor: i } };
      }
      return { message: { text: direction === 1 ? 'no more matches below in this context' : 'no more matches above in this context', level: 'info' } };
    },
  };
}

/** Title, the hit's source line and its fields take these; the rest shows lines. */
export const CONTEXT_CHROME_LINES = 4;

export function contextRows(ctx: ViewContext): number {
  return Math.max(3, bodyLines(ctx.viewport, ctx.conn) - CONTEXT_CHROME_LINES);
}

/** Lines to ask for on each side: as many as fit around the hit. */
export function contextLines(ctx: ViewContext): number {
  return Math.max(1, Math.floor((contextRows(ctx) - 1) / 2));
}

export function contextRecords(s: LogContextSlice): StoredLogRecord[] {
  return s.data ? [...s.data.before, s.data.hit, ...s.data.after] : [];
}

const closed = (seq = 0): LogContextSlice => ({ id: null, lines: 0, data: null, error: null, pending: null, asked: false, cursor: 0, scroll: 0, seq, query: null });

function wants(s: LogContextSlice, ctx: ViewContext): { slice: LogContextSlice; calls: ViewCall[] } {
  if (s.id === null || s.asked || ctx.conn.status !== 'open') return { slice: s, calls: [] };
  const seq = s.seq + 1;
  const ref = `context:${seq}`;
  return { slice: { ...s, seq, pending: ref, asked: true }, calls: [{ method: 'logs.context', params: { id: s.id, lines: s.lines }, ref }] };
}

export const logContextView: ViewModel<'logContext', LogContextSlice, 'nextMatch' | 'prevMatch'> = {
  kind: 'logContext',
  title: 'Log line context',
  over: ['fleet', 'cluster', 'metrics', 'logs'],
  initial: () => closed(),
  open: (s, arg, ctx) => {
    if (arg === undefined) return { ok: false, error: 'no line selected' };
    const { id, query } = parseArg(arg);
    return { ok: true, slice: { ...closed(s.seq), id, query, lines: contextLines(ctx) } };
  },
  close: (s) => closed(s.seq),
  bindings: [
    { keys: ['esc'], action: 'back', description: 'back to the logs', hint: true },
    { keys: ['n'], action: 'nextMatch', description: 'next line the query matches', hint: true },
    { keys: ['N'], action: 'prevMatch', description: 'previous line the query matches', hint: false },
  ],
  keys: { nextMatch: jump(1), prevMatch: jump(-1) },
  list: {
    page: (_s, ctx) => contextRows(ctx),
    move: (s, delta) => ({ ...s, cursor: s.cursor + delta }),
  },
  normalize: (s, ctx) => {
    const { cursor, scroll } = keepInView(s.cursor, s.scroll, contextRecords(s).length, contextRows(ctx));
    return cursor === s.cursor && scroll === s.scroll ? s : { ...s, cursor, scroll };
  },
  wants,
  answer: (s, ref, outcome) => {
    if (ref !== s.pending) return {};
    if (!outcome.ok) {
      const error = `${outcome.error.message}${outcome.error.next ? ` — ${outcome.error.next}` : ''}`;
      return { slice: { ...s, pending: null, error } };
    }
    const parsed = parseContext(outcome.result);
    if (!parsed.ok) return { slice: { ...s, pending: null, error: parsed.error } };
    // The cursor starts on the hit.
    return { slice: { ...s, pending: null, error: null, data: parsed.value, cursor: parsed.value.before.length, scroll: Math.max(0, parsed.value.before.length - s.lines) } };
  },
};
