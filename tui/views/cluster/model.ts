// The cluster view: one cluster's nodes, workloads and events (the focused section expanded) and its
// recent history, from the `cluster:<name>` topic it subscribes while open. The cursor picks the node
// or workload an action works on. Pure.
import type { ClusterDetail } from '../../../core/fleet.js';
import { clusterActionSpec, type ClusterAction } from '../../state/job-actions.js';
import { bodyLines, keepInView, type Viewport } from '../../state/layout.js';
import type { ConnectionState } from '../../state/connection.js';
import type { KeyHandler, ViewContext, ViewModel } from '../../state/view-model.js';

export const SECTIONS = ['nodes', 'workloads', 'events'] as const;
export type Section = (typeof SECTIONS)[number];

export interface ClusterSlice {
  /** The cluster shown; null while the view is not open. */
  name: string | null;
  section: Section;
  scroll: number;
  /** The item under the cursor in the focused section: what an action works on. */
  cursor: number;
  /** The cluster's latest snapshot; null until it arrives. */
  detail: { rev: number; data: ClusterDetail | null } | null;
}

export type ClusterKeyAction = 'nextSection' | ClusterAction;

export type ClusterDataAction = { type: 'cluster/snapshot'; name: string; rev: number; data: ClusterDetail | null };

export const HISTORY_LINES = 3;
/** The log pipeline figures under the title (tui/render/pipeline-lines.ts). */
export const PIPELINE_LINES = 2;

/** Item rows of the focused section: the body minus the title, the pipeline lines, three section titles, a column header and the history block. */
export function detailSectionRows(vp: Viewport, conn: ConnectionState): number {
  return Math.max(1, bodyLines(vp, conn) - 1 - PIPELINE_LINES - 3 - 1 - (1 + HISTORY_LINES));
}

export function sectionItemCount(detail: ClusterDetail | null, section: Section): number {
  if (!detail) return 0;
  return section === 'nodes' ? detail.nodes.length : section === 'workloads' ? detail.workloads.length : detail.events.length;
}

const closed = (): ClusterSlice => ({ name: null, section: 'nodes', scroll: 0, cursor: 0, detail: null });

function action(kind: ClusterAction): KeyHandler<ClusterSlice> {
  return {
    run: (s, ctx) => (s.name === null ? {} : { dialog: clusterActionSpec(kind, s.name, s.detail?.data ?? null, s.section, s.cursor, ctx.now) }),
  };
}

function normalize(slice: ClusterSlice, ctx: ViewContext): ClusterSlice {
  const count = sectionItemCount(slice.detail?.data ?? null, slice.section);
  const { cursor, scroll } = keepInView(slice.cursor, slice.scroll, count, detailSectionRows(ctx.viewport, ctx.conn));
  return cursor === slice.cursor && scroll === slice.scroll ? slice : { ...slice, cursor, scroll };
}

export const clusterView: ViewModel<'cluster', ClusterSlice, ClusterKeyAction, ClusterDataAction> = {
  kind: 'cluster',
  title: 'Cluster detail',
  // Over the pipeline too, so esc from a cluster opened there goes back to it.
  over: ['fleet', 'pipeline'],
  initial: closed,
  open: (_slice, name, ctx) => {
    if (name === undefined) return { ok: false, error: 'usage: :cluster NAME' };
    if (ctx.fleet.rev !== null && !ctx.fleet.rows.has(name)) return { ok: false, error: `no cluster named "${name}"` };
    return { ok: true, slice: { ...closed(), name } };
  },
  close: closed,
  bindings: [
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['tab'], action: 'nextSection', description: 'next section (nodes, workloads, events)', hint: true },
    { keys: ['s'], action: 'scale', short: 'scale', description: 'scale the selected workload', hint: true, needs: 'job.submit', target: 'workload' },
    { keys: ['r'], action: 'restart', short: 'restart', description: 'restart the selected workload', hint: true, needs: 'job.submit', target: 'workload' },
    { keys: ['b'], action: 'backup', short: 'backup', description: "back up the selected workload's namespace", hint: true, needs: 'job.submit', target: 'workload' },
    { keys: ['c'], action: 'cordon', short: 'cordon', description: 'cordon the selected node', hint: true, needs: 'job.submit', target: 'node' },
    { keys: ['u'], action: 'uncordon', short: 'uncordon', description: 'uncordon the selected node', hint: true, needs: 'job.submit', target: 'node' },
    { keys: ['d'], action: 'drain', short: 'drain', description: 'drain the selected node', hint: true, needs: 'job.submit', target: 'node' },
  ],
  keys: {
    nextSection: {
      run: (s) => ({ slice: { ...s, section: SECTIONS[(SECTIONS.indexOf(s.section) + 1) % SECTIONS.length] as Section, scroll: 0, cursor: 0 } }),
    },
    scale: action('scale'),
    restart: action('restart'),
    backup: action('backup'),
    cordon: action('cordon'),
    uncordon: action('uncordon'),
    drain: action('drain'),
  },
  commands: [
    {
      verbs: ['cluster'],
      usage: ':cluster NAME',
      description: 'open the detail view of a cluster',
      parse: (args) => (args.length === 1 && args[0] !== undefined ? { ok: true, arg: args[0] } : { ok: false, error: 'usage: :cluster NAME' }),
    },
  ],
  list: {
    page: (_s, ctx) => detailSectionRows(ctx.viewport, ctx.conn),
    move: (s, delta) => ({ ...s, cursor: s.cursor + delta }),
  },
  normalize,
  scope: (s) => {
    if (s.name === null) return {};
    const workload = s.section === 'workloads' ? s.detail?.data?.workloads[s.cursor] : undefined;
    return workload ? { cluster: s.name, workload: { namespace: workload.namespace, name: workload.name } } : { cluster: s.name };
  },
  topics: (s) => (s.name === null ? [] : [`cluster:${s.name}`]),
  actionTypes: ['cluster/snapshot'],
  reduce: (s, a) => {
    if (s.name !== a.name) return s;
    if (s.detail && a.rev < s.detail.rev) return s;
    return { ...s, detail: { rev: a.rev, data: a.data } };
  },
};
