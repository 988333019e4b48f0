// The TUI's whole state and its one reducer. Pure: no Ink, no I/O, no clock reads — time arrives in
// actions, so every transition is reproducible in a test.
import { helpLines, maxHelpScroll } from '../render/help.js';
import type { ClusterDetail } from '../../core/fleet.js';
import type { JobRecord } from '../../core/jobs.js';
import { roleAtLeast, type Role } from '../../core/roles.js';
import type { KeyAction, KeyContext } from '../keymap.js';
import { openDialog, reduceDialog, type DialogAction, type DialogState } from './action-dialog.js';
import { DryRunResultSchema, outcomeMessage, type CallOutcome, type QueuedCall } from './calls.js';
import { parseCommand } from './commands.js';
import { initialConnection, reduceConnection, type ConnectionAction, type ConnectionState } from './connection.js';
import { filterProblems, parseFilter } from './filter.js';
import { initialFleet, reduceFleet, type FleetAction, type FleetState } from './fleet.js';
import { cancelJobSpec, clusterActionSpec, type ClusterAction, type SpecResult } from './job-actions.js';
import { fleetGroups, initialJobs, jobFilterProblems, reduceJobs, selectVisibleJobs, type JobsAction, type JobsState } from './jobs.js';
import { bodyLines, detailSectionRows, fleetTableRows, helpLayout, jobsTableRows, keepInView, type Viewport } from './layout.js';
import { selectVisibleRows } from './select.js';
import { dryRunParams, runDialogSpec, runLabel, type RunRequest } from './run-command.js';
import { nextSort, type SortMode } from './sort.js';

export const SECTIONS = ['nodes', 'workloads', 'events'] as const;
export type Section = (typeof SECTIONS)[number];

export type View = { kind: 'fleet' } | { kind: 'cluster'; name: string; section: Section; scroll: number } | { kind: 'jobs' } | { kind: 'job'; id: string };

export interface InputState {
  mode: 'filter' | 'command';
  text: string;
}

export interface AppState {
  now: number;
  viewport: Viewport;
  conn: ConnectionState;
  fleet: FleetState;
  /** The snapshot of the cluster whose detail view is open; null until it arrives. */
  detail: { name: string; rev: number; data: ClusterDetail | null } | null;
  /** Never empty; the bottom is always the fleet view. */
  views: View[];
  cursor: number;
  scroll: number;
  /** The cluster under the cursor, so the selection follows it when rows reorder. */
  selected: string | null;
  filter: string;
  sort: SortMode;
  input: InputState | null;
  help: boolean;
  /** First help line shown when the overlay does not fit. */
  helpScroll: number;
  message: { text: string; level: 'info' | 'error' } | null;
  quit: boolean;
  /** The item under the cursor in the cluster view's focused section: what an action works on. */
  detailCursor: number;
  /** Who the daemon said we are; kept across reconnects, null (no actions) until the first hello. */
  role: Role | null;
  jobs: JobsState;
  jobsFilter: string;
  jobsCursor: number;
  jobsScroll: number;
  /** The job under the cursor, so the selection stays on it as new jobs arrive on top. */
  jobSelected: string | null;
  dialog: DialogState | null;
  /** Calls the reducer wants sent; the call runner takes each one off with call/sent. */
  calls: QueuedCall[];
  nextCallKey: number;
  /** The `:run` fleet job whose dry run is on its way; its answer opens the confirmation dialog. */
  preview: { key: number; run: RunRequest } | null;
}

export type Action =
  | ConnectionAction
  | FleetAction
  | { type: 'tick'; now: number }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'cluster/snapshot'; name: string; rev: number; data: ClusterDetail | null }
  | { type: 'key'; action: KeyAction }
  | { type: 'input/text'; text: string }
  | { type: 'message'; text: string; level: 'info' | 'error' }
  | JobsAction
  | { type: 'call/sent'; key: number }
  | { type: 'call/done'; call: Pick<QueuedCall, 'method' | 'label'> & Partial<Pick<QueuedCall, 'key' | 'expectedClusters'>>; outcome: CallOutcome };

