// The job view as drawn: identity, params with secrets sealed, result and timing.
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

describe.each(SIZES)('job view at %i×%i', (columns, rows) => {
  it("shows a job's detail with sealed secrets, result and timing", () => {
    const state = apply(jobsState('operator', columns, rows), key('jobs'), key('down'), key('down'), key('down'), key('down'), key('openJob'));
    const frame = show(state);
    fits(frame, columns, rows);
    expect(frame).toMatch(/^drain on prod-us-1 {2}failed/m);
    expect(frame).toMatch(/type +drain {2}\(destructive\)/);
    expect(frame).toMatch(/ {2}node +us1-n3/);
    expect(frame).toMatch(/finished +2025-06-01T11:59:59.000Z {2}\(took 4m\)/);
    const sealed = show(apply(jobsState('operator', columns, rows), key('jobs'), key('openJob')));
    expect(sealed).toMatch(/ {2}sealed +<sealed>/);
    expect(sealed).toContain('signed, waiting to be written to the store');
  });
});
