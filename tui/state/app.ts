// The TUI's whole state and its one reducer. Pure: no Ink, no I/O, no clock reads — time arrives in
// actions, so every transition is reproducible in a test.
import type { ClusterDetail } from '../../core/fleet.js';
import type { KeyAction, KeyContext } from '../keymap.js';
import { parseCommand } from './commands.js';
import { initialConnection, reduceConnection, type ConnectionAction, type ConnectionState } from './connection.js';
import { filterProblems, parseFilter } from './filter.js';
import { initialFleet, reduceFleet, type FleetAction, type FleetState } from './fleet.js';
import { detailSectionRows, fleetTableRows, type Viewport } from './layout.js';
import { selectVisibleRows } from './select.js';
import { nextSort, type SortMode } from './sort.js';

export const SECTIONS = ['nodes', 'workloads', 'events'] as const;
export type Section = (typeof SECTIONS)[number];

export type View = { kind: 'fleet' } | { kind: 'cluster'; name: string; section: Section; scroll: number };

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
  message: { text: string; level: 'info' | 'error' } | null;
  quit: boolean;
}

export type Action =
  | ConnectionAction
  | FleetAction
  | { type: 'tick'; now: number }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'cluster/snapshot'; name: string; rev: number; data: ClusterDetail | null }
  | { type: 'key'; action: KeyAction }
  | { type: 'input/text'; text: string }
  | { type: 'message'; text: string; level: 'info' | 'error' };

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
    message: null,
    quit: false,
  };
}

export function topView(state: AppState): View {
  return state.views[state.views.length - 1] ?? { kind: 'fleet' };
}

export function keyContext(state: AppState): KeyContext {
  if (state.input) return state.input.mode;
  if (state.help) return 'help';
  return topView(state).kind;
}

export function visibleRows(state: AppState) {
  return selectVisibleRows(state.fleet, state.filter, state.sort);
}

export function sectionItemCount(detail: ClusterDetail | null, section: Section): number {
  if (!detail) return 0;
  return section === 'nodes' ? detail.nodes.length : section === 'workloads' ? detail.workloads.length : detail.events.length;
}

/** Keeps cursor and scroll inside the visible rows and the page; with `follow`, the cursor moves to wherever the selected cluster went. */
function normalize(state: AppState, follow: boolean): AppState {
  const rows = visibleRows(state);
  const page = fleetTableRows(state.viewport, state.conn);
  let cursor = state.cursor;
  if (follow && state.selected !== null) {
    const idx = rows.findIndex((r) => r.name === state.selected);
    if (idx >= 0) cursor = idx;
  }
  cursor = Math.max(0, Math.min(cursor, rows.length - 1));
  let scroll = state.scroll;
  if (cursor < scroll) scroll = cursor;
  if (cursor >= scroll + page) scroll = cursor - page + 1;
  scroll = Math.max(0, Math.min(scroll, Math.max(0, rows.length - page)));
  const selected = rows[cursor]?.name ?? null;

  let views = state.views;
  const top = topView(state);
  if (top.kind === 'cluster') {
    const count = sectionItemCount(state.detail?.name === top.name ? state.detail.data : null, top.section);
    const max = Math.max(0, count - detailSectionRows(state.viewport, state.conn));
    const clamped = Math.max(0, Math.min(top.scroll, max));
    if (clamped !== top.scroll) views = [...state.views.slice(0, -1), { ...top, scroll: clamped }];
  }
  if (cursor === state.cursor && scroll === state.scroll && selected === state.selected && views === state.views) return state;
  return { ...state, cursor, scroll, selected, views };
}

function openCluster(state: AppState, name: string): AppState {
  const base = state.views.filter((v) => v.kind === 'fleet');
  return { ...state, views: [...base, { kind: 'cluster', name, section: 'nodes', scroll: 0 }], detail: null, help: false };
}

function backToFleet(state: AppState): AppState {
  return { ...state, views: [{ kind: 'fleet' }], detail: null };
}