export function initialState(opts: { now: number; columns: number; rows: number }): AppState {
  return {
    now: opts.now,
    viewport: { columns: opts.columns, rows: opts.rows },
    conn: initialConnection(opts.now),
    fleet: initialFleet(),
    detail: null,
    views: [{ kind: 'fleet' }],
    cursor: 0,
    scroll: 0,
    selected: null,
    filter: '',
    sort: 'health',
    input: null,
    help: false,
    helpScroll: 0,
    message: null,
    quit: false,
    detailCursor: 0,
    role: null,
    jobs: initialJobs(),
    jobsFilter: '',
    jobsCursor: 0,
    jobsScroll: 0,
    jobSelected: null,
    dialog: null,
    calls: [],
    nextCallKey: 1,
    preview: null,
  };
}

export function topView(state: AppState): View {
  return state.views[state.views.length - 1] ?? { kind: 'fleet' };
}

export function keyContext(state: AppState): KeyContext {
  if (state.dialog) return 'dialog';
  if (state.input) return state.input.mode;
  if (state.help) return 'help';
  return topView(state).kind;
}

export function visibleRows(state: AppState) {
  return selectVisibleRows(state.fleet, state.filter, state.sort);
}

export function visibleJobs(state: AppState): JobRecord[] {
  return selectVisibleJobs(state.jobs, state.jobsFilter);
}

export function jobsPageRows(state: AppState): number {
  return jobsTableRows(state.viewport, state.conn, fleetGroups(visibleJobs(state)).length);
}

/** The cluster whose detail view is open anywhere in the stack; its topic stays subscribed under the jobs view. */
export function openClusterName(state: AppState): string | null {
  for (let i = state.views.length - 1; i >= 0; i--) {
    const v = state.views[i];
    if (v?.kind === 'cluster') return v.name;
  }
  return null;
}

/** The jobs topic is wanted only while the jobs list or a job's detail is open. */
export function jobsViewOpen(state: AppState): boolean {
  return state.views.some((v) => v.kind === 'jobs' || v.kind === 'job');
}

/** The role the key table is filtered by; before the first hello nobody may act. */
export function keyRole(state: AppState): Role {
  return state.role ?? 'viewer';
}

export function sectionItemCount(detail: ClusterDetail | null, section: Section): number {
  if (!detail) return 0;
  return section === 'nodes' ? detail.nodes.length : section === 'workloads' ? detail.workloads.length : detail.events.length;
}

/** Keeps cursor and scroll inside the visible rows and the page; with `follow`, the cursor moves to wherever the selected cluster went. */
function normalize(state: AppState, follow: boolean): AppState {
  const rows = visibleRows(state);
  const page = fleetTableRows(state.viewport, state.conn);
  let wanted = state.cursor;
  if (follow && state.selected !== null) {
    const idx = rows.findIndex((r) => r.name === state.selected);
    if (idx >= 0) wanted = idx;
  }
  const { cursor, scroll } = keepInView(wanted, state.scroll, rows.length, page);
  const selected = rows[cursor]?.name ?? null;

  let views = state.views;
  let detailCursor = state.detailCursor;
  const top = topView(state);
  if (top.kind === 'cluster') {
    const count = sectionItemCount(state.detail?.name === top.name ? state.detail.data : null, top.section);
    const inView = keepInView(detailCursor, top.scroll, count, detailSectionRows(state.viewport, state.conn));
    detailCursor = inView.cursor;
    if (inView.scroll !== top.scroll) views = [...state.views.slice(0, -1), { ...top, scroll: inView.scroll }];
  }
  const jobs = normalizeJobs(state, follow);
  if (
    cursor === state.cursor &&
    scroll === state.scroll &&
    selected === state.selected &&
    views === state.views &&
    detailCursor === state.detailCursor &&
    jobs.jobsCursor === state.jobsCursor &&
    jobs.jobsScroll === state.jobsScroll &&
    jobs.jobSelected === state.jobSelected
  ) {
    return state;
  }
  return { ...state, cursor, scroll, selected, views, detailCursor, ...jobs };
}

function normalizeJobs(state: AppState, follow: boolean): Pick<AppState, 'jobsCursor' | 'jobsScroll' | 'jobSelected'> {
  const rows = visibleJobs(state);
  const page = jobsPageRows(state);
  let cursor = state.jobsCursor;
  if (follow && state.jobSelected !== null) {
    const idx = rows.findIndex((j) => j.id === state.jobSelected);
    if (idx >= 0) cursor = idx;
  }
  const inView = keepInView(cursor, state.jobsScroll, rows.length, page);
  return { jobsCursor: inView.cursor, jobsScroll: inView.scroll, jobSelected: rows[inView.cursor]?.id ?? null };
}

