import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../core/jobs.js';
import type { KeyAction } from '../../../../tui/keymap.js';
import { jobsViewOpen, keyContext, openClusterName, reduce, topView, visibleJobs, type AppState } from '../../../../tui/state/app.js';
import { fleetGroups, initialJobs, jobFilterProblems, matchesJobFilter, MAX_JOBS, parseJobFilter, reduceJobs, selectVisibleJobs } from '../../../../tui/state/jobs.js';
import { backupIdAt, cancelJobSpec, clusterActionSpec } from '../../../../tui/state/job-actions.js';
import { outcomeMessage } from '../../../../tui/state/calls.js';
import { jobDetailLines } from '../../../../tui/render/job-row.js';
import { BACKUP_ID } from '../../../../core/jobs.js';
import { DETAIL, NOW, apply } from '../helpers.js';
import { JOBS, jobById, jobsState } from '../jobs-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });
const ids = (jobs: readonly JobRecord[]) => jobs.map((j) => j.id.slice(0, 8));
const withState = (job: JobRecord, state: JobRecord['state']): JobRecord => ({ ...job, state });

describe('jobs state', () => {
  it('takes a snapshot and applies newer patches, ignoring stale ones', () => {
    let s = reduceJobs(initialJobs(), { type: 'jobs/patch', rev: 1, changes: [jobById(1)] });
    expect(s.byId.size).toBe(0);
    s = reduceJobs(s, { type: 'jobs/snapshot', rev: 3, jobs: JOBS });
    expect(s.byId.size).toBe(8);
    const running = withState(jobById(3), 'running');
    s = reduceJobs(s, { type: 'jobs/patch', rev: 4, changes: [running] });
    expect(s.byId.get(running.id)?.state).toBe('running');
    const stale = reduceJobs(s, { type: 'jobs/patch', rev: 4, changes: [withState(jobById(3), 'pending')] });
    expect(stale).toBe(s);
  });

  it('lists the newest first and keeps at most MAX_JOBS', () => {
    const s = reduceJobs(initialJobs(), { type: 'jobs/snapshot', rev: 1, jobs: JOBS });
    expect(ids(selectVisibleJobs(s, ''))).toEqual(['00000003', '00000004', '00000005', '00000006', '00000002', '00000001', '00000007', '00000008']);
    const many = Array.from({ length: MAX_JOBS + 10 }, (_, i) => ({
      ...jobById(1),
      id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
      seq: i + 1,
      submittedAt: new Date(NOW - (MAX_JOBS + 10 - i) * 1000).toISOString(),
    }));
    const capped = reduceJobs(initialJobs(), { type: 'jobs/snapshot', rev: 1, jobs: many });
    expect(capped.byId.size).toBe(MAX_JOBS);
    expect(capped.byId.has(many[0]!.id)).toBe(false);
    expect(capped.byId.has(many.at(-1)!.id)).toBe(true);
  });

  it('filters by cluster glob, state, type and plain words, all of which must match', () => {
    const s = reduceJobs(initialJobs(), { type: 'jobs/snapshot', rev: 1, jobs: JOBS });
    expect(ids(selectVisibleJobs(s, 'cluster:staging-*'))).toEqual(['00000004', '00000005', '00000006']);
    expect(ids(selectVisibleJobs(s, 'cluster:staging-* state:succeeded'))).toEqual(['00000005']);
    expect(ids(selectVisibleJobs(s, 'type:drain'))).toEqual(['00000002']);
    expect(ids(selectVisibleJobs(s, 'prod'))).toEqual(['00000003', '00000002', '00000001']);
    expect(ids(selectVisibleJobs(s, 'failed'))).toEqual(['00000002']);
    expect(matchesJobFilter(parseJobFilter('CLUSTER:PROD-US-?'), jobById(1))).toBe(true);
    expect(matchesJobFilter(parseJobFilter('cluster:prod.us-1'), jobById(1))).toBe(false);
  });

  it('reports misspelt states and types', () => {
    expect(jobFilterProblems('state:done type:scale')).toEqual([expect.stringContaining('unknown state "done"')]);
    expect(jobFilterProblems('type:reboot')).toEqual([expect.stringContaining('unknown job type "reboot"')]);
    expect(jobFilterProblems('state:cancelled cluster:x')).toEqual([]);
  });

  it('groups a fleet fan-out with counts per state', () => {
    const groups = fleetGroups(selectVisibleJobs(reduceJobs(initialJobs(), { type: 'jobs/snapshot', rev: 1, jobs: JOBS }), ''));
    expect(groups).toEqual([
      {
        fleetJobId: 'f1ee7000-0000-4000-8000-000000000001',
        type: 'cordon',
        total: 3,
        counts: [
          { state: 'dispatched', count: 1 },
          { state: 'running', count: 1 },
          { state: 'succeeded', count: 1 },
        ],
        done: false,
      },
    ]);
    const finished = JOBS.map((j) => (j.fleetJobId ? withState(j, 'succeeded') : j));
    expect(fleetGroups(finished)[0]).toMatchObject({ done: true, counts: [{ state: 'succeeded', count: 3 }] });
  });
});