function moveBy(state: AppState, delta: number): AppState {
  const top = topView(state);
  if (top.kind === 'cluster') {
    return { ...state, views: [...state.views.slice(0, -1), { ...top, scroll: top.scroll + delta }] };
  }
  return { ...state, cursor: state.cursor + delta };
}

function pageSize(state: AppState): number {
  return topView(state).kind === 'cluster' ? detailSectionRows(state.viewport, state.conn) : fleetTableRows(state.viewport, state.conn);
}

function runCommand(state: AppState, text: string): AppState {
  const cmd = parseCommand(text);
  switch (cmd.kind) {
    case 'none':
      return state;
    case 'quit':
      return { ...state, quit: true };
    case 'fleet':
      return backToFleet(state);
    case 'cluster':
      if (state.fleet.rev !== null && !state.fleet.rows.has(cmd.name)) {
        return { ...state, message: { text: `no cluster named "${cmd.name}"`, level: 'error' } };
      }
      return openCluster(state, cmd.name);
    case 'error':
      return { ...state, message: { text: cmd.message, level: 'error' } };
  }
}

function reduceKey(state: AppState, action: KeyAction): AppState {
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
    case 'back':
      return s.views.length > 1 ? { ...s, views: s.views.slice(0, -1), detail: null } : s;
    case 'clearFilter':
      return { ...s, filter: '' };
    case 'filter':
      return { ...s, input: { mode: 'filter', text: s.filter } };
    case 'command':
      return { ...s, input: { mode: 'command', text: '' } };
    case 'help':
      return { ...s, help: true };
    case 'closeHelp':
      return { ...s, help: false };
    case 'nextSection': {
      const top = topView(s);
      if (top.kind !== 'cluster') return s;
      const section = SECTIONS[(SECTIONS.indexOf(top.section) + 1) % SECTIONS.length] as Section;
      return { ...s, views: [...s.views.slice(0, -1), { ...top, section, scroll: 0 }] };
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
      const problems = filterProblems(parseFilter(s.filter));
      return { ...s, input: null, message: problems.length > 0 ? { text: problems.join('; '), level: 'error' } : null };
    }
    case 'cancel':
      if (!s.input) return s;
      return s.input.mode === 'filter' ? { ...s, input: null, filter: '' } : { ...s, input: null };
    case 'erase': {
      if (!s.input) return s;
      const text = s.input.text.slice(0, -1);
      return { ...s, input: { ...s.input, text }, filter: s.input.mode === 'filter' ? text : s.filter };
    }
  }
}

function reduceText(state: AppState, chunk: string): AppState {
  if (!state.input) return state;
  // Control characters never belong in a filter or a command.
  const clean = [...chunk].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
  if (clean.length === 0) return state;
  const text = (state.input.text + clean).slice(0, 256);
  return { ...state, input: { ...state.input, text }, filter: state.input.mode === 'filter' ? text : state.filter };
}

function reduceRaw(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'tick':
      return action.now === state.now ? state : { ...state, now: action.now };
    case 'resize':
      return { ...state, viewport: { columns: action.columns, rows: action.rows } };
    case 'conn/connecting':
    case 'conn/open':
    case 'conn/lost':
      return { ...state, conn: reduceConnection(state.conn, action) };
    case 'fleet/snapshot':
    case 'fleet/patch':
      return { ...state, fleet: reduceFleet(state.fleet, action) };
    case 'cluster/snapshot': {
      const top = topView(state);
      if (top.kind !== 'cluster' || top.name !== action.name) return state;
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
const FOLLOWING = new Set<Action['type']>(['fleet/snapshot', 'fleet/patch', 'input/text']);

export function reduce(state: AppState, action: Action): AppState {
  const next = reduceRaw(state, action);
  if (next === state) return state;
  const follow = FOLLOWING.has(action.type) || (action.type === 'key' && ['sort', 'erase', 'cancel', 'clearFilter'].includes(action.action));
  return normalize(next, follow);
}