function openCluster(state: AppState, name: string): AppState {
  const base = state.views.filter((v) => v.kind === 'fleet');
  return { ...state, views: [...base, { kind: 'cluster', name, section: 'nodes', scroll: 0 }], detail: null, help: false, detailCursor: 0 };
}

/** Opened from a cluster's view, the jobs view starts filtered to that cluster; back returns to it. */
function openJobs(state: AppState): AppState {
  const top = topView(state);
  const base = state.views.filter((v) => v.kind === 'fleet' || v.kind === 'cluster');
  const jobsFilter = top.kind === 'cluster' ? `cluster:${top.name}` : state.jobsFilter;
  return { ...state, views: [...base, { kind: 'jobs' }], jobsFilter, help: false };
}

function openDialogFrom(state: AppState, result: SpecResult): AppState {
  if (!result.ok) return { ...state, message: { text: result.error, level: 'error' } };
  return { ...state, dialog: openDialog(result.spec, result.fieldText) };
}

function clusterAction(state: AppState, action: ClusterAction): AppState {
  const top = topView(state);
  if (top.kind !== 'cluster') return state;
  const detail = state.detail?.name === top.name ? state.detail.data : null;
  return openDialogFrom(state, clusterActionSpec(action, top.name, detail, top.section, state.detailCursor, state.now));
}

function selectedJob(state: AppState): JobRecord | undefined {
  const top = topView(state);
  if (top.kind === 'job') return state.jobs.byId.get(top.id);
  return state.jobSelected === null ? undefined : state.jobs.byId.get(state.jobSelected);
}

function reduceDialogKey(state: AppState, action: DialogAction): AppState {
  if (!state.dialog) return state;
  const outcome = reduceDialog(state.dialog, action);
  if (!outcome.call) return { ...state, dialog: outcome.dialog };
  const queued: QueuedCall = { ...outcome.call, key: state.nextCallKey };
  return {
    ...state,
    dialog: outcome.dialog,
    calls: [...state.calls, queued],
    nextCallKey: state.nextCallKey + 1,
    message: { text: `${outcome.call.label}: submitting…`, level: 'info' },
  };
}

/** `:run`: asks for the blast radius first; nothing is submitted until the dialog is confirmed. */
function startRun(state: AppState, run: RunRequest): AppState {
  const key = state.nextCallKey;
  const label = runLabel(run);
  return {
    ...state,
    calls: [...state.calls, { key, method: 'job.submit', params: dryRunParams(run), label }],
    nextCallKey: key + 1,
    preview: { key, run },
    message: { text: `${label}: dry run…`, level: 'info' },
  };
}

/** The dry run's answer: the confirmation dialog with its blast radius, or why there is none. */
function previewDone(state: AppState, run: RunRequest, call: Pick<QueuedCall, 'method' | 'label'>, outcome: CallOutcome): AppState {
  const s = { ...state, preview: null };
  if (!outcome.ok) return { ...s, message: outcomeMessage(call, outcome) };
  const parsed = DryRunResultSchema.safeParse(outcome.result);
  if (!parsed.success) return { ...s, message: { text: `${call.label}: the daemon's dry run answer was not understood; nothing was submitted`, level: 'error' } };
  const blast = parsed.data.dryRun.clusters;
  if (blast.length === 0) return { ...s, message: { text: `${call.label}: no cluster matches; nothing to submit`, level: 'info' } };
  // Another dialog opened meanwhile keeps the screen; the user runs the command again when ready.
  if (s.dialog) return { ...s, message: { text: `${call.label}: dry run ready (${blast.length} clusters) but a dialog is open; run the command again`, level: 'info' } };
  return { ...s, dialog: openDialog(runDialogSpec(run, blast)), message: null };
}

function backToFleet(state: AppState): AppState {
  return { ...state, views: [{ kind: 'fleet' }], detail: null };
}

function moveBy(state: AppState, delta: number): AppState {
  const top = topView(state);
  if (top.kind === 'cluster') {
    // The cursor picks the item an action works on; the section scrolls to keep it visible.
    const count = sectionItemCount(state.detail?.name === top.name ? state.detail.data : null, top.section);
    const detailCursor = Math.max(0, Math.min(state.detailCursor + delta, count - 1));
    return { ...state, detailCursor };
  }
  if (top.kind === 'jobs') return { ...state, jobsCursor: state.jobsCursor + delta };
  if (top.kind === 'job') return state;
  return { ...state, cursor: state.cursor + delta };
}

