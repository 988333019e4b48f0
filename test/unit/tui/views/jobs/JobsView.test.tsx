// The jobs view as drawn: newest first, fleet fan-out progress, and the cancel key for operators only.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { apply, showApp, unmountAll } from '../../helpers.js';
import { jobsState } from '../../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const lines = (frame: string) => frame.split('\n');
const SIZES = [
  [80, 24],
  [160, 40],
] as const;

function fits(frame: string, columns: number, rows: number): void {
  expect(lines(frame).length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(columns);
}

describe.each(SIZES)('jobs view at %i×%i', (columns, rows) => {
  it('lists jobs newest first with state, fleet progress and the cancel hint', () => {
    const frame = show(apply(jobsState('operator', columns, rows), key('jobs')));
    fits(frame, columns, rows);
    expect(frame).toMatch(/^Jobs \(8, newest first\) {2}c cancel$/m);
    expect(frame).toContain('fleet f1ee7000 cordon  3 clusters: 1 dispatched · 1 running · 1 succeeded');
    expect(frame).toMatch(/^ {4}AGE CLUSTER +TYPE +STATE +ID +DETAIL$/m);
    const rowsShown = lines(frame).filter((l) => /^(> | {2}) *\d+[smhd] /.test(l));
    expect(rowsShown[0]).toMatch(/^> +20s prod-eu-1 +rotate-credentials pending +00000003 signed, waiting/);
    expect(frame).toMatch(/5m prod-us-1 +drain +failed +00000002 pod payments\/led/);
    expect(frame).toMatch(/30m dev-1 +backup +rejected +00000007 replayed: seq/);
  });

  it('shows a viewer no cancel key', () => {
    const jobs = show(apply(jobsState('viewer', columns, rows), key('jobs')));
    expect(jobs).toContain('Jobs (8, newest first)');
    expect(jobs).not.toContain('cancel');
  });
});