describe('jobs view in the console', () => {
  it('opens with J or :jobs, subscribes only while open, and goes back with esc', () => {
    let s = apply(jobsState(), key('jobs'));
    expect(topView(s)).toEqual({ kind: 'jobs' });
    expect(keyContext(s)).toBe('jobs');
    expect(jobsViewOpen(s)).toBe(true);
    expect(s.jobSelected).toBe(JOBS[2]!.id);
    s = apply(s, key('back'));
    expect(topView(s)).toEqual({ kind: 'fleet' });
    expect(jobsViewOpen(s)).toBe(false);
    s = apply(s, key('command'), text('jobs'), key('submit'));
    expect(topView(s)).toEqual({ kind: 'jobs' });
  });

  it('from a cluster view starts filtered to that cluster and keeps the cluster underneath', () => {
    let s = apply(jobsState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, key('jobs'));
    expect(s.jobsFilter).toBe('cluster:prod-us-1');
    expect(ids(visibleJobs(s))).toEqual(['00000002', '00000001']);
    expect(openClusterName(s)).toBe('prod-us-1');
    s = apply(s, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 2, data: DETAIL });
    expect(s.detail?.rev).toBe(2);
    s = apply(s, key('back'));
    expect(topView(s)).toMatchObject({ kind: 'cluster', name: 'prod-us-1' });
    expect(s.detail?.rev).toBe(2);
  });

  it('moves the cursor, opens a job and keeps the selection when new jobs arrive on top', () => {
    let s = apply(jobsState(), key('jobs'), key('down'), key('down'));
    expect(s.jobSelected).toBe(jobById(5).id);
    const newer = { ...jobById(1), id: '00000009-0000-4000-8000-000000000009', seq: 99, submittedAt: new Date(NOW).toISOString() };
    s = apply(s, { type: 'jobs/patch', rev: 2, changes: [newer] });
    expect(visibleJobs(s)[0]?.id).toBe(newer.id);
    expect(s.jobSelected).toBe(jobById(5).id);
    expect(s.jobsCursor).toBe(3);
    s = apply(s, key('openJob'));
    expect(topView(s)).toEqual({ kind: 'job', id: jobById(5).id });
    expect(keyContext(s)).toBe('job');
  });

  it('filters with / using its own filter, separate from the fleet one', () => {
    let s = apply(jobsState(), key('filter'), text('prod'), key('submit'), key('jobs'), key('filter'), text('state:failed'));
    expect(s.filter).toBe('prod');
    expect(s.jobsFilter).toBe('state:failed');
    expect(ids(visibleJobs(s))).toEqual(['00000002']);
    s = apply(s, key('submit'));
    expect(s.message).toBeNull();
    s = apply(s, key('filter'), key('erase'), key('erase'), key('erase'), key('erase'), key('erase'), key('erase'), text('dne'), key('submit'));
    expect(s.message?.text).toContain('unknown state "dne"');
    s = apply(s, key('filter'), key('cancel'));
    expect(s.jobsFilter).toBe('');
    expect(s.filter).toBe('prod');
  });

  it('cancels a pending job after confirmation and queues exactly one job.cancel call', () => {
    let s = apply(jobsState(), key('jobs'), key('cancelJob'));
    expect(keyContext(s)).toBe('dialog');
    expect(s.dialog?.spec.title).toBe('cancel rotate-credentials job 00000003 on prod-eu-1');
    expect(s.calls).toEqual([]);
    s = apply(s, key('submit'));
    expect(s.dialog).toBeNull();
    expect(s.calls).toEqual([{ key: 1, method: 'job.cancel', params: { id: jobById(3).id }, label: 'cancel rotate-credentials job 00000003 on prod-eu-1' }]);
    expect(s.message?.text).toContain('submitting…');
    s = apply(s, { type: 'call/sent', key: 1 });
    expect(s.calls).toEqual([]);
  });

  it('refuses to cancel a job that has started or finished', () => {
    const s = apply(jobsState(), key('jobs'), key('down'), key('down'), key('down'), key('cancelJob'));
    expect(s.dialog).toBeNull();
    expect(s.message).toEqual({ text: 'job 00000006 is running; only pending or dispatched jobs can be cancelled', level: 'error' });
    expect(cancelJobSpec(undefined)).toEqual({ ok: false, error: 'no job selected' });
  });
});

