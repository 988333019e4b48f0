// The one keymap. Input handling, the footer hints and the `?` help overlay are all generated from
// KEYMAP, so a key can never do one thing and be documented as another.
import { roleAtLeast, type Role } from '../core/roles.js';

export const CONTEXTS = ['fleet', 'cluster', 'jobs', 'job', 'help', 'filter', 'command', 'dialog'] as const;
export type KeyContext = (typeof CONTEXTS)[number];

export const CONTEXT_TITLES: Record<KeyContext, string> = {
  fleet: 'Fleet',
  cluster: 'Cluster detail',
  jobs: 'Jobs',
  job: 'Job detail',
  help: 'Help',
  filter: 'Filter input',
  command: 'Command input',
  dialog: 'Action dialog',
};

export type KeyAction =
  | 'down'
  | 'up'
  | 'top'
  | 'bottom'
  | 'pageDown'
  | 'pageUp'
  | 'halfPageDown'
  | 'halfPageUp'
  | 'drill'
  | 'back'
  | 'clearFilter'
  | 'filter'
  | 'command'
  | 'help'
  | 'closeHelp'
  | 'scrollHelpDown'
  | 'scrollHelpUp'
  | 'nextSection'
  | 'sort'
  | 'quit'
  | 'submit'
  | 'cancel'
  | 'erase'
  | 'jobs'
  | 'openJob'
  | 'cancelJob'
  | 'scale'
  | 'restart'
  | 'cordon'
  | 'uncordon'
  | 'drain'
  | 'backup';

export interface KeyBinding {
  /** Normalised key names: a printable character, or down, up, pgdn, pgup, home, end, enter, esc, tab, backspace, ctrl+X. */
  keys: readonly string[];
  action: KeyAction;
  description: string;
  contexts: readonly KeyContext[];
  /** Shown in the footer of the contexts it is active in. */
  hint: boolean;
  /** The least role the key works for; viewers never see or trigger a binding that has one. */
  role?: Role;
  /** What the action works on, so a view can show the actions that apply to what is selected. */
  target?: 'workload' | 'node' | 'job';
  /** The word shown beside the key in those target hints. */
  short?: string;
}

const BROWSE = ['fleet', 'cluster', 'jobs'] as const;
const VIEWS = ['fleet', 'cluster', 'jobs', 'job'] as const;
const TYPING = ['filter', 'command'] as const;

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['j', 'down'], action: 'down', description: 'move down', contexts: BROWSE, hint: true },
  { keys: ['k', 'up'], action: 'up', description: 'move up', contexts: BROWSE, hint: true },
  { keys: ['g', 'home'], action: 'top', description: 'go to the top', contexts: BROWSE, hint: false },
  { keys: ['G', 'end'], action: 'bottom', description: 'go to the bottom', contexts: BROWSE, hint: false },
  { keys: ['pgdn'], action: 'pageDown', description: 'page down', contexts: BROWSE, hint: false },
  { keys: ['pgup'], action: 'pageUp', description: 'page up', contexts: BROWSE, hint: false },
  { keys: ['ctrl+d'], action: 'halfPageDown', description: 'half a page down', contexts: BROWSE, hint: false },
  { keys: ['ctrl+u'], action: 'halfPageUp', description: 'half a page up', contexts: BROWSE, hint: false },
  { keys: ['enter'], action: 'drill', description: 'open the selected cluster', contexts: ['fleet'], hint: true },
  { keys: ['esc'], action: 'clearFilter', description: 'clear the filter', contexts: ['fleet'], hint: false },
  { keys: ['esc'], action: 'back', description: 'back to the fleet', contexts: ['cluster'], hint: true },
  { keys: ['tab'], action: 'nextSection', description: 'next section (nodes, workloads, events)', contexts: ['cluster'], hint: true },
  { keys: ['esc'], action: 'back', description: 'back', contexts: ['jobs', 'job'], hint: true },
  { keys: ['enter'], action: 'openJob', description: 'show the selected job', contexts: ['jobs'], hint: true },
  { keys: ['J'], action: 'jobs', description: 'jobs view', contexts: ['fleet', 'cluster'], hint: true },
  { keys: ['/'], action: 'filter', description: 'filter clusters', contexts: ['fleet'], hint: true },
  { keys: ['/'], action: 'filter', description: 'filter jobs (cluster:, state:, type:)', contexts: ['jobs'], hint: true },
  { keys: ['s'], action: 'sort', description: 'cycle sort (health, name, age)', contexts: ['fleet'], hint: true },
  { keys: ['s'], action: 'scale', short: 'scale', description: 'scale the selected workload', contexts: ['cluster'], hint: true, role: 'operator', target: 'workload' },
  { keys: ['r'], action: 'restart', short: 'restart', description: 'restart the selected workload', contexts: ['cluster'], hint: true, role: 'operator', target: 'workload' },
  { keys: ['b'], action: 'backup', short: 'backup', description: "back up the selected workload's namespace", contexts: ['cluster'], hint: true, role: 'operator', target: 'workload' },
  { keys: ['c'], action: 'cordon', short: 'cordon', description: 'cordon the selected node', contexts: ['cluster'], hint: true, role: 'operator', target: 'node' },
  { keys: ['u'], action: 'uncordon', short: 'uncordon', description: 'uncordon the selected node', contexts: ['cluster'], hint: true, role: 'operator', target: 'node' },
  { keys: ['d'], action: 'drain', short: 'drain', description: 'drain the selected node', contexts: ['cluster'], hint: true, role: 'operator', target: 'node' },
  { keys: ['c'], action: 'cancelJob', short: 'cancel', description: 'cancel the selected job', contexts: ['jobs', 'job'], hint: true, role: 'operator', target: 'job' },
  { keys: [':'], action: 'command', description: 'command (:cluster NAME, :jobs, :fleet, :q)', contexts: VIEWS, hint: true },
  { keys: ['?'], action: 'help', description: 'show keys', contexts: VIEWS, hint: true },
  { keys: ['esc', '?', 'q'], action: 'closeHelp', description: 'close help', contexts: ['help'], hint: true },
  { keys: ['j', 'down', 'pgdn'], action: 'scrollHelpDown', description: 'scroll help down', contexts: ['help'], hint: true },
  { keys: ['k', 'up', 'pgup'], action: 'scrollHelpUp', description: 'scroll help up', contexts: ['help'], hint: true },
  { keys: ['enter'], action: 'submit', description: 'apply', contexts: TYPING, hint: true },
  { keys: ['esc'], action: 'cancel', description: 'cancel (clears the filter)', contexts: TYPING, hint: true },
  { keys: ['backspace'], action: 'erase', description: 'delete a character', contexts: TYPING, hint: false },
  { keys: ['enter'], action: 'submit', description: 'next / confirm', contexts: ['dialog'], hint: true },
  { keys: ['esc'], action: 'cancel', description: 'close without submitting', contexts: ['dialog'], hint: true },
  { keys: ['backspace'], action: 'erase', description: 'delete a character', contexts: ['dialog'], hint: false },
  { keys: ['q'], action: 'quit', description: 'quit', contexts: VIEWS, hint: true },
  { keys: ['ctrl+c'], action: 'quit', description: 'quit', contexts: CONTEXTS, hint: false },
];

