import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../core/roles.js';
import { actionForKey } from '../../../tui/input.js';
import { actionHints, CONTEXTS, helpGroups, hintsFor, KEYMAP, lookupKey, type KeyFlags } from '../../../tui/keymap.js';
import { apply } from './helpers.js';
import { jobsState } from './jobs-helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };
const ACTION_KEYS = KEYMAP.filter((b) => b.role !== undefined);

describe('keymap with jobs and actions', () => {
  it('binds no key twice in one context, for any role', () => {
    for (const role of ROLES) {
      for (const context of CONTEXTS) {
        const keys = KEYMAP.filter((b) => b.contexts.includes(context) && (b.role === undefined || role !== 'viewer')).flatMap((b) => b.keys);
        expect(new Set(keys).size, `${context} as ${role}`).toBe(keys.length);
      }
    }
  });

  it('gives viewers no action in any context: not in lookup, footer, help or hints', () => {
    expect(ACTION_KEYS.map((b) => b.action).sort()).toEqual(['backup', 'cancelJob', 'cordon', 'drain', 'restart', 'scale', 'uncordon']);
    for (const context of CONTEXTS) {
      for (const b of ACTION_KEYS) for (const k of b.keys) expect(lookupKey(k, context, 'viewer')?.role, `${k} in ${context}`).toBeUndefined();
      const described = hintsFor(context, 'viewer').map((h) => h.description);
      for (const b of ACTION_KEYS) expect(described).not.toContain(b.description);
    }
    const help = helpGroups('viewer').flatMap((g) => g.entries.map((e) => e.description));
    for (const b of ACTION_KEYS) expect(help).not.toContain(b.description);
    expect(actionHints('workload', 'cluster', 'viewer')).toEqual([]);
    expect(actionHints('node', 'cluster', 'viewer')).toEqual([]);
    expect(actionHints('job', 'jobs', 'viewer')).toEqual([]);
  });

  it('gives operators and admins the actions where they apply', () => {
    expect(lookupKey('d', 'cluster', 'operator')?.action).toBe('drain');
    expect(lookupKey('c', 'cluster', 'admin')?.action).toBe('cordon');
    expect(lookupKey('c', 'jobs', 'operator')?.action).toBe('cancelJob');
    expect(lookupKey('c', 'job', 'operator')?.action).toBe('cancelJob');
    expect(actionHints('workload', 'cluster', 'operator').map((h) => h.keys)).toEqual(['s', 'r', 'b']);
    expect(actionHints('node', 'cluster', 'operator').map((h) => h.keys)).toEqual(['c', 'u', 'd']);
    expect(hintsFor('dialog', 'operator').map((h) => h.description)).toEqual(['next / confirm', 'close without submitting']);
  });

  it('routes keys by role: a viewer pressing d gets nothing, an operator a drain', () => {
    const viewer = apply(jobsState('viewer'), { type: 'key', action: 'drill' });
    const operator = apply(jobsState('operator'), { type: 'key', action: 'drill' });
    expect(actionForKey(viewer, 'd', NO_KEY)).toBeNull();
    expect(actionForKey(operator, 'd', NO_KEY)).toEqual({ type: 'key', action: 'drain' });
    expect(actionForKey(operator, 'J', NO_KEY)).toEqual({ type: 'key', action: 'jobs' });
    expect(actionForKey(viewer, 'J', NO_KEY)).toEqual({ type: 'key', action: 'jobs' });
  });

  it('sends printable keys to an open dialog, even ones bound elsewhere', () => {
    const dialog = apply(jobsState('operator'), { type: 'key', action: 'jobs' }, { type: 'key', action: 'cancelJob' });
    expect(actionForKey(dialog, 'q', NO_KEY)).toEqual({ type: 'input/text', text: 'q' });
    expect(actionForKey(dialog, '', { ...NO_KEY, return: true })).toEqual({ type: 'key', action: 'submit' });
    expect(actionForKey(dialog, '', { ...NO_KEY, escape: true })).toEqual({ type: 'key', action: 'cancel' });
  });

  it('treats an unknown role (before the first hello) as a viewer', () => {
    const before = apply(jobsState('operator'), { type: 'key', action: 'drill' });
    expect(actionForKey({ ...before, role: null }, 'd', NO_KEY)).toBeNull();
  });
});
