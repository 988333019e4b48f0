// The pipeline view's keys from the keymap table: P from the fleet and from a cluster (for every
// role: reading the pipeline needs no more than a viewer), `:pipeline`, and its own keys in the
// footer and the help.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../core/roles.js';
import { actionForKey } from '../../../tui/input.js';
import { helpGroups, hintsFor, lookupKey, type KeyFlags } from '../../../tui/keymap.js';
import { keyContext } from '../../../tui/state/app.js';
import { commandsFor, parseCommand } from '../../../tui/state/commands.js';
import { apply, key } from './helpers.js';
import { jobsState } from './jobs-helpers.js';

const NO_KEY: KeyFlags = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, tab: false, backspace: false, delete: false, ctrl: false };

describe('pipeline keys', () => {
  it('opens the pipeline with P from the fleet and from a cluster, for every role', () => {
    for (const role of ROLES) {
      const fleet = jobsState(role);
      const cluster = apply(fleet, key('drill'));
      expect(keyContext(cluster)).toBe('cluster');
      for (const s of [fleet, cluster]) {
        expect(actionForKey(s, 'P', NO_KEY), role).toEqual({ type: 'key', action: 'pipeline' });
        expect(keyContext(apply(s, key('pipeline')))).toBe('pipeline');
      }
    }
  });

  it('binds P only where it opens the view, and hints it there', () => {
    expect(lookupKey('P', 'fleet')?.action).toBe('pipeline');
    expect(lookupKey('P', 'cluster')?.action).toBe('pipeline');
    for (const c of ['pipeline', 'jobs', 'logs', 'help', 'filter'] as const) expect(lookupKey('P', c), c).toBeUndefined();
    expect(hintsFor('fleet').map((h) => h.keys)).toContain('P');
    expect(hintsFor('cluster').map((h) => h.keys)).toContain('P');
  });

  it('gives the view movement, enter, esc and / from the table, hinted in the footer', () => {
    const s = apply(jobsState('viewer'), key('pipeline'));
    expect(actionForKey(s, 'j', NO_KEY)).toEqual({ type: 'key', action: 'down' });
    expect(actionForKey(s, 'G', NO_KEY)).toEqual({ type: 'key', action: 'bottom' });
    expect(actionForKey(s, '', { ...NO_KEY, return: true })).toEqual({ type: 'key', action: 'openCluster' });
    expect(actionForKey(s, '', { ...NO_KEY, escape: true })).toEqual({ type: 'key', action: 'back' });
    expect(actionForKey(s, '/', NO_KEY)).toEqual({ type: 'key', action: 'filter' });
    expect(hintsFor('pipeline', 'viewer').map((h) => h.keys)).toEqual(['j/down', 'k/up', 'esc', 'enter', '/', ':', '?', 'q']);
  });

  it('runs :pipeline for every role and lists it in the help', () => {
    for (const role of ROLES) {
      expect(parseCommand(':pipeline', role)).toEqual({ kind: 'open', view: 'pipeline' });
      expect(commandsFor(role).map((c) => c.usage)).toContain(':pipeline');
    }
    const entries = helpGroups().flatMap((g) => g.entries.map((e) => `${g.title}|${e.keys}|${e.description}`));
    expect(entries).toContain('Fleet & Cluster detail|P|log pipeline view');
    expect(entries).toContain('Pipeline|enter|open the selected cluster');
  });
});
