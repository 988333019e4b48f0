// The console's state and its one reducer: the shell. It holds what every view shares — clock, screen,
// link, the fleet and jobs topics, the stack of open views, the `/` and `:` input, the help, the dialog
// and the calls queued for the daemon — plus one slice per view, and routes each key, command and
// frame to the view model that owns it (views/registry.ts). Pure: no Ink, no I/O, no clock reads —
// time arrives in actions, so every transition is reproducible in a test.
import { roleOn, type Grant } from '../../core/access.js';
import type { Role } from '../../core/roles.js';
import { allowedFor, bindingFor, KEYMAP, type KeyAction, type KeyBinding, type KeyContext, type ShellAction } from '../keymap.js';
import { helpLines, maxHelpScroll } from '../render/help.js';
import { ROOT_VIEW, VIEWS, type ViewDataAction, type ViewKind, type ViewSlices } from '../views/registry.js';
import { openDialog, reduceDialog, type DialogAction, type DialogState } from './action-dialog.js';
import { DryRunResultSchema, outcomeMessage, type CallOutcome, type QueuedCall } from './calls.js';
import { parseCommand } from './commands.js';
import { initialConnection, reduceConnection, type ConnectionAction, type ConnectionState } from './connection.js';
import { initialFleet, reduceFleet, type FleetAction, type FleetState } from './fleet.js';
import type { SpecResult } from './job-actions.js';
import { initialJobs, reduceJobs, type JobsAction, type JobsState } from './jobs.js';
import { bodyLines, helpLayout, type Viewport } from './layout.js';
import { dryRunParams, runDialogSpec, runLabel, type RunRequest } from './run-command.js';
import { VIEW_SHELL_ACTIONS, type AnyViewModel, type Message, type TopicWant, type ViewContext, type ViewUpdate } from './view-model.js';

export type { ViewKind } from '../views/registry.js';

export interface InputState {
  mode: 'filter' | 'command';
  text: string;
}

export interface AppState {
  now: number;
  viewport: Viewport;
  conn: ConnectionState;
  /** Who the daemon said we are; kept across reconnects, null (no actions) until the first hello. */
  role: Role | null;
  /** The grants behind the role, when the daemon named them: the role on a cluster is theirs on its labels. */
  grants: readonly Grant[] | null;
  fleet: FleetState;
  jobs: JobsState;
  /** The open views, the top one last. Never empty: the root (the fleet) is always at the bottom. */
  stack: readonly ViewKind[];
  /** Each view's own state; a view that resets it on close starts afresh each time it opens. */
  view: ViewSlices;
  input: InputState | null;
  help: boolean;
  /** First help line shown when the overlay does not fit. */
  helpScroll: number;
  message: Message | null;
  quit: boolean;
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
  | JobsAction
  | ViewDataAction
  | { type: 'tick'; now: number }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'key'; action: KeyAction }
  | { type: 'input/text'; text: string }
  | { type: 'message'; text: string; level: 'info' | 'error' }
  | { type: 'call/sent'; key: number }
  | { type: 'call/done'; call: Pick<QueuedCall, 'method' | 'label'> & Partial<Pick<QueuedCall, 'key' | 'expectedClusters' | 'view' | 'ref'>>; outcome: CallOutcome };

const MODELS: readonly AnyViewModel[] = VIEWS;
const BY_KIND = new Map(MODELS.map((m) => [m.kind, m]));

// Views name each other by kind (fleet drills into "cluster"); naming one that is not registered is a
// bug in a model, so it fails loudly instead of doing nothing.
function assertRegistered(kind: string): asserts kind is ViewKind {
  if (!BY_KIND.has(kind)) throw new Error(`no view "${kind}" is registered in tui/views/registry.ts`);
}

function model(kind: string): AnyViewModel {
  const found = BY_KIND.get(kind);
  if (!found) throw new Error(`no view "${kind}" is registered in tui/views/registry.ts`);
  return found;
}

// The registry erases slice types; each model is only ever handed the slice stored under its own kind.
function sliceOf(state: AppState, kind: string): unknown {
  return (state.view as Record<string, unknown>)[kind];
}

