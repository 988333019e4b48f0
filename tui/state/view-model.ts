// The contract every console view implements (fleet, cluster, jobs, job; logs next). A view model is
// its own slice of the state, its keys, its `:` commands and its paging, as data and pure functions
// over that slice. The shell (state/app.ts) keeps the stack of open views and routes keys, commands
// and data to the model that owns them; views/registry.ts lists the models. Pure: no Ink, no I/O.
import type { Role } from '../../core/roles.js';
import type { GatedAction } from '../access.js';
import type { CallOutcome, ViewCallMethod } from './calls.js';
import type { ConnectionState } from './connection.js';
import type { FleetState } from './fleet.js';
import type { SpecResult } from './job-actions.js';
import type { JobsState } from './jobs.js';
import type { Viewport } from './layout.js';

/** What a view may read besides its own slice: the clock, the screen, the link and the shared topics. */
export interface ViewContext {
  now: number;
  viewport: Viewport;
  conn: ConnectionState;
  /** Who the daemon said we are; a viewer until the first hello. */
  role: Role;
  fleet: FleetState;
  jobs: JobsState;
}

/** What the view on top is about, handed to the view opened from it: jobs opened from a cluster start filtered to it. */
export interface Scope {
  cluster?: string;
  /** The workload under the cursor of a cluster view, so logs opened from it show that workload's pods. */
  workload?: { namespace: string; name: string };
  /** The fleet's: the row under the cursor and the rows marked with space, for a view that shows several clusters at once (metrics). */
  fleet?: { selected: string | null; marked: readonly string[] };
}

/** A topic a view follows: its name, or its name with the subscribe frame's query (the logs topic). */
export type TopicWant = string | { topic: string; query: string };

/**
 * A daemon call a view makes for its own data (an older page of logs, a line's context). The shell
 * queues it like any call and hands the answer back to the view's `answer`, with `ref`, which the
 * view chooses so it can tell a current answer from a stale one.
 */
export interface ViewCall {
  method: ViewCallMethod;
  params: Record<string, unknown>;
  ref: string;
}

export interface Message {
  text: string;
  level: 'info' | 'error';
}

/** Shell actions a view binds under its own key and description; the shell carries them out. */
export const VIEW_SHELL_ACTIONS = ['back', 'filter'] as const;
export type ViewShellAction = (typeof VIEW_SHELL_ACTIONS)[number];

export interface ViewBinding<A extends string> {
  /** Normalised key names: a printable character, or down, up, left, right, pgdn, pgup, home, end, enter, esc, tab, space, backspace, ctrl+X. */
  keys: readonly string[];
  action: A | ViewShellAction;
  description: string;
  /** Shown in the footer where the key works. */
  hint: boolean;
  /** The daemon call the action leads to; roles that may not make it never see or trigger the key. */
  needs?: GatedAction;
  /** What the action works on, so a view can show the actions that apply to what is selected. */
  target?: 'workload' | 'node' | 'job';
  /** The word shown beside the key in those target hints. */
  short?: string;
  /** The views a key into this one works from (J from fleet and cluster); without it the key works in this view. */
  contexts?: readonly string[];
}

/** What a key did to the view, and what the shell should do next. */
export interface ViewUpdate<S> {
  slice?: S;
  /** Open a view (by kind) with its argument: drill into a cluster, show a job. */
  open?: { view: string; arg?: string };
  /** The confirmation dialog to open, or why the action does not apply here. */
  dialog?: SpecResult;
  message?: Message;
  /** The list changed order or content: the cursor follows the selected item instead of its index. */
  follow?: boolean;
}

/** What the `/` input does on enter in a view whose filter is applied only then (the logs query). */
export type FilterSubmit<S> = { ok: true; slice: S } | { ok: false; slice: S; error: string };

export interface KeyHandler<S> {
  run(slice: S, ctx: ViewContext): ViewUpdate<S>;
}

