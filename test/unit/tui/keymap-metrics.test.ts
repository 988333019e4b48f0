// The metrics view's keys from the keymap table: M from the fleet and from a cluster for every role,
// `:metrics`, space marking fleet rows, and the view's own keys (h/l and the arrows, [ ], 1 6 2 7, L,
// esc) in its footer and the help, none of them taken from another view.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../core/roles.js';
import { actionForKey, actionsForInput } from '../../../tui/input.js';
import { helpGroups, hintsFor, lookupKey, type KeyFlags } from '../../../tui/keymap.js';
import { keyContext, topView } from '../../../tui/state/app.js';
import { commandsFor, parseCommand } from '../../../tui/state/commands.js';
import { apply, key } from './helpers.js';
import { jobsState } from './jobs-helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };

describe('metrics keys', () => {
  it('opens the metrics with M from the fleet and from a cluster, for every role', () => {
    for (const role of ROLES) {
      const fleet = jobsState(role);
      const cluster = apply(fleet, key('drill'));
      expect(keyContext(cluster)).toBe('cluster');
      for (const s of [fleet, cluster]) {
        expect(actionForKey(s, 'M', NO_KEY), role).toEqual({ type: 'key', action: 'metrics' });
        expect(keyContext(apply(s, key('metrics')))).toBe('metrics');
      }
    }
  });

  it('binds M only where it opens the view, and hints it there', () => {
    expect(lookupKey('M', 'fleet')?.action).toBe('metrics');
    expect(lookupKey('M', 'cluster')?.action).toBe('metrics');
    for (const c of ['metrics', 'pipeline', 'jobs', 'logs', 'help', 'filter'] as const) expect(lookupKey('M', c), c).toBeUndefined();
    expect(hintsFor('fleet').map((h) => h.keys)).toContain('M');
    expect(hintsFor('cluster').map((h) => h.keys)).toContain('M');
  });

  it('marks and unmarks fleet rows with space, and types a space in the filter and the command line', () => {
    const s = jobsState('viewer');
    expect(actionForKey(s, ' ', NO_KEY)).toEqual({ type: 'key', action: 'mark' });
    const marked = apply(s, key('mark'));
    const name = s.view.fleet.selected!;
    expect(marked.view.fleet.marked).toEqual([name]);
    expect(marked.message).toEqual({ text: `${name} marked · 1 marked: M overlays their metrics`, level: 'info' });
    const unmarked = apply(marked, key('mark'));
    expect(unmarked.view.fleet.marked).toEqual([]);
    expect(unmarked.message?.text).toBe(`${name} unmarked`);
    expect(hintsFor('fleet').map((h) => h.keys)).toContain('space');
    const typing = apply(s, key('command'));
    expect(actionsForInput(typing, 'metrics a b', NO_KEY).filter((a) => a.type === 'input/text')).toHaveLength(11);
    expect(lookupKey('space', 'cluster')).toBeUndefined();
  });

  it("gives the view its cursor, range and logs keys from the table, hinted in the footer", () => {
    const s = apply(jobsState('viewer'), key('metrics'));
    expect(topView(s)).toBe('metrics');
    const cases: [string, Partial<KeyFlags>, string][] = [
      ['h', {}, 'cursorLeft'],
      ['', { leftArrow: true }, 'cursorLeft'],
      ['l', {}, 'cursorRight'],
      ['', { rightArrow: true }, 'cursorRight'],
      ['[', {}, 'shorterRange'],
      [']', {}, 'longerRange'],
      ['1', {}, 'range1h'],
      ['6', {}, 'range6h'],
      ['2', {}, 'range24h'],
      ['7', {}, 'range7d'],
      ['L', {}, 'logsAtCursor'],
      ['', { escape: true }, 'back'],
    ];
    for (const [input, flags, action] of cases) expect(actionForKey(s, input, { ...NO_KEY, ...flags }), `${input || JSON.stringify(flags)}`).toEqual({ type: 'key', action });
    // no list: the movement keys are not the view's
    expect(actionForKey(s, 'j', NO_KEY)).toBeNull();
    expect(hintsFor('metrics', 'viewer').map((h) => h.keys)).toEqual(['esc', 'h/left', 'l/right', 'L', '[', ']', ':', '?', 'q']);
  });

  it('runs :metrics for every role, with or without clusters, and lists it and the keys in the help', () => {
    for (const role of ROLES) {
      expect(parseCommand(':metrics prod-eu-1', role)).toEqual({ kind: 'open', view: 'metrics', arg: 'prod-eu-1' });
      expect(parseCommand(':metrics a b,c', role)).toEqual({ kind: 'open', view: 'metrics', arg: 'a,b,c' });
      expect(parseCommand(':metrics', role)).toEqual({ kind: 'open', view: 'metrics' });
      expect(commandsFor(role).map((c) => c.usage)).toContain(':metrics CLUSTER…');
    }
    const entries = helpGroups().flatMap((g) => g.entries.map((e) => `${g.title}|${e.keys}|${e.description}`));
    expect(entries).toContain('Fleet & Cluster detail|M|metrics charts (the cluster, or the marked clusters overlaid)');
    expect(entries).toContain('Fleet|space|mark or unmark the selected cluster (M overlays the marked)');
    expect(entries).toContain('Metrics|1|range 1h (live)');
    expect(entries).toContain('Metrics|L|logs at the cursor');
  });
});
