// The jobs view as drawn: newest first, fleet fan-out progress, and the cancel key for operators only.
import { afterEach, describe, expect, it } from 'vitest';
import { apply, expectFits, key, showApp, unmountAll, VIEW_SIZES } from '../../helpers.js';
import { jobsState } from '../../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;

const lines = (frame: string) => frame.split('\n');

describe.each(VIEW_SIZES)('jobs view at %i×%i', (columns, rows) => {
  it('lists jobs newest first with state, fleet progress and the cancel hint', () => {
    const frame = show(apply(jobsState('operator', columns, rows), key('jobs')));
    expectFits(frame, columns, rows);
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