function pageSize(state: AppState): number {
  const kind = topView(state).kind;
  if (kind === 'cluster') return detailSectionRows(state.viewport, state.conn);
  if (kind === 'jobs') return jobsPageRows(state);
  return fleetTableRows(state.viewport, state.conn);
}

function runCommand(state: AppState, text: string): AppState {
  const cmd = parseCommand(text, keyRole(state));
  switch (cmd.kind) {
    case 'none':
      return state;
    case 'quit':
      return { ...state, quit: true };
    case 'fleet':
      return backToFleet(state);
    case 'jobs':
      return openJobs(state);
    case 'run':
      return startRun(state, cmd.run);
    case 'cluster':
      if (state.fleet.rev !== null && !state.fleet.rows.has(cmd.name)) {
        return { ...state, message: { text: `no cluster named "${cmd.name}"`, level: 'error' } };
      }
      return openCluster(state, cmd.name);
    case 'error':
      return { ...state, message: { text: cmd.message, level: 'error' } };
  }
}

const OPERATOR_ACTIONS = new Set<KeyAction>(['scale', 'restart', 'cordon', 'uncordon', 'drain', 'backup', 'cancelJob']);

function reduceKey(state: AppState, action: KeyAction): AppState {
  if (state.dialog) {
    if (action === 'submit') return reduceDialogKey(state, { type: 'submit' });
    if (action === 'cancel') return reduceDialogKey(state, { type: 'cancel' });
    if (action === 'erase') return reduceDialogKey(state, { type: 'erase' });
    if (action !== 'quit') return state;
  }
  // The keymap already hides these from viewers; the daemon refuses them anyway.
  if (OPERATOR_ACTIONS.has(action) && !roleAtLeast(keyRole(state), 'operator')) return state;
  const s = state.message ? { ...state, message: null } : state;
  const half = Math.max(1, Math.floor(pageSize(s) / 2));
  switch (action) {
    case 'down':
      return moveBy(s, 1);
    case 'up':
      return moveBy(s, -1);
    case 'pageDown':
      return moveBy(s, pageSize(s));
    case 'pageUp':
      return moveBy(s, -pageSize(s));
    case 'halfPageDown':
      return moveBy(s, half);
    case 'halfPageUp':
      return moveBy(s, -half);
    case 'top':
      return moveBy(s, -Number.MAX_SAFE_INTEGER);
    case 'bottom':
      return moveBy(s, Number.MAX_SAFE_INTEGER);
    case 'drill':
      return s.selected === null ? s : openCluster(s, s.selected);
    case 'back': {
      if (s.views.length <= 1) return s;
      const popped = topView(s);
      return { ...s, views: s.views.slice(0, -1), detail: popped.kind === 'cluster' ? null : s.detail };
    }
    case 'jobs':
      return openJobs(s);
    case 'openJob':
      return s.jobSelected === null ? s : { ...s, views: [...s.views, { kind: 'job', id: s.jobSelected }] };
    case 'cancelJob':
      return openDialogFrom(s, cancelJobSpec(selectedJob(s)));
    case 'scale':
    case 'restart':
    case 'cordon':
    case 'uncordon':
    case 'drain':
    case 'backup':
      return clusterAction(s, action);
    case 'clearFilter':
      return { ...s, filter: '' };
    case 'filter':
      return { ...s, input: { mode: 'filter', text: filterOfView(s) } };
    case 'command':
      return { ...s, input: { mode: 'command', text: '' } };
    case 'help':
      return { ...s, help: true, helpScroll: 0 };
    case 'scrollHelpDown':
    case 'scrollHelpUp': {
      const layout = helpLayout(s.viewport.columns, bodyLines(s.viewport, s.conn));
      const max = maxHelpScroll(helpLines(keyRole(s)).length, layout);
      const step = action === 'scrollHelpDown' ? layout.rowsPerColumn : -layout.rowsPerColumn;
      return { ...s, helpScroll: Math.max(0, Math.min(max, s.helpScroll + step)) };
    }
    case 'closeHelp':
      return { ...s, help: false };
    case 'nextSection': {
      const top = topView(s);
      if (top.kind !== 'cluster') return s;
      const section = SECTIONS[(SECTIONS.indexOf(top.section) + 1) % SECTIONS.length] as Section;
      return { ...s, views: [...s.views.slice(0, -1), { ...top, section, scroll: 0 }], detailCursor: 0 };
    }
    case 'sort': {
      const sort = nextSort(s.sort);
      return { ...s, sort, message: { text: `sorted by ${sort}`, level: 'info' } };
    }
    case 'quit':
      return { ...s, quit: true };
    case 'submit': {
      if (!s.input) return s;
      if (s.input.mode === 'command') return runCommand({ ...s, input: null }, s.input.text);
      const problems = isJobsView(s) ? jobFilterProblems(s.jobsFilter) : filterProblems(parseFilter(s.filter));
      return { ...s, input: null, message: problems.length > 0 ? { text: problems.join('; '), level: 'error' } : null };
    }
    case 'cancel':
      if (!s.input) return s;
      return s.input.mode === 'filter' ? withFilter({ ...s, input: null }, '') : { ...s, input: null };
    case 'erase': {
      if (!s.input) return s;
      const text = s.input.text.slice(0, -1);
      const typed = { ...s, input: { ...s.input, text } };
      return s.input.mode === 'filter' ? withFilter(typed, text) : typed;
    }
  }
}