function withSlice(state: AppState, kind: string, slice: unknown): AppState {
  if (sliceOf(state, kind) === slice) return state;
  return { ...state, view: { ...state.view, [kind]: slice } };
}

export function initialState(opts: { now: number; columns: number; rows: number }): AppState {
  return {
    now: opts.now,
    viewport: { columns: opts.columns, rows: opts.rows },
    conn: initialConnection(opts.now),
    role: null,
    grants: null,
    fleet: initialFleet(),
    jobs: initialJobs(),
    stack: [ROOT_VIEW],
    view: Object.fromEntries(MODELS.map((m) => [m.kind, m.initial()])) as ViewSlices,
    input: null,
    help: false,
    helpScroll: 0,
    message: null,
    quit: false,
    dialog: null,
    calls: [],
    nextCallKey: 1,
    preview: null,
  };
}

export function topView(state: AppState): ViewKind {
  return state.stack[state.stack.length - 1] ?? ROOT_VIEW;
}

export function keyContext(state: AppState): KeyContext {
  if (state.dialog) return 'dialog';
  if (state.input) return state.input.mode;
  if (state.help) return 'help';
  return topView(state);
}

/**
 * The role the key table is filtered by: on the cluster the view on top is about (the cluster view's,
 * the fleet's row under the cursor) the grants' role on its labels, as the daemon will judge it;
 * elsewhere the identity's highest. Before the first hello nobody may act.
 */
export function keyRole(state: AppState): Role {
  if (state.role === null) return 'viewer';
  if (state.grants === null) return state.role;
  const top = topView(state);
  const about = model(top).scope?.(sliceOf(state, top)) ?? {};
  const cluster = about.cluster ?? about.fleet?.selected ?? undefined;
  if (cluster === undefined) return state.role;
  return roleOn(state.grants, state.fleet.rows.get(cluster)?.labels ?? {}) ?? 'viewer';
}

/** What every view may read besides its own slice. */
export function viewContext(state: AppState): ViewContext {
  return { now: state.now, viewport: state.viewport, conn: state.conn, role: keyRole(state), fleet: state.fleet, jobs: state.jobs };
}

/** The topics the open views need, each once (with its query, for a topic that takes one); the link follows this list. */
export function wantedTopics(state: AppState): TopicWant[] {
  const wanted = new Map<string, TopicWant>();
  const ctx = viewContext(state);
  const top = topView(state);
  for (const kind of state.stack) {
    for (const t of model(kind).topics?.(sliceOf(state, kind), ctx, kind === top) ?? []) wanted.set(typeof t === 'string' ? t : `${t.topic}?${t.query}`, t);
  }
  return [...wanted.values()];
}


/** The filter the prompt line shows: the top view's, else the root's, which stays visible under views without one. */
export function promptFilter(state: AppState): { text: string; shown: number; total: number; hint: string } | null {
  const top = topView(state);
  const kind = model(top).filter ? top : ROOT_VIEW;
  const spec = model(kind).filter;
  if (!spec) return null;
  const slice = sliceOf(state, kind);
  return { text: spec.text(slice), ...spec.counts(slice, viewContext(state)), hint: spec.keptHint ?? 'esc clears' };
}

/** Keeps every open view's cursor and scroll in range; with `follow`, cursors move to wherever their selected item went. */
function normalize(state: AppState, follow: boolean): AppState {
  const ctx = viewContext(state);
  let next = state;
  for (const kind of state.stack) {
    const m = model(kind);
    if (m.normalize) next = withSlice(next, kind, m.normalize(sliceOf(next, kind), ctx, follow));
  }
  return next;
}

function closeView(state: AppState, kind: string): AppState {
  const m = model(kind);
  return m.close ? withSlice(state, kind, m.close(sliceOf(state, kind))) : state;
}