describe('actions from the cluster view', () => {
  const inCluster = (role: 'viewer' | 'operator' = 'operator'): AppState =>
    apply(jobsState(role), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });

  it('moves a cursor over the focused section that actions work on', () => {
    let s = apply(inCluster(), key('down'), key('down'));
    expect(s.detailCursor).toBe(2);
    s = apply(s, key('nextSection'));
    expect(s.detailCursor).toBe(0);
    s = apply(s, key('bottom'));
    expect(s.detailCursor).toBe(DETAIL.workloads.length - 1);
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

  it('turns the answer into a message line with the job id or the error and its next step', () => {
    const s = apply(inCluster(), {
      type: 'call/done',
      call: { method: 'job.submit', label: 'drain us1-n3 on prod-us-1' },
      outcome: { ok: false, error: { code: 'forbidden', message: 'role viewer may not submit jobs', next: 'ask an admin for the operator role' } },
    });
    expect(s.message).toEqual({ text: 'drain us1-n3 on prod-us-1: role viewer may not submit jobs — ask an admin for the operator role', level: 'error' });
    expect(outcomeMessage({ method: 'job.submit', label: 'scale' }, { ok: true, result: { jobs: [jobById(1)] } })).toEqual({
      text: 'scale: job 00000001 submitted (seq 7) — J shows its progress',
      level: 'info',
    });
    expect(outcomeMessage({ method: 'job.submit', label: 'cordon' }, { ok: true, result: { jobs: JOBS.slice(3, 6) } }).text).toBe(
      'cordon: 3 jobs submitted (fleet f1ee7000) — J shows their progress',
    );
    expect(outcomeMessage({ method: 'job.submit', label: 'x' }, { ok: true, result: { nonsense: 1 } }).level).toBe('error');
    expect(outcomeMessage({ method: 'job.cancel', label: 'cancel' }, { ok: true, result: {} }).text).toBe('cancel: cancellation submitted');
  });
});

describe('job rendering', () => {
  it('masks anything that still looks like a sealed box, at any depth', () => {
    const box = { alg: 'X25519-HKDF-SHA256-A256GCM', epk: 'e', iv: 'i', ct: 'c', tag: 't' };
    const lines = jobDetailLines({ ...jobById(3), params: { name: 'db', sealed: box } }, NOW);
    expect(lines.map((l) => l.value).join('\n')).not.toContain('X25519');
  });
});
