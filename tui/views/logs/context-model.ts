// A log line's context: the lines of its container before and after it (WS call logs.context), the
// hit marked, the selected line's fields below. Opened with `enter` from the logs view, `esc` goes
// back to the logs as they were left. Pure.
import type { LogContext } from '../../../core/logs/api.js';
import type { StoredLogRecord } from '../../../core/logs/record.js';
import { bodyLines, keepInView } from '../../state/layout.js';
import type { ViewCall, ViewContext, ViewModel } from '../../state/view-model.js';
import { parseContext } from './answers.js';

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

const closed = (seq = 0): LogContextSlice => ({ id: null, lines: 0, data: null, error: null, pending: null, asked: false, cursor: 0, scroll: 0, seq });

function wants(s: LogContextSlice, ctx: ViewContext): { slice: LogContextSlice; calls: ViewCall[] } {
  if (s.id === null || s.asked || ctx.conn.status !== 'open') return { slice: s, calls: [] };
  const seq = s.seq + 1;
  const ref = `context:${seq}`;
  return { slice: { ...s, seq, pending: ref, asked: true }, calls: [{ method: 'logs.context', params: { id: s.id, lines: s.lines }, ref }] };
}

export const logContextView: ViewModel<'logContext', LogContextSlice, never> = {
  kind: 'logContext',
  title: 'Log line context',
  over: ['fleet', 'cluster', 'logs'],
  initial: () => closed(),
  open: (s, id, ctx) => (id === undefined ? { ok: false, error: 'no line selected' } : { ok: true, slice: { ...closed(s.seq), id, lines: contextLines(ctx) } }),
  close: (s) => closed(s.seq),
  bindings: [{ keys: ['esc'], action: 'back', description: 'back to the logs', hint: true }],
  keys: {},
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