/** Queues the calls the open views want now (their data: pages, context, histograms); each answer goes back to its view. */
function viewCalls(state: AppState): AppState {
  const ctx = viewContext(state);
  const top = topView(state);
  let next = state;
  for (const kind of state.stack) {
    const m = model(kind);
    if (!m.wants) continue;
    const { slice, calls } = m.wants(sliceOf(next, kind), ctx, kind === top);
    next = withSlice(next, kind, slice);
    if (calls.length === 0) continue;
    const queued = calls.map((c, i): QueuedCall => ({ key: next.nextCallKey + i, method: c.method, params: c.params, label: c.method, view: kind, ref: c.ref }));
    next = { ...next, calls: [...next.calls, ...queued], nextCallKey: next.nextCallKey + queued.length };
  }
  return next;
}

/** A view's own call came back: its model takes the answer (it may be stale by now; the ref tells). */
function viewAnswer(state: AppState, kind: string, ref: string, outcome: CallOutcome): AppState {
  const m = BY_KIND.get(kind);
  if (!m?.answer) return state;
  return applyUpdate(state, kind, m.answer(sliceOf(state, kind), ref, outcome, viewContext(state)));
}

/** Opens a view on top of the views it may sit on; the others above the root close. A view may refuse (no such cluster). */
function openView(state: AppState, kind: string, arg?: string): AppState {
  assertRegistered(kind);
  const m = model(kind);
  const top = topView(state);
  const from = model(top).scope?.(sliceOf(state, top)) ?? {};
  const opened = m.open(sliceOf(state, kind), arg, viewContext(state), from);
  if (!opened.ok) return { ...state, message: { text: opened.error, level: 'error' } };
  const kept = state.stack.filter((k) => m.over.includes(k));
  let next: AppState = { ...state, help: false };
  for (const k of state.stack) if (!kept.includes(k)) next = closeView(next, k);
  return { ...withSlice(next, kind, opened.slice), stack: [...kept, kind] };
}

function back(state: AppState): AppState {
  if (state.stack.length <= 1) return state;
  return { ...closeView(state, topView(state)), stack: state.stack.slice(0, -1) };
}

function openDialogFrom(state: AppState, result: SpecResult): AppState {
  if (!result.ok) return { ...state, message: { text: result.error, level: 'error' } };
  return { ...state, dialog: openDialog(result.spec, result.fieldText) };
}