/** A `:` command that opens the view. */
export interface ViewCommand {
  /** The words that run it; the first is the one the `:` hint shows. */
  verbs: readonly string[];
  usage: string;
  description: string;
  needs?: GatedAction;
  /** The argument the view opens with, or what is wrong with the words after the verb. */
  parse(args: readonly string[]): { ok: true; arg?: string } | { ok: false; error: string };
}

/** A view with a cursor over a list: the shell's movement keys (j/k, g/G, pages) work in it. */
export interface ListSpec<S> {
  /** Items on one page, for page and half-page moves. */
  page(slice: S, ctx: ViewContext): number;
  /** The cursor moved by delta; normalize brings it back into the list. */
  move(slice: S, delta: number): S;
}

/** A view with a `/` filter the shell's filter input edits live. */
export interface FilterSpec<S> {
  text(slice: S): string;
  set(slice: S, text: string): S;
  /** Tokens that can match nothing (a misspelt state), said when the filter is applied. */
  problems(text: string): string[];
  counts(slice: S, ctx: ViewContext): { shown: number; total: number };
  /** Enter: without it the live text stays as typed; an error keeps the input open with the reason. */
  submit?(slice: S, text: string): FilterSubmit<S>;
  /** Esc: without it the filter is cleared. */
  cancel?(slice: S): S;
  /** Said after the kept filter on the prompt line; `esc clears` without it. */
  keptHint?: string;
}

export type OpenResult<S> = { ok: true; slice: S } | { ok: false; error: string };

/**
 * One view. K is its kind (the key context and the `open` name), S its slice, A the actions of its
 * own keys (each has a handler in `keys`), D the data actions its `reduce` takes (its topic's frames).
 */
export interface ViewModel<K extends string, S, A extends string, D extends { type: string } = never> {
  kind: K;
  /** Names the view in the help. */
  title: string;
  /** The views this one may be opened on top of; opening it closes the others above the root. */
  over: readonly string[];
  initial(): S;
  /** Called each time the view is opened, from the slice it had; may refuse with the reason. */
  open(slice: S, arg: string | undefined, ctx: ViewContext, from: Scope): OpenResult<S>;
  /** The slice to keep once the view leaves the stack; without it the slice is kept as it is. */
  close?(slice: S): S;
  bindings: readonly ViewBinding<A>[];
  keys: { readonly [P in A]: KeyHandler<S> };
  commands?: readonly ViewCommand[];
  list?: ListSpec<S>;
  filter?: FilterSpec<S>;
  /** Keeps cursor and scroll in range after any change; returns the same slice when nothing moved. */
  normalize?(slice: S, ctx: ViewContext, follow: boolean): S;
  scope?(slice: S): Scope;
  /**
   * The WebSocket topics the view needs while it is open; `top` says whether it is the view on screen
   * (a view with panes follows their topics only while they are seen).
   */
  topics?(slice: S, ctx: ViewContext, top: boolean): readonly TopicWant[];
  actionTypes?: readonly D['type'][];
  reduce?(slice: S, action: D, ctx: ViewContext): S;
  /**
   * The calls the view needs made now (asked after every change while it is open), with its slice
   * marking them on their way so the next ask does not repeat them; `top` as for `topics`.
   */
  wants?(slice: S, ctx: ViewContext, top: boolean): { slice: S; calls: readonly ViewCall[] };
  /** The daemon's answer to a call from `wants`. */
  answer?(slice: S, ref: string, outcome: CallOutcome, ctx: ViewContext): ViewUpdate<S>;
}

/** Any view, with its slice type erased: what the shell iterates over. Each model only ever gets its own slice. */
export type AnyViewModel = ViewModel<string, unknown, string, { type: string }>;

export type SliceOf<M> = M extends ViewModel<string, infer S, string, { type: string }> ? S : never;
export type ActionOf<M> = M extends ViewModel<string, unknown, infer A, { type: string }> ? A : never;
export type DataActionOf<M> = M extends ViewModel<string, unknown, string, infer D> ? D : never;
