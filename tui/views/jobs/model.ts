// The jobs view: every job the daemon holds, newest first, with fleet fan-outs summarised above. Its
// slice (filter, cursor, selection) outlives the view, so J brings back the list as it was left.
// Opened from a cluster it starts filtered to that cluster. Pure.
import type { JobRecord } from '../../../core/jobs.js';
import { cancelJobSpec } from '../../state/job-actions.js';
import { fleetGroups, jobFilterProblems, selectVisibleJobs, type JobsState } from '../../state/jobs.js';
import { bodyLines, keepInView, type Viewport } from '../../state/layout.js';
import type { ConnectionState } from '../../state/connection.js';
import type { ViewContext, ViewModel } from '../../state/view-model.js';

export interface JobsSlice {
  filter: string;
  cursor: number;
  scroll: number;
  /** The job under the cursor, so the selection stays on it as new jobs arrive on top. */
  selected: string | null;
}

export type JobsKeyAction = 'jobs' | 'openJob' | 'cancelJob';

/** Fleet fan-outs summarised above the jobs table, at most this many lines. */
export const FLEET_GROUP_LINES = 3;

export function fleetGroupLines(groups: number): number {
  return Math.min(groups, FLEET_GROUP_LINES);
}

/** Job rows of the jobs view: the body minus its title, the fleet-job lines and the column header. */
export function jobsTableRows(vp: Viewport, conn: ConnectionState, groups: number): number {
  return Math.max(1, bodyLines(vp, conn) - 1 - fleetGroupLines(groups) - 1);
}

export function visibleJobs(jobs: JobsState, slice: JobsSlice): JobRecord[] {
  return selectVisibleJobs(jobs, slice.filter);
}

export function jobsPageRows(slice: JobsSlice, ctx: ViewContext): number {
  return jobsTableRows(ctx.viewport, ctx.conn, fleetGroups(visibleJobs(ctx.jobs, slice)).length);
}

function normalize(slice: JobsSlice, ctx: ViewContext, follow: boolean): JobsSlice {
  const rows = visibleJobs(ctx.jobs, slice);
  let wanted = slice.cursor;
  if (follow && slice.selected !== null) {
    const idx = rows.findIndex((j) => j.id === slice.selected);
    if (idx >= 0) wanted = idx;
  }
  const { cursor, scroll } = keepInView(wanted, slice.scroll, rows.length, jobsPageRows(slice, ctx));
  const selected = rows[cursor]?.id ?? null;
  if (cursor === slice.cursor && scroll === slice.scroll && selected === slice.selected) return slice;
  return { ...slice, cursor, scroll, selected };
}

export const jobsView: ViewModel<'jobs', JobsSlice, JobsKeyAction> = {
  kind: 'jobs',
  title: 'Jobs',
  over: ['fleet', 'cluster'],
  initial: () => ({ filter: '', cursor: 0, scroll: 0, selected: null }),
  open: (slice, _arg, _ctx, from) => ({ ok: true, slice: from.cluster === undefined ? slice : { ...slice, filter: `cluster:${from.cluster}` } }),
  bindings: [
    { keys: ['J'], action: 'jobs', description: 'jobs view', hint: true, contexts: ['fleet', 'cluster'] },
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['enter'], action: 'openJob', description: 'show the selected job', hint: true },
    { keys: ['/'], action: 'filter', description: 'filter jobs (cluster:, state:, type:)', hint: true },
    { keys: ['c'], action: 'cancelJob', short: 'cancel', description: 'cancel the selected job', hint: true, needs: 'job.cancel', target: 'job' },
  ],
  keys: {
    jobs: { run: () => ({ open: { view: 'jobs' } }) },
    openJob: { run: (s) => (s.selected === null ? {} : { open: { view: 'job', arg: s.selected } }) },
    cancelJob: { run: (s, ctx) => ({ dialog: cancelJobSpec(s.selected === null ? undefined : ctx.jobs.byId.get(s.selected)) }) },
  },
  commands: [{ verbs: ['jobs'], usage: ':jobs', description: 'the jobs view', parse: () => ({ ok: true }) }],
  list: {
    page: jobsPageRows,
    move: (s, delta) => ({ ...s, cursor: s.cursor + delta }),
  },
  filter: {
    text: (s) => s.filter,
    set: (s, filter) => ({ ...s, filter }),
    problems: jobFilterProblems,
    counts: (s, ctx) => ({ shown: visibleJobs(ctx.jobs, s).length, total: ctx.jobs.byId.size }),
  },
  normalize,
  topics: () => ['jobs'],
};
