// The `jobs` WebSocket topic: a snapshot of the newest jobs, then a patch with every changed
// JobRecord. A client that reads slower than we write gets its backlog coalesced per job (latest
// wins) and sent as one patch once its socket drains: bounded by the number of jobs, never by time.
import type { JobRecord } from '../../core/jobs.js';
import type { JobsPatchFrame, JobsSnapshotFrame } from '../../core/protocol.js';
import type { WsSession } from '../api/ws-session.js';
import type { JobService } from './service.js';

export const JOBS_SNAPSHOT_SIZE = 200;

export class JobsTopic {
  private readonly subscribers = new Map<WsSession, Map<string, JobRecord>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly jobs: JobService) {
    this.unsubscribe = jobs.subscribe((changed, rev) => this.onChange(changed, rev));
  }

  get size(): number {
    return this.subscribers.size;
  }

  add(session: WsSession): void {
    this.subscribers.set(session, new Map());
    const frame: JobsSnapshotFrame = { topic: 'jobs', kind: 'snapshot', rev: this.jobs.rev, data: this.jobs.list({ limit: JOBS_SNAPSHOT_SIZE }) };
    session.send(frame);
  }

  remove(session: WsSession): void {
    this.subscribers.delete(session);
  }

  private onChange(changed: JobRecord[], rev: number): void {
    if (this.subscribers.size === 0) return;
    const text = JSON.stringify({ topic: 'jobs', kind: 'patch', rev, changes: changed } satisfies JobsPatchFrame);
    for (const [session, backlog] of this.subscribers) {
      if (!session.open) {
        this.subscribers.delete(session);
        continue;
      }
      if (session.slow || backlog.size > 0) for (const r of changed) backlog.set(r.id, r);
      else session.sendText(text);
    }
  }

  /** Sends each drained client its coalesced backlog as one patch. */
  flush(): void {
    for (const [session, backlog] of this.subscribers) {
      if (backlog.size === 0 || session.slow || !session.open) continue;
      const frame: JobsPatchFrame = { topic: 'jobs', kind: 'patch', rev: this.jobs.rev, changes: [...backlog.values()] };
      backlog.clear();
      session.send(frame);
    }
  }

  close(): void {
    this.unsubscribe();
    this.subscribers.clear();
  }
}
