// The job view's slice is the job it shows; it keeps the jobs topic subscribed and cancels that job.
import { describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { keyContext, topView, wantedTopics } from '../../../../../tui/state/app.js';
import { apply } from '../../helpers.js';
import { JOBS, jobById, jobsState } from '../../jobs-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });

describe('job view', () => {
  it('shows the job opened from the list, over the list, and forgets it on the way back', () => {
    let s = apply(jobsState(), key('jobs'), key('openJob'));
    expect(s.stack).toEqual(['fleet', 'jobs', 'job']);
    expect(s.view.job).toEqual({ id: jobById(3).id });
    expect(wantedTopics(s)).toContain('jobs');
    s = apply(s, key('back'));
    expect(topView(s)).toBe('jobs');
    expect(s.view.job).toEqual({ id: null });
    expect(wantedTopics(s)).toContain('jobs');
  });

  it('cancels the job it shows, never the one the list has selected meanwhile', () => {
    let s = apply(jobsState(), key('jobs'), key('openJob'));
    expect(apply(s, key('cancelJob')).dialog?.spec.jobId).toBe(jobById(3).id);
    // A new snapshot without the job moves the list's selection to another job.
    s = apply(s, { type: 'jobs/snapshot', rev: 5, jobs: JOBS.filter((j) => j.id !== jobById(3).id) });
    expect(s.view.jobs.selected).not.toBeNull();
    expect(s.view.jobs.selected).not.toBe(jobById(3).id);
    const after = apply(s, key('cancelJob'));
    expect(keyContext(after)).toBe('job');
    expect(after.dialog).toBeNull();
    expect(after.message).toEqual({ text: 'no job selected', level: 'error' });
  });

  it('closes when :jobs reopens the list, which stays as it was', () => {
    let s = apply(jobsState(), key('jobs'), key('down'), key('openJob'));
    const list = s.view.jobs;
    s = apply(s, key('command'), text('jobs'), key('submit'));
    expect(s.stack).toEqual(['fleet', 'jobs']);
    expect(s.view.job).toEqual({ id: null });
    expect(s.view.jobs).toBe(list);
  });
});
