// The `pipeline` WebSocket topic: the PipelineSnapshot of GET /api/v1/pipeline on subscribe, then a
// fresh one every PIPELINE_TICK_MS (its health is judged against the clock, so it moves between
// reports). A slow client gets only the newest snapshot once its socket drains: one per client, never
// a queue.
import type { PipelineSnapshot } from '../../core/pipeline.js';
import type { PipelineSnapshotFrame } from '../../core/protocol.js';
import { named, TopicChannel, type NoParams } from '../api/topic-channel.js';

export const PIPELINE_TICK_MS = 2000;

interface PipelineEvent {
  rev: number;
  snapshot: PipelineSnapshot;
}

export function pipelineTopic(snapshot: (nowMs: number) => PipelineSnapshot, tickMs = PIPELINE_TICK_MS): TopicChannel<PipelineEvent, NoParams, PipelineEvent> {
  let rev = 0;
  const frame = (e: PipelineEvent): PipelineSnapshotFrame => ({ topic: 'pipeline', kind: 'snapshot', rev: e.rev, data: e.snapshot });
  const channel: TopicChannel<PipelineEvent, NoParams, PipelineEvent> = new TopicChannel<PipelineEvent, NoParams, PipelineEvent>({
    pattern: 'pipeline',
    parse: named('pipeline'),
    action: 'cluster.read',
    snapshot: () => {
      const e = { rev, snapshot: snapshot(Date.now()) };
      return { rev: e.rev, frame: frame(e) };
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
    slow: { kind: 'coalesce', merge: (_backlog, event) => event, catchUp: (latest) => ({ rev: latest.rev, frame: frame(latest) }) },
  });
  return channel;
}
