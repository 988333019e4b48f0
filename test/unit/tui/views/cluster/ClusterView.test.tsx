// The cluster view as drawn: title, sections, the focused section's items and its action keys (for
// roles that may use them), and the history.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { apply, connectedState, DETAIL, showApp, unmountAll } from '../../helpers.js';
import { jobsState } from '../../jobs-helpers.js';

afterEach(unmountAll);
const show = showApp;

const lines = (frame: string) => frame.split('\n');
const key = (action: KeyAction) => ({ type: 'key' as const, action });
const SIZES = [
  [80, 24],
  [160, 40],
] as const;

describe('cluster detail view', () => {
  it('shows the title, the three sections and the history', () => {
    const state = apply(connectedState(), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    const frame = show(state);
    expect(frame).toMatch(/^prod-us-1 {2}critical {2}2 of 5 nodes NotReady \+2/m);
    expect(frame).toContain('Nodes (3/5 ready)');
    expect(frame).toContain('Workloads (1/4 fully ready)');
    expect(frame).toContain('Events (3 recent)');
    expect(frame).toContain('us1-n3');
    expect(frame).toMatch(/us1-n3 +NotReady/);
    expect(frame).toContain('rejected clusters/prod-us-1/status.json: signature by unknown key');
    expect(lines(frame).length).toBeLessThanOrEqual(23);
  });

  it.each(SIZES)('shows the log pipeline figures under the title at %i×%i', (columns, rows) => {
    const state = apply(connectedState(undefined, columns, rows), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    const frame = show(state);
    const title = lines(frame).findIndex((l) => l.startsWith('prod-us-1  critical'));
    expect(lines(frame)[title + 1]).toBe('Logs  daemon  read 813/s  shipped 790/s  behind 5.0 MiB  oldest 4s');
    expect(lines(frame)[title + 2]).toMatch(/^ {6}dropped 3 lines \(2\.0 KiB\) · 1 source refused · last error: cannot reach/);
    for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(columns);
    expect(lines(frame).length).toBeLessThanOrEqual(rows - 1);
  });

  it('expands the section tab moves to', () => {
    const state = apply(
      connectedState(undefined, 160, 40),
      { type: 'key', action: 'drill' },
      { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL },
      { type: 'key', action: 'nextSection' },
      { type: 'key', action: 'nextSection' },
    );
    const frame = show(state);
    expect(frame).toContain('Back-off restarting failed container ledger (×31)');
    expect(frame).not.toContain('KubeletNotReady');
  });

  it('uses the width of a wide terminal for node details', () => {
    const state = apply(connectedState(undefined, 160, 40), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    expect(show(state)).toContain('NotReady KubeletNotReady');
  });

  it('says it is loading until the snapshot arrives', () => {
    expect(show(apply(connectedState(), { type: 'key', action: 'drill' }))).toContain('loading…');
  });
});

describe('cluster view action hints', () => {
  const cluster = (role: 'viewer' | 'operator', columns: number, rows: number) =>
    apply(jobsState(role, columns, rows), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });

  it.each(SIZES)('shows the action keys to an operator and none to a viewer at %i×%i', (columns, rows) => {
    const op = show(cluster('operator', columns, rows));
    expect(op).toMatch(/Nodes \(3\/5 ready\) {2}c cordon {2}u uncordon {2}d drain/);
    expect(op).toMatch(/^> us1-n1/m);
    const viewer = show(cluster('viewer', columns, rows));
    expect(viewer).toContain('Nodes (3/5 ready)');
    expect(viewer).not.toMatch(/cordon|drain|scale/);
    const workloads = show(apply(cluster('viewer', columns, rows), key('nextSection')));
    expect(workloads).toContain('Workloads (1/4 fully ready)');
    expect(workloads).not.toMatch(/ scale| restart| backup/);
  });
});
