// The keymap table checked against itself: every case comes from KEYMAP, the command table and the
// view registry, so a key added to any view is covered without touching this file.
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../../core/roles.js';
import { CONTEXTS, CONTEXT_TITLES, KEYMAP, MOVE_ACTIONS, allowedFor, describeBinding, helpGroups, hintsFor, keyName, lookupKey, type KeyContext, type KeyFlags } from '../../../tui/keymap.js';
import { handlesKey } from '../../../tui/state/app.js';
import { COMMANDS, commandsFor } from '../../../tui/state/commands.js';
import { VIEWS } from '../../../tui/views/registry.js';
import { Footer } from '../../../tui/views/Footer.js';
import { makeTheme, ThemeContext } from '../../../tui/views/theme.js';
import { renderAt, track, unmountAll } from './helpers.js';

afterEach(unmountAll);

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };
const ROLES_AND_NONE: (Role | undefined)[] = [undefined, ...ROLES];

function footerText(context: KeyContext, role: Role): string {
  const tree = createElement(ThemeContext.Provider, { value: makeTheme(false) }, createElement(Footer, { context, role }));
  // Wide enough that nothing is truncated: the test is about what the footer says, not what fits.
  return track(renderAt(tree, 2000, 5)).lastFrame();
}

describe('keymap table', () => {
  it('gives every binding keys, a description and contexts that exist', () => {
    for (const b of KEYMAP) {
      expect(b.keys.length, b.action).toBeGreaterThan(0);
      for (const role of ROLES_AND_NONE) expect(describeBinding(b, role).length, b.action).toBeGreaterThan(0);
      expect(b.contexts.length, b.action).toBeGreaterThan(0);
      for (const c of b.contexts) expect(CONTEXTS, `${b.action} in ${c}`).toContain(c);
    }
  });

  it('has a handler for every binding in every context it is bound in', () => {
    for (const b of KEYMAP) for (const c of b.contexts) expect(handlesKey(c, b), `${b.keys.join('/')} (${b.action}) in ${c}`).toBe(true);
  });

  it('binds no key twice in one context, for any role', () => {
    for (const role of ROLES_AND_NONE) {
      for (const context of CONTEXTS) {
        const keys = KEYMAP.filter((b) => b.contexts.includes(context) && allowedFor(b, role)).flatMap((b) => b.keys);
        expect(keys.filter((k, i) => keys.indexOf(k) !== i), `${context} as ${role ?? 'anyone'}`).toEqual([]);
      }
    }
  });

  it('looks every key of every binding up to that binding', () => {
    for (const b of KEYMAP) for (const c of b.contexts) for (const k of b.keys) expect(lookupKey(k, c), `${k} in ${c}`).toBe(b);
  });

  it('lists every binding in the help, under the views it works in', () => {
    const covers = (title: string, contexts: readonly KeyContext[]) => title === 'Everywhere' || contexts.every((c) => title.split(' & ').includes(CONTEXT_TITLES[c]));
    for (const role of ROLES_AND_NONE) {
      const groups = helpGroups(role);
      for (const b of KEYMAP.filter((x) => allowedFor(x, role))) {
        const entry = { keys: b.keys.join(' '), description: describeBinding(b, role) };
        const holding = groups.filter((g) => g.entries.some((e) => e.keys === entry.keys && e.description === entry.description) && covers(g.title, b.contexts));
        expect(holding.length, `${entry.keys} ${entry.description} in ${b.contexts.join(', ')}`).toBeGreaterThan(0);
      }
      for (const g of groups) {
        const listed = g.entries.map((e) => `${e.keys}|${e.description}`);
        expect(new Set(listed).size, g.title).toBe(listed.length);
      }
    }
  });

  it('lists a key that does the same in several views once, under all of them', () => {
    const jobsBack = helpGroups().find((g) => g.entries.some((e) => e.keys === 'esc' && e.description === 'back'));
    expect(jobsBack?.title).toBe('Cluster detail & Jobs & Job detail & Logs & Pipeline & Metrics & Audit');
    expect(helpGroups().flatMap((g) => g.entries).filter((e) => e.keys === 'c' && e.description === 'cancel the selected job')).toHaveLength(1);
  });

  it('draws the footer of every context from the table, hints only, in table order', () => {
    for (const role of ROLES) {
      for (const context of CONTEXTS) {
        const frame = footerText(context, role);
        const bound = KEYMAP.filter((b) => b.contexts.includes(context) && allowedFor(b, role));
        const expected = bound.filter((b) => b.hint).map((b) => `${b.keys.join('/')} ${describeBinding(b, role)}`);
        expect(frame.trim(), `${context} as ${role}`).toBe(expected.join('  '));
        expect(hintsFor(context, role).map((h) => `${h.keys} ${h.description}`)).toEqual(expected);
      }
    }
  });

  it('gives the movement keys to every view with a list, and the :, ? and q keys to every view', () => {
    for (const view of VIEWS) {
      const actions = KEYMAP.filter((b) => b.contexts.includes(view.kind)).map((b) => b.action);
      for (const move of MOVE_ACTIONS) expect(actions.includes(move), `${move} in ${view.kind}`).toBe('list' in view);
      expect(actions).toEqual(expect.arrayContaining(['command', 'help', 'quit']));
    }
  });

  it('names in the : hint every command the role may run, from the command table', () => {
    const colon = KEYMAP.find((b) => b.action === 'command')!;
    for (const role of ROLES) {
      const hint = describeBinding(colon, role);
      for (const c of COMMANDS) expect(hint.includes(`:${c.verbs[0]}`), `:${c.verbs[0]} for ${role}`).toBe(commandsFor(role).includes(c));
    }
    expect(describeBinding(colon, 'viewer')).toBe('command (:fleet, :cluster, :jobs, :logs, :pipeline, :metrics, :audit, :q)');
    expect(describeBinding(colon, 'operator')).toBe('command (:fleet, :cluster, :jobs, :logs, :pipeline, :metrics, :audit, :run, :q)');
  });

  it('hints what each context needs: movement and drilling in the fleet, sections in a cluster, apply and cancel while typing', () => {
    expect(hintsFor('fleet').map((h) => h.keys)).toEqual(expect.arrayContaining(['j/down', 'enter', 'J', '/', '?', 'q']));
    expect(hintsFor('cluster').map((h) => h.keys)).toContain('tab');
    expect(hintsFor('cluster').map((h) => h.keys)).not.toContain('/');
    expect(hintsFor('filter').map((h) => h.description)).toEqual(['apply', 'cancel (clears the filter)']);
  });

  it('names keys the way the table spells them', () => {
    expect(keyName('', { ...NO_KEY, downArrow: true })).toBe('down');
    expect(keyName('', { ...NO_KEY, escape: true })).toBe('esc');
    expect(keyName('', { ...NO_KEY, delete: true })).toBe('backspace');
    expect(keyName('d', { ...NO_KEY, ctrl: true })).toBe('ctrl+d');
    expect(keyName('G', NO_KEY)).toBe('G');
    expect(keyName(' ', NO_KEY)).toBe('space');
    expect(keyName('', { ...NO_KEY, leftArrow: true })).toBe('left');
    expect(keyName('', { ...NO_KEY, rightArrow: true })).toBe('right');
    expect(keyName('', NO_KEY)).toBeNull();
    expect(lookupKey('G', 'fleet')?.action).toBe('bottom');
    expect(lookupKey('esc', 'help')?.action).toBe('closeHelp');
  });
});
