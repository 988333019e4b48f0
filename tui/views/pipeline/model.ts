// The pipeline view: every cluster's log pipeline in one table, worst first, from the `pipeline` topic
// it follows while open (a whole snapshot every couple of seconds), the fleet totals above and the
// selected row's figures and reasons below. P opens it from the fleet, or from a cluster with the
// cursor on that cluster (the filter cleared so its row shows: a pipeline is read against the
// others, so the fleet stays listed); `enter` opens the selected cluster. The snapshot is dropped on
// close, so a reopened view never shows old figures as if current; the filter and selection stay. Pure.
import type { PipelineRow, PipelineSnapshot } from '../../../core/pipeline.js';
import { bodyLines, keepInView, type Viewport } from '../../state/layout.js';
import type { ConnectionState } from '../../state/connection.js';
import { pipelineFilterProblems, selectVisiblePipelineRows } from '../../state/pipeline.js';
import type { ViewContext, ViewModel } from '../../state/view-model.js';

export interface PipelineSlice {
  /** In the view stack: frames are taken only then. */
  open: boolean;
  /** The newest snapshot; kept through a lost link (the banner and its age say how old), null until the first. */
  snapshot: PipelineSnapshot | null;
  filter: string;
  cursor: number;
  scroll: number;
  /** The cluster under the cursor, so the selection stays on it as rows reorder by health. */
  selected: string | null;
}

export type PipelineKeyAction = 'pipeline' | 'openCluster';

export type PipelineDataAction = { type: 'pipeline/snapshot'; rev: number; snapshot: PipelineSnapshot };

/** The selected row's figures line and its reasons under the table. */
export const DETAIL_LINES = 4;

/** Rows of the table: the body minus the title, the totals, the column header and the detail lines. */
export function pipelineTableRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 3 - DETAIL_LINES);
}

const NO_ROWS: readonly PipelineRow[] = [];

export function visiblePipelineRows(slice: PipelineSlice): readonly PipelineRow[] {
  return selectVisiblePipelineRows(slice.snapshot?.rows ?? NO_ROWS, slice.filter);
}

function normalize(slice: PipelineSlice, ctx: ViewContext): PipelineSlice {
  const rows = visiblePipelineRows(slice);
  let wanted = slice.cursor;
  // Every snapshot may reorder the rows; the cursor goes where the selected cluster went.
  if (slice.selected !== null && rows[wanted]?.cluster !== slice.selected) {
    const idx = rows.findIndex((r) => r.cluster === slice.selected);
    if (idx >= 0) wanted = idx;
  }
  const { cursor, scroll } = keepInView(wanted, slice.scroll, rows.length, pipelineTableRows(ctx.viewport, ctx.conn));
  // Before the first snapshot the selection a cluster view asked for waits for its row.
  const selected = rows[cursor]?.cluster ?? slice.selected;
  if (cursor === slice.cursor && scroll === slice.scroll && selected === slice.selected) return slice;
  return { ...slice, cursor, scroll, selected };
}

export const pipelineView: ViewModel<'pipeline', PipelineSlice, PipelineKeyAction, PipelineDataAction> = {
  kind: 'pipeline',
  title: 'Pipeline',
  over: ['fleet', 'cluster'],
  initial: () => ({ open: false, snapshot: null, filter: '', cursor: 0, scroll: 0, selected: null }),
  open: (slice, _arg, _ctx, from) => {
    const opened = { ...slice, open: true };
    return { ok: true, slice: from.cluster === undefined ? opened : { ...opened, filter: '', selected: from.cluster } };
  },
  close: (s) => ({ ...s, open: false, snapshot: null }),
  bindings: [
    { keys: ['P'], action: 'pipeline', description: 'log pipeline view', hint: true, contexts: ['fleet', 'cluster'] },
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['enter'], action: 'openCluster', description: 'open the selected cluster', hint: true },
    { keys: ['/'], action: 'filter', description: 'filter (words, cluster:, health:, transport:)', hint: true },
  ],
  keys: {
    pipeline: { run: () => ({ open: { view: 'pipeline' } }) },
    openCluster: {
      run: (s) => {
        const row = visiblePipelineRows(s)[s.cursor];
        return row ? { open: { view: 'cluster', arg: row.cluster } } : {};
      },
    },
  },
  commands: [{ verbs: ['pipeline'], usage: ':pipeline', description: "every cluster's log pipeline: backlog, outbox, lag, losses", parse: () => ({ ok: true }) }],
  list: {
    page: (_s, ctx) => pipelineTableRows(ctx.viewport, ctx.conn),
    move: (s, delta) => {
      const rows = visiblePipelineRows(s);
      const cursor = Math.max(0, Math.min(rows.length - 1, s.cursor + delta));
      return { ...s, cursor, selected: rows[cursor]?.cluster ?? s.selected };
    },
  },
  filter: {
    text: (s) => s.filter,
    set: (s, filter) => ({ ...s, filter }),
    problems: pipelineFilterProblems,
    counts: (s) => ({ shown: visiblePipelineRows(s).length, total: s.snapshot?.rows.length ?? 0 }),
  },
  normalize,
  topics: () => ['pipeline'],
  actionTypes: ['pipeline/snapshot'],
  reduce: (s, a) => (s.open ? { ...s, snapshot: a.snapshot } : s),
};
