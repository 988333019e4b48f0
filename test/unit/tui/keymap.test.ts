import { describe, expect, it } from 'vitest';
import { CONTEXTS, KEYMAP, helpGroups, hintsFor, keyName, lookupKey, type KeyAction, type KeyFlags } from '../../../tui/keymap.js';
import { actionForKey, actionsForInput } from '../../../tui/input.js';
import { connectedState, apply } from './helpers.js';

const ALL_ACTIONS: KeyAction[] = [
  'down', 'up', 'top', 'bottom', 'pageDown', 'pageUp', 'halfPageDown', 'halfPageUp', 'drill', 'back', 'clearFilter',
  'filter', 'command', 'help', 'closeHelp', 'nextSection', 'sort', 'quit', 'submit', 'cancel', 'erase',
];

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };

describe('keymap', () => {
  it('binds every action to at least one key with a description', () => {
    for (const action of ALL_ACTIONS) {
      const bindings = KEYMAP.filter((b) => b.action === action);
      expect(bindings.length, action).toBeGreaterThan(0);
      for (const b of bindings) {
        expect(b.keys.length).toBeGreaterThan(0);
        expect(b.description.length).toBeGreaterThan(0);
        expect(b.contexts.length).toBeGreaterThan(0);
      }
    }
  });

  it('binds no key twice in one context', () => {
    for (const context of CONTEXTS) {
      const seen = new Map<string, string>();
      for (const b of KEYMAP.filter((x) => x.contexts.includes(context))) {
        for (const k of b.keys) {
          expect(seen.get(k), `${k} in ${context}`).toBeUndefined();
          seen.set(k, b.action);
        }
      }
    }
  });

  it('lists every binding in the help, once', () => {
    const listed = helpGroups().flatMap((g) => g.entries.map((e) => `${e.keys}|${e.description}`));
    expect(listed.sort()).toEqual(KEYMAP.map((b) => `${b.keys.join(' ')}|${b.description}`).sort());
  });

  it('derives footer hints per context from the same table', () => {
    expect(hintsFor('fleet').map((h) => h.keys)).toEqual(expect.arrayContaining(['j/down', 'enter', '/', '?', 'q']));
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
    expect(keyName('', NO_KEY)).toBeNull();
    expect(lookupKey('G', 'fleet')?.action).toBe('bottom');
    expect(lookupKey('esc', 'help')?.action).toBe('closeHelp');
  });
});

describe('input', () => {
  it('looks keys up in the current context', () => {
    const fleet = connectedState();
    expect(actionForKey(fleet, 'j', NO_KEY)).toEqual({ type: 'key', action: 'down' });
    expect(actionForKey(fleet, '', { ...NO_KEY, return: true })).toEqual({ type: 'key', action: 'drill' });
    expect(actionForKey(fleet, 'x', NO_KEY)).toBeNull();
    const help = apply(fleet, { type: 'key', action: 'help' });
    expect(actionForKey(help, 'q', NO_KEY)).toEqual({ type: 'key', action: 'closeHelp' });
  });

  it('sends printable keys to the text being typed, even ones bound elsewhere', () => {
    const typing = apply(connectedState(), { type: 'key', action: 'filter' });
    expect(actionForKey(typing, 'q', NO_KEY)).toEqual({ type: 'input/text', text: 'q' });
    expect(actionForKey(typing, 'j', NO_KEY)).toEqual({ type: 'input/text', text: 'j' });
    expect(actionForKey(typing, '', { ...NO_KEY, escape: true })).toEqual({ type: 'key', action: 'cancel' });
    expect(actionForKey(typing, 'c', { ...NO_KEY, ctrl: true })).toEqual({ type: 'key', action: 'quit' });
  });

  it('takes several characters read at once one key at a time', () => {
    const fleet = connectedState();
    const actions = actionsForInput(fleet, '/prod', NO_KEY);
    expect(actions).toEqual([
      { type: 'key', action: 'filter' },
      { type: 'input/text', text: 'p' },
      { type: 'input/text', text: 'r' },
      { type: 'input/text', text: 'o' },
      { type: 'input/text', text: 'd' },
    ]);
    const filtered = apply(fleet, ...actions);
    expect(filtered.input?.text).toBe('prod');
    const applied = apply(fleet, ...actionsForInput(fleet, '/prod\r', NO_KEY));
    expect(applied.input).toBeNull();
    expect(applied.filter).toBe('prod');
    expect(actionsForInput(fleet, 'jj', NO_KEY)).toEqual([{ type: 'key', action: 'down' }, { type: 'key', action: 'down' }]);
  });

  it('keeps a named or modified key whole', () => {
    const fleet = connectedState();
    expect(actionsForInput(fleet, '', { ...NO_KEY, return: true })).toEqual([{ type: 'key', action: 'drill' }]);
    expect(actionsForInput(fleet, 'xyz', { ...NO_KEY, meta: true })).toEqual([]);
  });
});
