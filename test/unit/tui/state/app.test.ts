// The shell: the view stack, the `/` and `:` input, the help, the clock, and what it asks of every
// view model. Each view's own behaviour is tested beside its model (test/unit/tui/views/*/model.test.ts).
import { describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../tui/keymap.js';
import { type AppState, initialState, keyContext, keyRole, promptFilter, reduce, topView, wantedTopics } from '../../../../tui/state/app.js';
import { ROOT_VIEW, VIEWS } from '../../../../tui/views/registry.js';
import { visibleRows } from '../../../../tui/views/fleet/model.js';
import { DETAIL, NOW, apply, connectedState, makeRow } from '../helpers.js';
import { jobsState } from '../jobs-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });
const names = (s: AppState) => visibleRows(s.fleet, s.view.fleet).map((r) => r.name);
const command = (s: AppState, line: string) => apply(s, key('command'), text(line), key('submit'));

describe('initial state', () => {
  it('holds the root view and every registered view’s initial slice', () => {
    const s = initialState({ now: NOW, columns: 80, rows: 24 });
    expect(s.stack).toEqual([ROOT_VIEW]);
    expect(Object.keys(s.view).sort()).toEqual(VIEWS.map((v) => v.kind).sort());
    for (const v of VIEWS) expect(s.view[v.kind]).toEqual(v.initial());
    expect(s.role).toBeNull();
  });

  it('learns the role from the hello and keeps it across a reconnect', () => {
    let s = apply(initialState({ now: NOW, columns: 80, rows: 24 }), { type: 'conn/open', at: NOW, identity: { name: 'vera', role: 'viewer' } });
    expect(s.role).toBe('viewer');
    s = apply(s, { type: 'conn/lost', at: NOW + 1, attempt: 2, error: 'x', retryInMs: 1 });
    expect(s.role).toBe('viewer');
    expect(s.conn.status).toBe('reconnecting');
  });
});

describe('per-cluster roles', () => {
  const rows = [makeRow('pay-prod', { labels: { team: 'payments', env: 'prod' } }), makeRow('pay-stg', { labels: { team: 'payments', env: 'staging' } })];
  const grants = [
    { role: 'viewer' as const, scope: 'team=payments' },
    { role: 'operator' as const, scope: 'team=payments,env!=prod' },
  ];
  const open = (identity: { name: string; role: 'viewer' | 'operator' | 'admin'; grants?: typeof grants }) =>
    apply(initialState({ now: NOW, columns: 120, rows: 40 }), { type: 'conn/open', at: NOW, identity }, { type: 'fleet/snapshot', rev: 1, rows });

  it("filters the keys by the grants' role on the cluster the view is about, as the daemon judges it", () => {
    let s = open({ name: 'olga', role: 'operator', grants });
    expect(s.grants).toEqual(grants);
    // The fleet's cursor starts on pay-prod: viewer there.
    expect(keyRole(s)).toBe('viewer');
    s = apply(s, key('down'));
    expect(keyRole(s)).toBe('operator');
    s = command(s, 'cluster pay-prod');
    expect(keyRole(s)).toBe('viewer');
    s = command(s, 'cluster pay-stg');
    expect(keyRole(s)).toBe('operator');
    // A view about no one cluster shows the highest role; the daemon still refuses per cluster.
    s = command(s, 'audit');
    expect(keyRole(s)).toBe('operator');
  });

  it('without grants in the hello, the role holds everywhere', () => {
    expect(keyRole(open({ name: 'ada', role: 'operator' }))).toBe('operator');
  });
});

describe('view stack', () => {
  it('opens each view over the views it may sit on, closing the others', () => {
    let s = apply(jobsState(), key('drill'), key('jobs'), key('openJob'));
    expect(s.stack).toEqual(['fleet', 'cluster', 'jobs', 'job']);
    s = command(s, 'jobs');
    expect(s.stack).toEqual(['fleet', 'cluster', 'jobs']);
    s = command(s, 'cluster prod-eu-1');
    expect(s.stack).toEqual(['fleet', 'cluster']);
    expect(s.view.cluster.name).toBe('prod-eu-1');
    s = command(s, 'fleet');
    expect(s.stack).toEqual(['fleet']);
    expect(s.view.cluster.name).toBeNull();
  });

  it('goes back one view at a time and stays on the root', () => {
    let s = apply(jobsState(), key('drill'), key('jobs'), key('openJob'));
    for (const expected of [['fleet', 'cluster', 'jobs'], ['fleet', 'cluster'], ['fleet']]) {
      s = apply(s, key('back'));
      expect(s.stack).toEqual(expected);
    }
    expect(reduce(s, key('back'))).toBe(s);
  });

  it('asks the link for the topics of every open view, each once', () => {
    let s = jobsState();
    expect(wantedTopics(s)).toEqual([]);
    s = apply(s, key('drill'), key('jobs'), key('openJob'));
    expect(wantedTopics(s)).toEqual(['cluster:prod-us-1', 'jobs']);
    s = apply(s, key('back'), key('back'));
    expect(wantedTopics(s)).toEqual(['cluster:prod-us-1']);
  });

  it('shows the top view’s filter on the prompt line, else the root’s', () => {
    let s = apply(jobsState(), key('filter'), text('prod'), key('submit'));
    expect(promptFilter(s)).toEqual({ text: 'prod', shown: 5, total: 12, hint: 'esc clears' });
    s = apply(s, key('drill'));
    expect(promptFilter(s)).toEqual({ text: 'prod', shown: 5, total: 12, hint: 'esc clears' });
    s = apply(s, key('jobs'));
    expect(promptFilter(s)).toEqual({ text: `cluster:${s.view.cluster.name}`, shown: 2, total: 8, hint: 'esc clears' });
  });

  it('does nothing with a key action the context has no binding for', () => {
    const s = connectedState();
    expect(reduce(s, key('nextSection'))).toBe(s);
    expect(reduce(s, key('closeHelp'))).toBe(s);
    const typing = apply(s, key('filter'));
    expect(reduce(typing, key('down'))).toBe(typing);
  });
});

describe('filter and command input', () => {
  it('edits the filter live; enter keeps it, esc clears it', () => {
    let s = apply(connectedState(), key('filter'));
    expect(keyContext(s)).toBe('filter');
    s = apply(s, text('prod'), text(' us'));
    expect(s.view.fleet.filter).toBe('prod us');
    expect(names(s)).toEqual(['prod-us-1', 'prod-us-2']);
    s = apply(s, key('erase'), key('erase'), key('erase'));
    expect(s.view.fleet.filter).toBe('prod');
    s = apply(s, key('submit'));
    expect(s.input).toBeNull();
    expect(s.view.fleet.filter).toBe('prod');
    s = apply(s, key('filter'), text('\x1b[Ax'), key('cancel'));
    expect(s.view.fleet.filter).toBe('');
    expect(s.input).toBeNull();
  });

  it('says what in a filter can match nothing when it is applied', () => {
    const s = apply(connectedState(), key('filter'), text('health:broken'), key('submit'));
    expect(s.message).toEqual({ text: expect.stringContaining('unknown health "broken"'), level: 'error' });
  });

  it('runs commands and explains unknown ones', () => {
    let s = command(connectedState(), 'cluster dev-2');
    expect(topView(s)).toBe('cluster');
    expect(s.view.cluster).toMatchObject({ name: 'dev-2' });
    s = command(s, 'fleet');
    expect(topView(s)).toBe('fleet');
    s = command(s, 'cluster nope');
    expect(s.message).toEqual({ text: 'no cluster named "nope"', level: 'error' });
    s = command(s, 'graphs');
    expect(s.message?.text).toContain('unknown command "graphs"');
    expect(s.message?.text).toContain(':cluster NAME');
    s = command(s, 'q');
    expect(s.quit).toBe(true);
  });

  it('ignores text while nothing is being typed, and an empty command', () => {
    const s = connectedState();
    expect(reduce(s, text('abc'))).toBe(s);
    expect(command(s, '   ')).toEqual({ ...s });
  });
});

describe('help, messages and the clock', () => {
  it('opens and closes help, and quits', () => {
    let s = apply(connectedState(), key('help'));
    expect(keyContext(s)).toBe('help');
    s = apply(s, key('closeHelp'));
    expect(s.help).toBe(false);
    expect(apply(s, key('quit')).quit).toBe(true);
  });

  it('clears a message on the next key, but not on a dialog’s keys', () => {
    const withMessage = apply(connectedState(), { type: 'message', text: 'hello', level: 'info' });
    expect(apply(withMessage, key('down')).message).toBeNull();
    const dialog = apply(jobsState(), key('jobs'), key('cancelJob'), { type: 'message', text: 'still here', level: 'info' });
    expect(apply(dialog, text('x')).message?.text).toBe('still here');
  });

  it('changes only the clock on a tick, reusing the filtered rows', () => {
    const s = connectedState();
    const rows = visibleRows(s.fleet, s.view.fleet);
    const t = apply(s, { type: 'tick', now: NOW + 1000 });
    expect(t.now).toBe(NOW + 1000);
    expect(visibleRows(t.fleet, t.view.fleet)).toBe(rows);
    expect(t.view).toBe(s.view);
    expect(apply(t, { type: 'tick', now: NOW + 1000 })).toBe(t);
  });

  it('routes a view’s own frames to it: a cluster snapshot reaches the open cluster view', () => {
    const s = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 7, data: DETAIL });
    expect(s.view.cluster.detail).toEqual({ rev: 7, data: DETAIL });
  });
});
