// The job view as drawn: identity, params with secrets sealed, result and timing.
import { afterEach, describe, expect, it } from 'vitest';
import { apply, expectFits, key, showApp, unmountAll, VIEW_SIZES } from '../../helpers.js';
import { jobsState } from '../../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;


describe.each(VIEW_SIZES)('job view at %i×%i', (columns, rows) => {
  it("shows a job's detail with sealed secrets, result and timing", () => {
    const state = apply(jobsState('operator', columns, rows), key('jobs'), key('down'), key('down'), key('down'), key('down'), key('openJob'));
    const frame = show(state);
    expectFits(frame, columns, rows);
    expect(frame).toMatch(/^drain on prod-us-1 {2}failed/m);
    expect(frame).toMatch(/type +drain {2}\(destructive\)/);
    expect(frame).toMatch(/ {2}node +us1-n3/);
    expect(frame).toMatch(/finished +2025-06-01T11:59:59.000Z {2}\(took 4m\)/);
    const sealed = show(apply(jobsState('operator', columns, rows), key('jobs'), key('openJob')));
    expect(sealed).toMatch(/ {2}sealed +<sealed>/);
    expect(sealed).toContain('signed, waiting to be written to the store');
  });
});
