// The `?` overlay, generated from the keymap and the command table, scrolled when it does not fit.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../tui/keymap.js';
import { apply, connectedState, DETAIL, showApp, unmountAll } from '../helpers.js';
import { jobsState } from '../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;
const key = (action: KeyAction) => ({ type: 'key' as const, action });

describe('help overlay', () => {
  it('shows the help overlay generated from the keymap, scrolling what does not fit at 80×24', () => {
    const help = apply(connectedState(), { type: 'key', action: 'help' });
    const frame = show(help);
    expect(frame).toContain('Keys');
    expect(frame).toContain('open the selected cluster');
    expect(frame).toMatch(/j\/k scroll · \d+ more below/);
    // every key and command is reachable: scroll to the end
    let end = help;
    for (let i = 0; i < 20; i += 1) end = apply(end, { type: 'key', action: 'scrollHelpDown' });
    const last = show(end);
    expect(last).toContain(':cluster NAME');
    expect(last).toContain('k scrolls back up');
    expect(last).not.toMatch(/more below/);
    // and back to the top, never past it
    let top = end;
    for (let i = 0; i < 20; i += 1) top = apply(top, { type: 'key', action: 'scrollHelpUp' });
    expect(top.helpScroll).toBe(0);
    expect(show(top)).toContain('open the selected cluster');
  });

  it.each([
    [80, 24],
    [160, 40],
  ] as const)('shows a viewer no action at %i×%i', (columns, rows) => {
    const help = show(apply(jobsState('viewer', columns, rows), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, key('help')));
    expect(help).toContain('jobs view');
    expect(help).not.toMatch(/drain|cordon|scale|restart|back up|cancel the selected job/);
  });
});