function isJobsView(state: AppState): boolean {
  return topView(state).kind === 'jobs';
}

/** The `/` filter belongs to the view it was typed in: the fleet's clusters or the jobs list. */
function filterOfView(state: AppState): string {
  return isJobsView(state) ? state.jobsFilter : state.filter;
}

function withFilter(state: AppState, text: string): AppState {
  return isJobsView(state) ? { ...state, jobsFilter: text } : { ...state, filter: text };
}

function reduceText(state: AppState, chunk: string): AppState {
  if (state.dialog) return reduceDialogKey(state, { type: 'text', text: chunk });
  if (!state.input) return state;
  // Control characters never belong in a filter or a command.
  const clean = [...chunk].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
  if (clean.length === 0) return state;
  const text = (state.input.text + clean).slice(0, 256);
  const typed = { ...state, input: { ...state.input, text } };
  return state.input.mode === 'filter' ? withFilter(typed, text) : typed;
}

function reduceRaw(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'tick':
      return action.now === state.now ? state : { ...state, now: action.now };
    case 'resize':
      return { ...state, viewport: { columns: action.columns, rows: action.rows } };
    case 'conn/open':
      return { ...state, conn: reduceConnection(state.conn, action), role: action.identity.role };
    case 'conn/connecting':
    case 'conn/lost':
      return { ...state, conn: reduceConnection(state.conn, action) };
    case 'jobs/snapshot':
    case 'jobs/patch': {
      const jobs = reduceJobs(state.jobs, action);
      return jobs === state.jobs ? state : { ...state, jobs };
    }
    case 'call/sent':
      return { ...state, calls: state.calls.filter((c) => c.key !== action.key) };
    case 'call/done':
      if (state.preview && action.call.key === state.preview.key) return previewDone(state, state.preview.run, action.call, action.outcome);
      return { ...state, message: outcomeMessage(action.call, action.outcome) };
    case 'fleet/snapshot':
    case 'fleet/patch':
      return { ...state, fleet: reduceFleet(state.fleet, action) };
    case 'cluster/snapshot': {
      if (openClusterName(state) !== action.name) return state;
      if (state.detail && state.detail.name === action.name && action.rev < state.detail.rev) return state;
      return { ...state, detail: { name: action.name, rev: action.rev, data: action.data } };
    }
    case 'key':
      return reduceKey(state, action.action);
    case 'input/text':
      return reduceText(state, action.text);
    case 'message':
      return { ...state, message: { text: action.text, level: action.level } };
  }
}

/** Actions that change which rows exist or their order; after them the cursor follows the selected cluster. */
const FOLLOWING = new Set<Action['type']>(['fleet/snapshot', 'fleet/patch', 'input/text', 'jobs/snapshot', 'jobs/patch']);

export function reduce(state: AppState, action: Action): AppState {
  const next = reduceRaw(state, action);
  if (next === state) return state;
  const follow = FOLLOWING.has(action.type) || (action.type === 'key' && ['sort', 'erase', 'cancel', 'clearFilter'].includes(action.action));
  return normalize(next, follow);
}
