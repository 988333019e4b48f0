// The one keymap. Input handling, the footer hints and the `?` help overlay are all generated from
// KEYMAP, so a key can never do one thing and be documented as another. The shell's keys (movement,
// `:`, `?`, quit, the help, typing and the dialog) are here; every view brings its own keys from its
// model (views/*/model.ts), and the table is put together from the view registry.
import type { Role } from '../core/roles.js';
import { can } from './access.js';
import { commandsFor } from './state/commands.js';
import type { ViewBinding } from './state/view-model.js';
import { VIEWS, type ViewKeyAction, type ViewKind } from './views/registry.js';

export const OVERLAYS = ['help', 'filter', 'command', 'dialog'] as const;
export type KeyContext = ViewKind | (typeof OVERLAYS)[number];
export const CONTEXTS: readonly KeyContext[] = [...VIEWS.map((v) => v.kind), ...OVERLAYS];

export const CONTEXT_TITLES = {
  ...(Object.fromEntries(VIEWS.map((v) => [v.kind, v.title])) as Record<ViewKind, string>),
  help: 'Help',
  filter: 'Filter input',
  command: 'Command input',
  dialog: 'Action dialog',
} satisfies Record<KeyContext, string>;

export const MOVE_ACTIONS = ['down', 'up', 'top', 'bottom', 'pageDown', 'pageUp', 'halfPageDown', 'halfPageUp'] as const;
export type MoveAction = (typeof MOVE_ACTIONS)[number];

/** Actions the shell carries out (state/app.ts); the rest belong to the view that binds them. */
export type ShellAction =
  | MoveAction
  | 'back'
  | 'filter'
  | 'command'
  | 'help'
  | 'closeHelp'
  | 'scrollHelpDown'
  | 'scrollHelpUp'
  | 'quit'
  | 'submit'
  | 'cancel'
  | 'erase';

export type KeyAction = ShellAction | ViewKeyAction;

export interface KeyBinding extends Omit<ViewBinding<KeyAction>, 'contexts' | 'description'> {
  action: KeyAction;
  /** Fixed, or built for the role from another table (the `:` hint lists the commands the role may run). */
  description: string | ((role?: Role) => string);
  contexts: readonly KeyContext[];
  /** Who carries the action out: the shell, or the view whose model declared the key. */
  owner: 'shell' | ViewKind;
}

const ALL_VIEWS: readonly KeyContext[] = VIEWS.map((v) => v.kind);
const LIST_VIEWS: readonly KeyContext[] = VIEWS.filter((v) => v.list !== undefined).map((v) => v.kind);
const TYPING = ['filter', 'command'] as const;

function shell(keys: readonly string[], action: ShellAction, description: KeyBinding['description'], contexts: readonly KeyContext[], hint: boolean): KeyBinding {
  return { keys, action, description, contexts, hint, owner: 'shell' };
}

const MOVEMENT: readonly KeyBinding[] = [
  shell(['j', 'down'], 'down', 'move down', LIST_VIEWS, true),
  shell(['k', 'up'], 'up', 'move up', LIST_VIEWS, true),
  shell(['g', 'home'], 'top', 'go to the top', LIST_VIEWS, false),
  shell(['G', 'end'], 'bottom', 'go to the bottom', LIST_VIEWS, false),
  shell(['pgdn'], 'pageDown', 'page down', LIST_VIEWS, false),
  shell(['pgup'], 'pageUp', 'page up', LIST_VIEWS, false),
  shell(['ctrl+d'], 'halfPageDown', 'half a page down', LIST_VIEWS, false),
  shell(['ctrl+u'], 'halfPageUp', 'half a page up', LIST_VIEWS, false),
];

/** "command (:fleet, :cluster, :jobs, :q)": the verbs of the command table the role may use. */
function commandHint(role?: Role): string {
  return `command (${commandsFor(role).map((c) => `:${c.verbs[0] ?? ''}`).join(', ')})`;
}

const SHELL_KEYS: readonly KeyBinding[] = [
  shell([':'], 'command', commandHint, ALL_VIEWS, true),
  shell(['?'], 'help', 'show keys', ALL_VIEWS, true),
  shell(['esc', '?', 'q'], 'closeHelp', 'close help', ['help'], true),
  shell(['j', 'down', 'pgdn'], 'scrollHelpDown', 'scroll help down', ['help'], true),
  shell(['k', 'up', 'pgup'], 'scrollHelpUp', 'scroll help up', ['help'], true),
  shell(['enter'], 'submit', 'apply', TYPING, true),
  shell(['esc'], 'cancel', 'cancel (clears the filter)', TYPING, true),
  shell(['backspace'], 'erase', 'delete a character', TYPING, false),
  shell(['enter'], 'submit', 'next / confirm', ['dialog'], true),
  shell(['esc'], 'cancel', 'close without submitting', ['dialog'], true),
  shell(['backspace'], 'erase', 'delete a character', ['dialog'], false),
  shell(['q'], 'quit', 'quit', ALL_VIEWS, true),
  shell(['ctrl+c'], 'quit', 'quit', CONTEXTS, false),
];

