// The `jobs` WebSocket topic: a snapshot of the newest jobs, then a patch with every changed
// JobRecord. A client that reads slower than we write gets its backlog coalesced per job (latest
// wins) and sent as one patch once its socket drains: bounded by the number of jobs, never by time.
import type { JobRecord } from '../../core/jobs.js';
import type { JobsPatchFrame, JobsSnapshotFrame } from '../../core/protocol.js';
import type { Identity } from '../../core/api.js';
import { TopicChannel } from '../api/topic-channel.js';
import type { ScopeView } from '../auth/scope.js';
import type { JobService } from './service.js';

export const JOBS_SNAPSHOT_SIZE = 200;

export interface JobsEvent {
  rev: number;
  changed: JobRecord[];
}

export type JobsSource = Pick<JobService, 'rev' | 'list' | 'subscribe'>;

/** Who sees which clusters' jobs: a subscription's view, and the names it sees now (for the snapshot). */
export interface JobsScope {
  view(who: Identity): ScopeView | null;
  visible(who: Identity): string[] | null;
}

interface JobsParams {
  view: ScopeView | null;
  visible: () => string[] | null;
}

/** A scoped subscriber gets the jobs of the clusters it sees (docs/ACCESS.md). */
export function jobsTopic(jobs: JobsSource, scope: JobsScope): TopicChannel<JobsEvent, JobsParams, Map<string, JobRecord>> {
  const mine = (changed: readonly JobRecord[], p: JobsParams) => (p.view === null ? changed : changed.filter((j) => p.view?.sees(j.cluster)));
  return new TopicChannel<JobsEvent, JobsParams, Map<string, JobRecord>>({
    pattern: 'jobs',
    parse: (name, _query, _after, who) => (name === 'jobs' ? { view: scope.view(who), visible: () => scope.visible(who) } : undefined),
    action: 'job.read',
    snapshot: (p) => {
      const visible = p.visible();
      const frame: JobsSnapshotFrame = { topic: 'jobs', kind: 'snapshot', rev: jobs.rev, data: jobs.list({ limit: JOBS_SNAPSHOT_SIZE, ...(visible ? { clusters: visible } : {}) }) };
      return { rev: frame.rev, frame };
    },
    listen: (publish) => jobs.subscribe((changed, rev) => publish({ rev, changed })),
    concerns: (event, p) => mine(event.changed, p).length > 0,
    frame: (event, p): JobsPatchFrame => ({ topic: 'jobs', kind: 'patch', rev: event.rev, changes: [...mine(event.changed, p)] }),
    shareKey: (p) => p.view?.key ?? '',
    slow: {
      kind: 'coalesce',
      merge: (backlog, event, p) => {
        const byId = backlog ?? new Map<string, JobRecord>();
        for (const r of mine(event.changed, p)) byId.set(r.id, r);
        return byId;
      },
      catchUp: (byId) => ({ rev: jobs.rev, frame: { topic: 'jobs', kind: 'patch', rev: jobs.rev, changes: [...byId.values()] } satisfies JobsPatchFrame }),
    },
  });
}
