// The fleet view's pane keys from the keymap table: tab (the next pane, as tab is the next section in
// a cluster), S (the sparkline column's series) and f (the logs pane's scope), in the footer and the
// help, for every role, and typed as text in the filter and the command line.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../core/roles.js';
import { actionForKey, actionsForInput } from '../../../tui/input.js';
import { helpGroups, hintsFor, lookupKey, type KeyFlags } from '../../../tui/keymap.js';
import { keyContext } from '../../../tui/state/app.js';
import { apply, key } from './helpers.js';
import { jobsState } from './jobs-helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };

describe('fleet pane keys', () => {
  it('takes tab, S and f in the fleet for every role', () => {
    for (const role of ROLES) {
      const s = jobsState(role);
      expect(keyContext(s)).toBe('fleet');
      expect(actionForKey(s, '', { ...NO_KEY, tab: true }), role).toEqual({ type: 'key', action: 'nextPane' });
      expect(actionForKey(s, 'S', NO_KEY), role).toEqual({ type: 'key', action: 'sparkSeries' });
      expect(actionForKey(s, 'f', NO_KEY), role).toEqual({ type: 'key', action: 'logsScope' });
      // a tab arriving inside a chunk of input is the tab key too
      expect(actionsForInput(s, 'S\t', NO_KEY)).toEqual([key('sparkSeries'), key('nextPane')]);
    }
  });

  it('keeps tab the next section in a cluster, and S and f to the fleet', () => {
    const cluster = apply(jobsState('viewer'), key('drill'));
    expect(keyContext(cluster)).toBe('cluster');
    expect(actionForKey(cluster, '', { ...NO_KEY, tab: true })).toEqual({ type: 'key', action: 'nextSection' });
    for (const c of ['cluster', 'jobs', 'logs', 'metrics', 'pipeline', 'help'] as const) {
      expect(lookupKey('S', c), c).toBeUndefined();
      expect(lookupKey('f', c), c).toBeUndefined();
    }
    expect(lookupKey('tab', 'fleet')?.action).toBe('nextPane');
  });

  it('types S, f and a tab-free text into the filter and the command line', () => {
    const s = apply(jobsState('viewer'), key('filter'));
    expect(actionForKey(s, 'S', NO_KEY)).toEqual({ type: 'input/text', text: 'S' });
    expect(actionForKey(s, 'f', NO_KEY)).toEqual({ type: 'input/text', text: 'f' });
    const typed = apply(jobsState('viewer'), key('command'));
    expect(actionsForInput(typed, 'fS', NO_KEY)).toEqual([
      { type: 'input/text', text: 'f' },
      { type: 'input/text', text: 'S' },
    ]);
  });

  it('hints tab and S in the fleet footer, and lists all three in the help under Fleet', () => {
    const hints = hintsFor('fleet').map((h) => h.keys);
    expect(hints).toEqual(expect.arrayContaining(['tab', 'S']));
    expect(hints).not.toContain('f');
    const entries = helpGroups().flatMap((g) => g.entries.map((e) => `${g.title}|${e.keys}|${e.description}`));
    expect(entries).toContain('Fleet|tab|next pane (Fleet, Logs, Metrics tabs; the pane beside the table)');
    expect(entries).toContain("Fleet|S|cycle the sparkline column's series (CPU, memory, pods, error lines)");
    expect(entries).toContain("Fleet|f|logs pane: the selected cluster's errors or the whole fleet's");
    expect(entries).toContain('Cluster detail|tab|next section (nodes, workloads, events)');
  });

  it('says so when tab has nothing to switch, with all three areas on screen', () => {
    const s = apply(jobsState('viewer'), { type: 'resize', columns: 200, rows: 50 }, key('nextPane'));
    expect(s.message?.text).toBe('the table, the logs and the metrics are all on screen; tab switches them on a terminal under 180 columns');
    expect(s.view.fleet.panes.tab).toBe('fleet');
  });
});
