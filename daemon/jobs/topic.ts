// The `jobs` WebSocket topic: a snapshot of the newest jobs, then a patch with every changed
// JobRecord. A client that reads slower than we write gets its backlog coalesced per job (latest
// wins) and sent as one patch once its socket drains: bounded by the number of jobs, never by time.
import type { JobRecord } from '../../core/jobs.js';
import type { JobsPatchFrame, JobsSnapshotFrame } from '../../core/protocol.js';
import { named, TopicChannel, type NoParams } from '../api/topic-channel.js';
import type { JobService } from './service.js';

export const JOBS_SNAPSHOT_SIZE = 200;

export interface JobsEvent {
  rev: number;
  changed: JobRecord[];
}

export type JobsSource = Pick<JobService, 'rev' | 'list' | 'subscribe'>;

export function jobsTopic(jobs: JobsSource): TopicChannel<JobsEvent, NoParams, Map<string, JobRecord>> {
  return new TopicChannel<JobsEvent, NoParams, Map<string, JobRecord>>({
    pattern: 'jobs',
    parse: named('jobs'),
    action: 'job.read',
    snapshot: () => {
      const frame: JobsSnapshotFrame = { topic: 'jobs', kind: 'snapshot', rev: jobs.rev, data: jobs.list({ limit: JOBS_SNAPSHOT_SIZE }) };
      return { rev: frame.rev, frame };
    },
    listen: (publish) => jobs.subscribe((changed, rev) => publish({ rev, changed })),
    frame: (event): JobsPatchFrame => ({ topic: 'jobs', kind: 'patch', rev: event.rev, changes: event.changed }),
    slow: {
      kind: 'coalesce',
      merge: (backlog, event) => {
        const byId = backlog ?? new Map<string, JobRecord>();
        for (const r of event.changed) byId.set(r.id, r);
        return byId;
      },
      catchUp: (byId) => ({ rev: jobs.rev, frame: { topic: 'jobs', kind: 'patch', rev: jobs.rev, changes: [...byId.values()] } satisfies JobsPatchFrame }),
    },
  });
}
