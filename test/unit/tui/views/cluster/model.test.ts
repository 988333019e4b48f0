// The cluster view's slice: which cluster, the focused section, the cursor actions work on, and the
// snapshot of its own topic; and the job actions it opens dialogs for.
import { describe, expect, it } from 'vitest';
import { BACKUP_ID } from '../../../../../core/jobs.js';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { type AppState, keyContext, reduce, topView, wantedTopics } from '../../../../../tui/state/app.js';
import { backupIdAt, clusterActionSpec } from '../../../../../tui/state/job-actions.js';
import { clusterView, detailSectionRows } from '../../../../../tui/views/cluster/model.js';
import { DETAIL, NOW, apply, connectedState } from '../../helpers.js';
import { jobsState } from '../../jobs-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });

describe('cluster view', () => {
  it('drills into the selected cluster, cycles sections and goes back', () => {
    let s = apply(connectedState(), key('drill'));
    expect(topView(s)).toBe('cluster');
    expect(s.view.cluster).toMatchObject({ name: 'prod-us-1', section: 'nodes', scroll: 0 });
    expect(keyContext(s)).toBe('cluster');
    s = apply(s, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    expect(s.view.cluster.detail?.data).toBe(DETAIL);
    s = apply(s, { type: 'cluster/snapshot', name: 'other', rev: 2, data: DETAIL });
    expect(s.view.cluster.detail?.rev).toBe(1);
    s = apply(s, key('nextSection'), key('nextSection'));
    expect(s.view.cluster).toMatchObject({ section: 'events' });
    s = apply(s, key('nextSection'));
    expect(s.view.cluster).toMatchObject({ section: 'nodes' });
    s = apply(s, key('back'));
    expect(s.stack).toEqual(['fleet']);
    expect(s.view.cluster.detail).toBeNull();
  });

  it('keeps the newest snapshot and takes none while closed', () => {
    let s = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 3, data: DETAIL });
    s = apply(s, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 2, data: null });
    expect(s.view.cluster.detail).toEqual({ rev: 3, data: DETAIL });
    s = apply(s, key('back'));
    const closed = s;
    expect(apply(closed, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 4, data: DETAIL })).toBe(closed);
    expect(wantedTopics(closed)).toEqual([]);
  });

  it('scrolls the focused section within its items', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => ({ ...DETAIL.nodes[0]!, name: `n-${i}` }));
    let s = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: { ...DETAIL, nodes } });
    const page = detailSectionRows(s.viewport, s.conn);
    s = apply(s, key('bottom'));
    expect(s.view.cluster).toMatchObject({ scroll: 30 - page });
    s = apply(s, key('up'), key('nextSection'));
    expect(s.view.cluster).toMatchObject({ section: 'workloads', scroll: 0 });
    s = apply(s, key('pageDown'));
    expect(s.view.cluster).toMatchObject({ scroll: 0 });
  });

  it('opens by name from the command line, refusing a name the fleet does not have', () => {
    const s = apply(connectedState(), key('command'), text('cluster nope'), key('submit'));
    expect(s.stack).toEqual(['fleet']);
    expect(s.message).toEqual({ text: 'no cluster named "nope"', level: 'error' });
    expect(clusterView.open(clusterView.initial(), undefined, { now: NOW, viewport: s.viewport, conn: s.conn, role: 'viewer', fleet: s.fleet, jobs: s.jobs }, {})).toEqual({
      ok: false,
      error: 'usage: :cluster NAME',
    });
  });

  it('starts afresh each time it opens, on the nodes section', () => {
    let s = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, key('nextSection'), key('down'));
    s = apply(s, key('command'), text('cluster prod-eu-1'), key('submit'));
    expect(s.view.cluster).toEqual({ name: 'prod-eu-1', section: 'nodes', scroll: 0, cursor: 0, detail: null });
    expect(s.stack).toEqual(['fleet', 'cluster']);
  });
});

describe('actions from the cluster view', () => {
  const inCluster = (role: 'viewer' | 'operator' = 'operator'): AppState =>
    apply(jobsState(role), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });

  it('moves a cursor over the focused section that actions work on', () => {
    let s = apply(inCluster(), key('down'), key('down'));
    expect(s.view.cluster.cursor).toBe(2);
    s = apply(s, key('nextSection'));
    expect(s.view.cluster.cursor).toBe(0);
    s = apply(s, key('bottom'));
    expect(s.view.cluster.cursor).toBe(DETAIL.workloads.length - 1);
  });

  it('scales the selected workload: prompts for replicas, then submits', () => {
    let s = apply(inCluster(), key('nextSection'), key('scale'));
    expect(s.dialog?.step).toBe('field');
    expect(s.dialog?.fieldText).toBe('3');
    s = apply(s, key('erase'), text('7'), key('submit'));
    expect(s.dialog?.step).toBe('confirm');
    s = apply(s, key('submit'));
    expect(s.calls[0]).toMatchObject({
      method: 'job.submit',
      params: { cluster: 'prod-us-1', type: 'scale', params: { namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 7 } },
    });
    expect(s.calls[0]?.params).not.toHaveProperty('yes');
  });

  it('drains the selected node only after the cluster name is typed', () => {
    let s = apply(inCluster(), key('down'), key('down'), key('drain'));
    expect(s.dialog?.spec.title).toBe('drain us1-n3 on prod-us-1');
    s = apply(s, key('submit'));
    expect(s.dialog?.error).toBe('type the cluster name (prod-us-1) to confirm, or esc to leave');
    expect(s.calls).toEqual([]);
    s = apply(s, text('prod-us-1'), key('submit'));
    expect(s.calls[0]?.params).toEqual({ cluster: 'prod-us-1', type: 'drain', params: { node: 'us1-n3' }, yes: true });
  });

  it('says which section an action needs, and what a DaemonSet cannot do', () => {
    expect(apply(inCluster(), key('scale')).message?.text).toBe('scale needs a workload: tab to Workloads and select one');
    expect(apply(inCluster(), key('nextSection'), key('cordon')).message?.text).toBe('cordon needs a node: tab to Nodes and select one');
    expect(apply(inCluster(), key('nextSection'), key('bottom'), key('restart')).message?.text).toContain('DaemonSet');
    expect(clusterActionSpec('drain', 'x', null, 'nodes', 0, NOW)).toEqual({ ok: false, error: 'no data for x yet; wait for its status' });
  });

  it('backs up the namespace of the selected workload under a valid backup id', () => {
    let s = apply(inCluster(), key('nextSection'), key('down'), key('down'), key('backup'));
    expect(s.dialog?.fieldText).toBe('search');
    s = apply(s, text(', payments'), key('submit'), key('submit'));
    const params = s.calls[0]?.params.params as { backupId: string; namespaces: string[] };
    expect(params.namespaces).toEqual(['search', 'payments']);
    expect(params.backupId).toBe('bk-20250601-120000');
    expect(BACKUP_ID.test(backupIdAt(NOW))).toBe(true);
  });

  it('does nothing for a viewer, even if an action arrives', () => {
    const viewer = apply(inCluster('viewer'), key('nextSection'));
    for (const action of ['scale', 'restart', 'backup', 'cordon', 'uncordon', 'drain', 'cancelJob'] as const) {
      expect(reduce(viewer, key(action))).toBe(viewer);
    }
  });
});