function applyUpdate(state: AppState, kind: string, update: ViewUpdate<unknown>): AppState {
  let next = update.slice === undefined ? state : withSlice(state, kind, update.slice);
  if (update.message) next = { ...next, message: update.message };
  if (update.dialog) next = openDialogFrom(next, update.dialog);
  if (update.open) next = openView(next, update.open.view, update.open.arg);
  return next;
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

function runCommand(state: AppState, text: string): AppState {
  const cmd = parseCommand(text, keyRole(state));
  switch (cmd.kind) {
    case 'none':
      return state;
    case 'quit':
      return { ...state, quit: true };
    case 'open':
      return openView(state, cmd.view, cmd.arg);
    case 'run':
      return startRun(state, cmd.run);
    case 'error':
      return { ...state, message: { text: cmd.message, level: 'error' } };
  }
}

/** The `/` filter belongs to the view it was typed in. */
function setTopFilter(state: AppState, text: string): AppState {
  const kind = topView(state);
  const spec = model(kind).filter;
  return spec ? withSlice(state, kind, spec.set(sliceOf(state, kind), text)) : state;
}

type ShellHandler = (state: AppState) => AppState;

function move(delta: (page: number) => number): ShellHandler {
  return (s) => {
    const kind = topView(s);
    const list = model(kind).list;
    if (!list) return s;
    const slice = sliceOf(s, kind);
    return withSlice(s, kind, list.move(slice, delta(list.page(slice, viewContext(s)))));
  };
}

const half = (page: number): number => Math.max(1, Math.floor(page / 2));
const quit: ShellHandler = (s) => ({ ...s, quit: true });

function scrollHelp(direction: 1 | -1): ShellHandler {
  return (s) => {
    const layout = helpLayout(s.viewport.columns, bodyLines(s.viewport, s.conn));
    const max = maxHelpScroll(helpLines(keyRole(s)).length, layout);
    return { ...s, helpScroll: Math.max(0, Math.min(max, s.helpScroll + direction * layout.rowsPerColumn)) };
  };
}

const IN_VIEWS: Partial<Record<ShellAction, ShellHandler>> = {
  down: move(() => 1),
  up: move(() => -1),
  top: move(() => -Number.MAX_SAFE_INTEGER),
  bottom: move(() => Number.MAX_SAFE_INTEGER),
  pageDown: move((page) => page),
  pageUp: move((page) => -page),
  halfPageDown: move(half),
  halfPageUp: move((page) => -half(page)),
  back,
  filter: (s) => {
    const kind = topView(s);
    const spec = model(kind).filter;
    return spec ? { ...s, input: { mode: 'filter', text: spec.text(sliceOf(s, kind)) } } : s;
  },
  command: (s) => ({ ...s, input: { mode: 'command', text: '' } }),
  help: (s) => ({ ...s, help: true, helpScroll: 0 }),
  quit,
};

const IN_HELP: Partial<Record<ShellAction, ShellHandler>> = {
  closeHelp: (s) => ({ ...s, help: false }),
  scrollHelpDown: scrollHelp(1),
  scrollHelpUp: scrollHelp(-1),
  quit,
};

const WHILE_TYPING: Partial<Record<ShellAction, ShellHandler>> = {
  submit: (s) => {
    if (!s.input) return s;
    if (s.input.mode === 'command') return runCommand({ ...s, input: null }, s.input.text);
    const kind = topView(s);
    const spec = model(kind).filter;
    if (spec?.submit) {
      const done = spec.submit(sliceOf(s, kind), s.input.text);
      // A query that does not parse stays in the input, with the reason, to be fixed there.
      if (!done.ok) return { ...withSlice(s, kind, done.slice), message: { text: done.error, level: 'error' } };
      return { ...withSlice(s, kind, done.slice), input: null, message: null };
    }
    const problems = model(topView(s)).filter?.problems(s.input.text) ?? [];
    return { ...s, input: null, message: problems.length > 0 ? { text: problems.join('; '), level: 'error' } : null };
  },
  cancel: (s) => {
    if (!s.input) return s;
    if (s.input.mode !== 'filter') return { ...s, input: null };
    const kind = topView(s);
    const spec = model(kind).filter;
    return spec?.cancel ? withSlice({ ...s, input: null }, kind, spec.cancel(sliceOf(s, kind))) : setTopFilter({ ...s, input: null }, '');
  },
  erase: (s) => {
    if (!s.input) return s;
    const text = s.input.text.slice(0, -1);
    const typed = { ...s, input: { ...s.input, text } };
    return s.input.mode === 'filter' ? setTopFilter(typed, text) : typed;
  },
  quit,
};

const IN_DIALOG: Partial<Record<ShellAction, ShellHandler>> = {
  submit: (s) => reduceDialogKey(s, { type: 'submit' }),
  cancel: (s) => reduceDialogKey(s, { type: 'cancel' }),
  erase: (s) => reduceDialogKey(s, { type: 'erase' }),
  quit,
};

function shellKeys(context: KeyContext): Partial<Record<ShellAction, ShellHandler>> {
  if (context === 'dialog') return IN_DIALOG;
  if (context === 'help') return IN_HELP;
  if (context === 'filter' || context === 'command') return WHILE_TYPING;
  return IN_VIEWS;
}

const isShellAction = (binding: KeyBinding): boolean => binding.owner === 'shell' || (VIEW_SHELL_ACTIONS as readonly string[]).includes(binding.action);

/** Who carries out a binding in a context, and whether the lists it touches keep their selection. */
function keyHandler(context: KeyContext, binding: KeyBinding): ((state: AppState) => { next: AppState; follow: boolean }) | undefined {
  if (isShellAction(binding)) {
    const handler = shellKeys(context)[binding.action as ShellAction];
    // Typing edits a filter: the lists it narrows keep the selected item.
    const follow = binding.action === 'erase' || binding.action === 'cancel';
    return handler && ((s) => ({ next: handler(s), follow }));
  }
  const owner = binding.owner;
  const handler = model(owner).keys[binding.action];
  if (!handler) return undefined;
  return (s) => {
    const update = handler.run(sliceOf(s, owner), viewContext(s));
    return { next: applyUpdate(s, owner, update), follow: update.follow ?? false };
  };
}

/** Whether a binding of the table does something in the context; every binding must. */
export function handlesKey(context: KeyContext, binding: KeyBinding): boolean {
  return keyHandler(context, binding) !== undefined;
}

// A key the footer and the help offer but nothing carries out is a bug in a model or in the shell's
// tables; refuse to start rather than show a key that does nothing.
for (const binding of KEYMAP) {
  const dead = binding.contexts.find((c) => !handlesKey(c, binding));
  if (dead !== undefined) throw new Error(`key ${binding.keys.join('/')} (${binding.action}) has no handler in ${dead}`);
}

function reduceKey(state: AppState, action: KeyAction): { next: AppState; follow: boolean } {
  const context = keyContext(state);
  const binding = bindingFor(action, context);
  // An action with no key in this context, or one the role may not use, does nothing; the daemon refuses it anyway.
  const handler = binding && allowedFor(binding, keyRole(state)) ? keyHandler(context, binding) : undefined;
  if (!handler) return { next: state, follow: false };
  return handler(context !== 'dialog' && state.message ? { ...state, message: null } : state);
}

function reduceText(state: AppState, chunk: string): AppState {
  if (state.dialog) return reduceDialogKey(state, { type: 'text', text: chunk });
  if (!state.input) return state;
  // Control characters never belong in a filter or a command.
  const clean = [...chunk].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
  if (clean.length === 0) return state;
  const text = (state.input.text + clean).slice(0, 256);
  const typed = { ...state, input: { ...state.input, text } };
  return state.input.mode === 'filter' ? setTopFilter(typed, text) : typed;
}

/** A frame of a view's own topic goes to every model that takes its type. */
function reduceViewData(state: AppState, action: ViewDataAction): AppState {
  const ctx = viewContext(state);
  let next = state;
  for (const m of MODELS) {
    if (m.reduce && m.actionTypes?.includes(action.type)) next = withSlice(next, m.kind, m.reduce(sliceOf(next, m.kind), action, ctx));
  }
  return next;
}

function reduceRaw(state: AppState, action: Exclude<Action, { type: 'key' }>): AppState {
  switch (action.type) {
    case 'tick':
      return action.now === state.now ? state : { ...state, now: action.now };
    case 'resize':
      return { ...state, viewport: { columns: action.columns, rows: action.rows } };
    case 'conn/open':
      return { ...state, conn: reduceConnection(state.conn, action), role: action.identity.role, grants: action.identity.grants ?? null };
    case 'conn/connecting':
    case 'conn/lost':
      return { ...state, conn: reduceConnection(state.conn, action) };
    case 'jobs/snapshot':
    case 'jobs/patch': {
      const jobs = reduceJobs(state.jobs, action);
      return jobs === state.jobs ? state : { ...state, jobs };
    }
    case 'fleet/snapshot':
    case 'fleet/patch':
      return { ...state, fleet: reduceFleet(state.fleet, action) };
    case 'call/sent':
      return { ...state, calls: state.calls.filter((c) => c.key !== action.key) };
    case 'call/done':
      if (action.call.view !== undefined && action.call.ref !== undefined) return viewAnswer(state, action.call.view, action.call.ref, action.outcome);
      if (state.preview && action.call.key === state.preview.key) return previewDone(state, state.preview.run, action.call, action.outcome);
      return { ...state, message: outcomeMessage(action.call, action.outcome) };
    case 'input/text':
      return reduceText(state, action.text);
    case 'message':
      return { ...state, message: { text: action.text, level: action.level } };
    default:
      return reduceViewData(state, action);
  }
}

/** Actions that change which items exist or their order; after them the cursors follow their selected items. */
const FOLLOWING = new Set<Action['type']>(['fleet/snapshot', 'fleet/patch', 'input/text', 'jobs/snapshot', 'jobs/patch']);

export function reduce(state: AppState, action: Action): AppState {
  const { next, follow } = action.type === 'key' ? reduceKey(state, action.action) : { next: reduceRaw(state, action), follow: FOLLOWING.has(action.type) };
  if (next === state) return state;
  return viewCalls(normalize(next, follow));
}
