// The jobs view's slice: its own filter, a cursor that stays on the selected job as new ones arrive,
// the cluster filter it starts with from a cluster view, and the cancel it opens a dialog for.
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../../core/jobs.js';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { type AppState, keyContext, topView, wantedTopics } from '../../../../../tui/state/app.js';
import { cancelJobSpec } from '../../../../../tui/state/job-actions.js';
import { visibleJobs } from '../../../../../tui/views/jobs/model.js';
import { DETAIL, NOW, apply } from '../../helpers.js';
import { JOBS, jobById, jobsState } from '../../jobs-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });
const ids = (jobs: readonly JobRecord[]) => jobs.map((j) => j.id.slice(0, 8));
const shown = (s: AppState) => visibleJobs(s.jobs, s.view.jobs);

describe('jobs view', () => {
  it('opens with J or :jobs, subscribes only while open, and goes back with esc', () => {
    let s = apply(jobsState(), key('jobs'));
    expect(topView(s)).toBe('jobs');
    expect(keyContext(s)).toBe('jobs');
    expect(wantedTopics(s)).toContain('jobs');
    expect(s.view.jobs.selected).toBe(JOBS[2]!.id);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('fleet');
    expect(wantedTopics(s)).not.toContain('jobs');
    s = apply(s, key('command'), text('jobs'), key('submit'));
    expect(topView(s)).toBe('jobs');
  });

  it('from a cluster view starts filtered to that cluster and keeps the cluster underneath', () => {
    let s = apply(jobsState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, key('jobs'));
    expect(s.view.jobs.filter).toBe('cluster:prod-us-1');
    expect(ids(shown(s))).toEqual(['00000002', '00000001']);
    expect(wantedTopics(s)).toContain('cluster:prod-us-1');
    s = apply(s, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 2, data: DETAIL });
    expect(s.view.cluster.detail?.rev).toBe(2);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('cluster');
    expect(s.view.cluster).toMatchObject({ name: 'prod-us-1' });
    expect(s.view.cluster.detail?.rev).toBe(2);
  });

  it('keeps its filter and selection when closed and opened again from the fleet', () => {
    let s = apply(jobsState(), key('jobs'), key('filter'), text('state:succeeded'), key('submit'), key('down'), key('back'));
    const kept = s.view.jobs;
    s = apply(s, key('jobs'));
    expect(s.view.jobs).toBe(kept);
    expect(kept.filter).toBe('state:succeeded');
  });

  it('moves the cursor, opens a job and keeps the selection when new jobs arrive on top', () => {
    let s = apply(jobsState(), key('jobs'), key('down'), key('down'));
    expect(s.view.jobs.selected).toBe(jobById(5).id);
    const newer = { ...jobById(1), id: '00000009-0000-4000-8000-000000000009', seq: 99, submittedAt: new Date(NOW).toISOString() };
    s = apply(s, { type: 'jobs/patch', rev: 2, changes: [newer] });
    expect(shown(s)[0]?.id).toBe(newer.id);
    expect(s.view.jobs.selected).toBe(jobById(5).id);
    expect(s.view.jobs.cursor).toBe(3);
    s = apply(s, key('openJob'));
    expect(topView(s)).toBe('job');
    expect(s.view.job).toEqual({ id: jobById(5).id });
    expect(keyContext(s)).toBe('job');
  });

  it('filters with / using its own filter, separate from the fleet one', () => {
    let s = apply(jobsState(), key('filter'), text('prod'), key('submit'), key('jobs'), key('filter'), text('state:failed'));
    expect(s.view.fleet.filter).toBe('prod');
    expect(s.view.jobs.filter).toBe('state:failed');
    expect(ids(shown(s))).toEqual(['00000002']);
    s = apply(s, key('submit'));
    expect(s.message).toBeNull();
    s = apply(s, key('filter'), key('erase'), key('erase'), key('erase'), key('erase'), key('erase'), key('erase'), text('dne'), key('submit'));
    expect(s.message?.text).toContain('unknown state "dne"');
    s = apply(s, key('filter'), key('cancel'));
    expect(s.view.jobs.filter).toBe('');
    expect(s.view.fleet.filter).toBe('prod');
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
