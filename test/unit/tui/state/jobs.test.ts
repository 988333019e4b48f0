import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../core/jobs.js';
import { fleetGroups, initialJobs, jobFilterProblems, matchesJobFilter, MAX_JOBS, parseJobFilter, reduceJobs, selectVisibleJobs } from '../../../../tui/state/jobs.js';
import { NOW } from '../helpers.js';
import { JOBS, jobById } from '../jobs-helpers.js';

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
