// The `pipeline` WebSocket topic: the PipelineSnapshot of GET /api/v1/pipeline on subscribe, then a
// fresh one every PIPELINE_TICK_MS (its health is judged against the clock, so it moves between
// reports). A slow client gets only the newest snapshot once its socket drains: one per client, never
// a queue.
import type { PipelineSnapshot } from '../../core/pipeline.js';
import type { PipelineSnapshotFrame } from '../../core/protocol.js';
import type { Identity } from '../../core/api.js';
import { TopicChannel } from '../api/topic-channel.js';

export const PIPELINE_TICK_MS = 2000;

interface PipelineEvent {
  rev: number;
  snapshot: PipelineSnapshot;
}

/** A subscriber's view of the pipeline: the snapshot as it is, or narrowed to a scoped caller's rows and totals. */
export type PipelineScope = (who: Identity) => { key: string; narrow(s: PipelineSnapshot): PipelineSnapshot } | null;

interface PipelineParams {
  scope: ReturnType<PipelineScope>;
}

export function pipelineTopic(snapshot: (nowMs: number) => PipelineSnapshot, scopeOf: PipelineScope, tickMs = PIPELINE_TICK_MS): TopicChannel<PipelineEvent, PipelineParams, PipelineEvent> {
  let rev = 0;
  const frame = (e: PipelineEvent, p: PipelineParams): PipelineSnapshotFrame => ({ topic: 'pipeline', kind: 'snapshot', rev: e.rev, data: p.scope ? p.scope.narrow(e.snapshot) : e.snapshot });
  const channel: TopicChannel<PipelineEvent, PipelineParams, PipelineEvent> = new TopicChannel<PipelineEvent, PipelineParams, PipelineEvent>({
    pattern: 'pipeline',
    parse: (name, _query, _after, who) => (name === 'pipeline' ? { scope: scopeOf(who) } : undefined),
    action: 'cluster.read',
    snapshot: (p) => {
      const e = { rev, snapshot: snapshot(Date.now()) };
      return { rev: e.rev, frame: frame(e, p) };
    },
    listen: (publish) => {
      const timer = setInterval(() => {
        // A snapshot reads every cluster's recent drops from the registry: not for nobody.
        if (!channel.hasSubscribers()) return;
        rev += 1;
        publish({ rev, snapshot: snapshot(Date.now()) });
      }, tickMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    frame,
    shareKey: (p) => p.scope?.key ?? '',
    slow: { kind: 'coalesce', merge: (_backlog, event) => event, catchUp: (latest, p) => ({ rev: latest.rev, frame: frame(latest, p) }) },
  });
  return channel;
}
