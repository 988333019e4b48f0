// The blast-radius dialog of a `:run` fleet job, rendered at 80×24, and its row builder.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../tui/keymap.js';
import { blastRows } from '../../../../tui/render/blast-rows.js';
import type { Action, AppState } from '../../../../tui/state/app.js';
import type { Affected } from '../../../../tui/state/calls.js';
import { apply, showApp, unmountAll } from '../helpers.js';
import { jobsState } from '../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;

const key = (action: KeyAction): Action => ({ type: 'key', action });

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

function fits(frame: string): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(23);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
}

describe('blast-radius dialog at 80×24', () => {
  it('lists every cluster with what it would touch and asks for the cluster count', () => {
    const blast = [...clusters(2), { cluster: 'staging-03', affected: [], warning: 'node node-1 is not in the latest status report' }];
    const frame = show(dialogState(blast));
    fits(frame);
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
    fits(frame);
    expect(frame).toContain('staging-01');
    expect(frame).not.toContain('staging-40');
    expect(frame).toMatch(/… and \d+ more clusters/);
    expect(frame).toContain('Type the number of clusters (40) to confirm');
  });
});

describe('blastRows', () => {
  it('puts clusters with a warning first when not all fit, and counts the rest', () => {
    const blast = [...clusters(5), { cluster: 'odd-one', affected: [], warning: 'no status report yet; the objects affected are not known' }];
    const rows = blastRows(blast, 3, 60);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ text: expect.stringMatching(/^odd-one\s+! no status report yet/), warning: true });
    expect(rows[2]?.text.trim()).toBe('… and 4 more clusters');
    for (const r of rows) expect(r.text.length).toBe(60);
  });

  it('keeps the daemon’s order when everything fits', () => {
    const rows = blastRows(clusters(3), 10, 50);
    expect(rows.map((r) => r.text.slice(0, 10))).toEqual(['staging-01', 'staging-02', 'staging-03']);
    expect(blastRows([{ cluster: 'a', affected: [] }], 5, 30)[0]?.text.trim()).toBe('a  nothing found to change');
  });
});
