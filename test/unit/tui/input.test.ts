import { describe, expect, it } from 'vitest';
import { actionForKey, actionsForInput } from '../../../tui/input.js';
import type { KeyFlags } from '../../../tui/keymap.js';
import { apply, connectedState } from './helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };

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
    expect(applied.view.fleet.filter).toBe('prod');
    expect(actionsForInput(fleet, 'jj', NO_KEY)).toEqual([{ type: 'key', action: 'down' }, { type: 'key', action: 'down' }]);
  });

  it('keeps a named or modified key whole', () => {
    const fleet = connectedState();
    expect(actionsForInput(fleet, '', { ...NO_KEY, return: true })).toEqual([{ type: 'key', action: 'drill' }]);
    expect(actionsForInput(fleet, 'xyz', { ...NO_KEY, meta: true })).toEqual([]);
  });
});