function isContext(name: string): name is KeyContext {
  return (CONTEXTS as readonly string[]).includes(name);
}

function viewKeys(entries: boolean): KeyBinding[] {
  return VIEWS.flatMap((view) =>
    (view.bindings as readonly ViewBinding<KeyAction>[])
      .filter((b) => (b.contexts !== undefined) === entries)
      .map((b) => {
        const contexts = b.contexts ?? [view.kind];
        const unknown = contexts.find((c) => !isContext(c));
        // A model naming a view that is not registered is a programming error; fail at start-up, not on a key.
        if (unknown !== undefined) throw new Error(`view ${view.kind}: key ${b.keys.join('/')} names the unknown view "${unknown}"`);
        return { ...b, contexts: contexts as KeyContext[], owner: view.kind };
      }),
  );
}

/** Movement first, then the keys into other views (J), each view's own keys, and the shell's. */
export const KEYMAP: readonly KeyBinding[] = [...MOVEMENT, ...viewKeys(true), ...viewKeys(false), ...SHELL_KEYS];

export function describeBinding(binding: KeyBinding, role?: Role): string {
  return typeof binding.description === 'string' ? binding.description : binding.description(role);
}

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
  leftArrow?: boolean;
  rightArrow?: boolean;
}

export function keyName(input: string, key: KeyFlags): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
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
  if (input === ' ') return 'space';
  return input.length > 0 ? input : null;
}

/** With a role, bindings whose call the role may not make are left out; without one (docs, tests of the table) every binding counts. */
export function allowedFor(binding: KeyBinding, role?: Role): boolean {
  return role === undefined || binding.needs === undefined || can(role, binding.needs);
}

export function lookupKey(name: string, context: KeyContext, role?: Role): KeyBinding | undefined {
  return KEYMAP.find((b) => b.contexts.includes(context) && b.keys.includes(name) && allowedFor(b, role));
}

/** The binding of an action in a context: what the reducer checks before it carries the action out. */
export function bindingFor(action: KeyAction, context: KeyContext): KeyBinding | undefined {
  return KEYMAP.find((b) => b.action === action && b.contexts.includes(context));
}

export function hintsFor(context: KeyContext, role?: Role): { keys: string; description: string }[] {
  return KEYMAP.filter((b) => b.hint && b.contexts.includes(context) && allowedFor(b, role)).map((b) => ({ keys: b.keys.join('/'), description: describeBinding(b, role) }));
}

/** Action keys that work on the given target, for the hint beside a section or a list. */
export function actionHints(target: NonNullable<KeyBinding['target']>, context: KeyContext, role: Role): { keys: string; description: string }[] {
  return KEYMAP.filter((b) => b.target === target && b.contexts.includes(context) && allowedFor(b, role)).map((b) => ({ keys: b.keys.join('/'), description: b.short ?? b.action }));
}

function groupTitle(contexts: readonly KeyContext[]): string {
  if (CONTEXTS.every((c) => contexts.includes(c))) return 'Everywhere';
  return contexts.map((c) => CONTEXT_TITLES[c]).join(' & ');
}

/**
 * Help entries grouped by the set of views they work in, in keymap order. A key that does the same
 * in several views (esc back in the jobs list and in a job) is listed once, under all of them.
 */
export function helpGroups(role?: Role): { title: string; entries: { keys: string; description: string }[] }[] {
  const merged = new Map<string, { keys: string; description: string; contexts: KeyContext[] }>();
  for (const b of KEYMAP.filter((x) => allowedFor(x, role))) {
    const entry = { keys: b.keys.join(' '), description: describeBinding(b, role) };
    // The shell declares each of its keys once already; only views repeat one another's.
    const id = b.owner === 'shell' ? `shell|${merged.size}` : `${b.action}|${entry.keys}|${entry.description}`;
    const seen = merged.get(id);
    if (seen) seen.contexts.push(...b.contexts.filter((c) => !seen.contexts.includes(c)));
    else merged.set(id, { ...entry, contexts: [...b.contexts] });
  }
  const groups = new Map<string, { title: string; entries: { keys: string; description: string }[] }>();
  for (const { contexts, ...entry } of merged.values()) {
    const title = groupTitle(contexts);
    const group = groups.get(title) ?? { title, entries: [] };
    group.entries.push(entry);
    groups.set(title, group);
  }
  return [...groups.values()];
}
