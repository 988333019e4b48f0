// Role gating, derived from the tables: a key or command that leads to a daemon call a role may not
// make is hidden from that role everywhere (lookup, footer, help, target hints) and does nothing if
// its action arrives anyway. The cases come from KEYMAP and COMMANDS, not from a list in this file.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../core/roles.js';
import { can, requiredRole } from '../../../tui/access.js';
import { actionForKey } from '../../../tui/input.js';
import { actionHints, describeBinding, helpGroups, hintsFor, KEYMAP, lookupKey, type KeyAction, type KeyContext, type KeyFlags } from '../../../tui/keymap.js';
import { keyContext, reduce, type Action, type AppState } from '../../../tui/state/app.js';
import { COMMANDS, commandsFor, parseCommand } from '../../../tui/state/commands.js';
import { helpLines } from '../../../tui/render/help.js';
import { DETAIL, apply } from './helpers.js';
import { jobsState } from './jobs-helpers.js';
import { records, snapshot } from './logs-helpers.js';
import { snapshotFrame } from './metrics-helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };
const GATED = KEYMAP.filter((b) => b.needs !== undefined);
const key = (action: KeyAction): Action => ({ type: 'key', action });

/** How to get to each view from the fleet, with something to act on in it. */
const REACH: Partial<Record<KeyContext, Action[]>> = {
  fleet: [],
  cluster: [key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, key('nextSection')],
  jobs: [key('jobs')],
  job: [key('jobs'), key('openJob')],
  logs: [key('logs'), snapshot('', records(1, 5))],
  // the live hour's snapshot of the selected cluster (the worst: prod-us-1), so L has a time to open the logs at
  metrics: [key('metrics'), snapshotFrame('prod-us-1')],
};

function reached(role: (typeof ROLES)[number], context: KeyContext): AppState {
  const steps = REACH[context];
  if (!steps) throw new Error(`the test does not know how to open the ${context} view; add it to REACH`);
  const s = apply(jobsState(role), ...steps);
  expect(keyContext(s)).toBe(context);
  return s;
}

describe('role gating from the keymap', () => {
  it('has gated keys, and only on calls the console makes', () => {
    expect(GATED.length).toBeGreaterThan(0);
    for (const b of GATED) expect(['job.submit', 'job.cancel', 'log.read']).toContain(b.needs);
  });

  it('shows and looks up a gated key exactly for the roles that may make its call', () => {
    for (const role of ROLES) {
      const help = helpGroups(role).flatMap((g) => g.entries.map((e) => `${e.keys}|${e.description}`));
      for (const b of GATED) {
        const allowed = can(role, b.needs!);
        for (const c of b.contexts) {
          for (const k of b.keys) expect(lookupKey(k, c, role) === b, `${k} in ${c} as ${role}`).toBe(allowed);
          expect(hintsFor(c, role).some((h) => h.keys === b.keys.join('/') && h.description === describeBinding(b, role)), `${b.action} hint in ${c} as ${role}`).toBe(allowed);
          if (b.target) expect(actionHints(b.target, c, role).some((h) => h.description === b.short), `${b.action} target hint in ${c} as ${role}`).toBe(allowed);
        }
        expect(help.includes(`${b.keys.join(' ')}|${describeBinding(b, role)}`), `${b.action} in help as ${role}`).toBe(allowed);
      }
    }
  });

  it('does nothing with a gated action a role may not use, even if it arrives', () => {
    for (const role of ROLES) {
      for (const b of GATED.filter((x) => !can(role, x.needs!))) {
        for (const c of b.contexts) {
          const s = reached(role, c);
          expect(reduce(s, { type: 'key', action: b.action }), `${b.action} in ${c} as ${role}`).toBe(s);
        }
      }
    }
  });

  it('carries out a gated action for a role that may: each opens its dialog or its view, or says why not', () => {
    for (const b of GATED) {
      for (const c of b.contexts) {
        const s = reached('operator', c);
        const next = reduce(s, { type: 'key', action: b.action });
        expect(next.dialog !== null || next.message?.level === 'error' || next.stack.length > s.stack.length, `${b.action} in ${c}`).toBe(true);
      }
    }
  });

  it('hides a gated command from the help and the unknown-command list, and refuses it with the role it needs', () => {
    for (const role of ROLES) {
      const usages = helpLines(role).flatMap((l) => (l.kind === 'entry' ? [l.keys] : []));
      for (const c of COMMANDS) {
        const allowed = c.needs === undefined || can(role, c.needs);
        expect(usages.includes(c.usage), `${c.usage} in help as ${role}`).toBe(allowed);
        expect(commandsFor(role).includes(c)).toBe(allowed);
        if (!allowed) expect(parseCommand(`:${c.verbs[0]}`, role)).toEqual({ kind: 'error', message: `:${c.verbs[0]} needs the ${requiredRole(c.needs!)} role; this token is ${role}` });
      }
      const unknown = parseCommand(':nonsense', role);
      expect(unknown.kind === 'error' && unknown.message).toBe(`unknown command "nonsense" — commands: ${commandsFor(role).map((c) => c.usage).join(', ')}`);
    }
  });
});

describe('keys by role', () => {
  it('gives operators and admins the actions where they apply', () => {
    expect(lookupKey('d', 'cluster', 'operator')?.action).toBe('drain');
    expect(lookupKey('c', 'cluster', 'admin')?.action).toBe('cordon');
    expect(lookupKey('c', 'jobs', 'operator')?.action).toBe('cancelJob');
    expect(lookupKey('c', 'job', 'operator')?.action).toBe('cancelJob');
    expect(actionHints('workload', 'cluster', 'operator').map((h) => h.keys)).toEqual(['s', 'r', 'b']);
    expect(actionHints('node', 'cluster', 'operator').map((h) => h.keys)).toEqual(['c', 'u', 'd']);
    expect(hintsFor('dialog', 'operator').map((h) => h.description)).toEqual(['next / confirm', 'close without submitting']);
    expect(actionHints('job', 'jobs', 'viewer')).toEqual([]);
  });

  it('routes keys by role: a viewer pressing d gets nothing, an operator a drain', () => {
    const viewer = apply(jobsState('viewer'), key('drill'));
    const operator = apply(jobsState('operator'), key('drill'));
    expect(actionForKey(viewer, 'd', NO_KEY)).toBeNull();
    expect(actionForKey(operator, 'd', NO_KEY)).toEqual({ type: 'key', action: 'drain' });
    expect(actionForKey(operator, 'J', NO_KEY)).toEqual({ type: 'key', action: 'jobs' });
    expect(actionForKey(viewer, 'J', NO_KEY)).toEqual({ type: 'key', action: 'jobs' });
  });

  it('sends printable keys to an open dialog, even ones bound elsewhere', () => {
    const dialog = apply(jobsState('operator'), key('jobs'), key('cancelJob'));
    expect(actionForKey(dialog, 'q', NO_KEY)).toEqual({ type: 'input/text', text: 'q' });
    expect(actionForKey(dialog, '', { ...NO_KEY, return: true })).toEqual({ type: 'key', action: 'submit' });
    expect(actionForKey(dialog, '', { ...NO_KEY, escape: true })).toEqual({ type: 'key', action: 'cancel' });
  });

  it('treats an unknown role (before the first hello) as a viewer', () => {
    const before = apply(jobsState('operator'), key('drill'));
    expect(actionForKey({ ...before, role: null }, 'd', NO_KEY)).toBeNull();
  });
});
