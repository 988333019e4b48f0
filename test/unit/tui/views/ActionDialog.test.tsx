// The confirmation dialog as drawn: what will happen, the value being typed, the word a destructive
// job needs typed back, and a fleet job's blast radius.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../../../tui/state/app.js';
import type { Affected } from '../../../../tui/state/calls.js';
import { apply, DETAIL, expectFits, key, showApp, unmountAll, VIEW_SIZES } from '../helpers.js';
import { jobsState } from '../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;


describe.each(VIEW_SIZES)('action dialog at %i×%i', (columns, rows) => {
  it('shows the drain dialog asking for the cluster name', () => {
    const state = apply(
      jobsState('operator', columns, rows),
      key('drill'),
      { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL },
      key('down'),
      key('down'),
      key('drain'),
      { type: 'input/text', text: 'prod' },
    );
    const frame = show(state);
    expectFits(frame, columns, rows);
    expect(frame).toContain('Drain us1-n3 on prod-us-1');
    expect(frame).toContain('Cordons node us1-n3 and evicts its pods, respecting PodDisruptionBudgets.');
    expect(frame).toContain('Destructive. Type the cluster name (prod-us-1) to confirm: prod');
    expect(frame).toMatch(/enter +next \/ confirm {2}esc +close without submitting/);
  });
});

function clusters(n: number): Affected[] {
  return Array.from({ length: n }, (_, i) => ({ cluster: `staging-${String(i + 1).padStart(2, '0')}`, affected: [`node node-1 (schedulable, ${i + 3} pods to evict)`] }));
}

/** An operator's console after `:run env=staging drain node=node-1` and the daemon's dry run. */
function dialogState(blast: Affected[]): AppState {
  const s = apply(jobsState('operator', 80, 24), key('command'), { type: 'input/text', text: ':run env=staging drain node=node-1' }, key('submit'));
  const [call] = s.calls;
  if (!call) throw new Error('no dry run queued');
  return apply(s, { type: 'call/sent', key: call.key }, { type: 'call/done', call: { method: call.method, label: call.label, key: call.key }, outcome: { ok: true, result: { dryRun: { clusters: blast } } } });
}

function fitsIn80x24(frame: string): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(23);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
}

describe('blast-radius dialog at 80×24', () => {
  it('lists every cluster with what it would touch and asks for the cluster count', () => {
    const blast = [...clusters(2), { cluster: 'staging-03', affected: [], warning: 'node node-1 is not in the latest status report' }];
    const frame = show(dialogState(blast));
    fitsIn80x24(frame);
    expect(frame).toContain('Drain on 3 clusters matching env=staging');
    expect(frame).toContain('target: 3 clusters matching env=staging');
    expect(frame).toContain("Blast radius (from each cluster's latest status):");
    expect(frame).toContain('staging-01  node node-1 (schedulable, 3 pods to evict)');
    expect(frame).toContain('staging-02  node node-1 (schedulable, 4 pods to evict)');
    expect(frame).toContain('staging-03  ! node node-1 is not in the latest status report');
    expect(frame).toContain('Destructive. Type the number of clusters (3) to confirm:');
    expect(frame).toContain('esc');
  });

  it('caps a long blast radius to the screen and says how many clusters are left out', () => {
    const frame = show(dialogState(clusters(40)));
    fitsIn80x24(frame);
    expect(frame).toContain('staging-01');
    expect(frame).not.toContain('staging-40');
    expect(frame).toMatch(/… and \d+ more clusters/);
    expect(frame).toContain('Type the number of clusters (40) to confirm');
  });
});
