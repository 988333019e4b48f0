/* eslint-disable @typescript-eslint/no-unsafe-return -- frames are checked by assertions, not by types */
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../core/jobs.js';
import type { JobsListener } from '../../../../daemon/jobs/service.js';
import { JOBS_SNAPSHOT_SIZE, jobsTopic, type JobsSource } from '../../../../daemon/jobs/topic.js';
import type { JobQuery } from '../../../../daemon/registry/jobs.js';
import { fakeSession, openNow, setSlow } from '../api/fake-session.js';
import { FLEET_ADMIN } from '../../../harness/identities.js';

function job(n: number, state: JobRecord['state'] = 'pending'): JobRecord {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    cluster: 'alpha',
    seq: n,
    type: 'cordon',
    params: { node: 'n1' },
    destructive: false,
    state,
    issuer: { tokenId: 'tok_1', name: 'op' },
    submittedAt: '2030-01-01T00:00:00.000Z',
    notAfter: '2030-01-01T01:00:00.000Z',
    fleetJobId: null,
    result: null,
  };
}

/** The job service's side of the topic: its rev, its newest-first list, and change notices. */
class Jobs implements JobsSource {
  rev = 0;
  readonly records = new Map<string, JobRecord>();
  readonly queries: JobQuery[] = [];
  private readonly listeners = new Set<JobsListener>();

  subscribe(l: JobsListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  list(q: JobQuery): JobRecord[] {
    this.queries.push(q);
    return [...this.records.values()].sort((a, b) => b.seq - a.seq).slice(0, q.limit);
  }

  change(...records: JobRecord[]): void {
    for (const r of records) this.records.set(r.id, r);
    this.rev += 1;
    for (const l of this.listeners) l(records, this.rev);
  }

  get listening(): number {
    return this.listeners.size;
  }
}

function subscribe(topic: ReturnType<typeof jobsTopic>) {
  const { sock, session } = fakeSession();
  const { rev, snapshot } = openNow(topic.match('jobs', undefined, undefined, FLEET_ADMIN)!, session);
  session.sendText(JSON.stringify(snapshot));
  return { sock, session, rev };
}

/** Every subscriber sees every cluster's jobs (scoped views: test/integration/daemon/access.test.ts). */
const UNSCOPED_JOBS = { view: () => null, visible: () => null };

describe('jobs topic', () => {
  it('serves only "jobs", for anyone who may read jobs', () => {
    const topic = jobsTopic(new Jobs(), UNSCOPED_JOBS);
    expect(topic.match('jobs:x', undefined, undefined, FLEET_ADMIN)).toBeUndefined();
    expect(topic.match('jobs', undefined, undefined, FLEET_ADMIN)).toMatchObject({ action: 'job.read', target: {} });
  });

  it('starts with the newest jobs at the current rev, then sends every change as a patch of whole records', () => {
    const jobs = new Jobs();
    jobs.change(job(1), job(2));
    const topic = jobsTopic(jobs, UNSCOPED_JOBS);
    const { sock, rev } = subscribe(topic);
    expect(rev).toBe(1);
    expect(jobs.queries).toEqual([{ limit: JOBS_SNAPSHOT_SIZE }]);
    jobs.change(job(2, 'dispatched'));
    jobs.change(job(3));
    expect(sock.sent.map((f) => [f.kind, f.rev, (f.data ?? f.changes).map((r: JobRecord) => `${r.seq}:${r.state}`)])).toEqual([
      ['snapshot', 1, ['2:pending', '1:pending']],
      ['patch', 2, ['2:dispatched']],
      ['patch', 3, ['3:pending']],
    ]);
  });

  it('coalesces a slow client per job, latest record winning, into one patch at the current rev once drained', () => {
    const jobs = new Jobs();
    const topic = jobsTopic(jobs, UNSCOPED_JOBS);
    const { sock, session } = subscribe(topic);
    setSlow(sock, true);
    jobs.change(job(1));
    jobs.change(job(1, 'dispatched'), job(2));
    jobs.change(job(1, 'succeeded'));
    topic.flush(session);
    expect(sock.sent).toHaveLength(1);
    setSlow(sock, false);
    topic.flush(session);
    topic.flush(session);
    expect(sock.sent.slice(1).map((f) => [f.kind, f.rev, f.changes.map((r: JobRecord) => `${r.seq}:${r.state}`)])).toEqual([['patch', 3, ['1:succeeded', '2:pending']]]);
  });

  it('stops listening to the job service when closed', () => {
    const jobs = new Jobs();
    const topic = jobsTopic(jobs, UNSCOPED_JOBS);
    expect(jobs.listening).toBe(1);
    topic.close();
    expect(jobs.listening).toBe(0);
  });
});