/** The subset of Ink's Key that decides a key's name; declared here so this module stays free of Ink. */
export interface KeyFlags {
  upArrow: boolean;
  downArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  ctrl: boolean;
  /** Alt/Option; Ink sets it for ESC-prefixed sequences. */
  meta?: boolean;
}

export function keyName(input: string, key: KeyFlags): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  // Terminals send DEL (0x7f) for the backspace key, which Ink reports as delete.
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  return input.length > 0 ? input : null;
}

/** With a role, bindings above it are left out; without one (docs, tests of the table) every binding counts. */
export function allowedFor(binding: KeyBinding, role?: Role): boolean {
  return role === undefined || binding.role === undefined || roleAtLeast(role, binding.role);
}

export function lookupKey(name: string, context: KeyContext, role?: Role): KeyBinding | undefined {
  return KEYMAP.find((b) => b.contexts.includes(context) && b.keys.includes(name) && allowedFor(b, role));
}

export function hintsFor(context: KeyContext, role?: Role): { keys: string; description: string }[] {
  return KEYMAP.filter((b) => b.hint && b.contexts.includes(context) && allowedFor(b, role)).map((b) => ({ keys: b.keys.join('/'), description: b.description }));
}

/** Action keys that work on the given target, for the hint beside a section or a list. */
export function actionHints(target: NonNullable<KeyBinding['target']>, context: KeyContext, role: Role): { keys: string; description: string }[] {
  return KEYMAP.filter((b) => b.target === target && b.contexts.includes(context) && allowedFor(b, role)).map((b) => ({ keys: b.keys.join('/'), description: b.short ?? b.action }));
}

function groupTitle(contexts: readonly KeyContext[]): string {
  if (CONTEXTS.every((c) => contexts.includes(c))) return 'Everywhere';
  return contexts.map((c) => CONTEXT_TITLES[c]).join(' & ');
}

/** Help entries grouped by the set of views they work in, in keymap order. */
export function helpGroups(role?: Role): { title: string; entries: { keys: string; description: string }[] }[] {
  const groups = new Map<string, { title: string; entries: { keys: string; description: string }[] }>();
  for (const b of KEYMAP.filter((x) => allowedFor(x, role))) {
    const title = groupTitle(b.contexts);
    const group = groups.get(title) ?? { title, entries: [] };
    group.entries.push({ keys: b.keys.join(' '), description: b.description });
    groups.set(title, group);
  }
  return [...groups.values()];
}
