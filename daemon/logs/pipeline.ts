// The log pipeline of every cluster, assembled from what the daemon holds in memory (each agent's
// last report, what the center ingested) and the drops in the registry; the rules are pure
// (pipeline-model.ts). Served by GET /api/v1/pipeline and `flotilla pipeline`.
import type { PipelineSnapshot } from '../../core/pipeline.js';
import type { FleetState } from '../fleet/state.js';
import type { Registry } from '../registry/registry.js';
import { pipelineRow, pipelineSnapshot } from './pipeline-model.js';
import type { IngestFigures } from './ingest-figures.js';

/** Drop reports read per cluster to find those of the recent window. */
const RECENT_DROP_REPORTS = 50;

export function pipelineOf(src: { state: FleetState; ingested: IngestFigures; registry: Registry }, nowMs: number): PipelineSnapshot {
  const rows = Array.from(src.state.values(), (e) => {
    const cluster = e.record.name;
    const latest = e.latest;
    return pipelineRow({
      cluster,
      nowMs,
      report: latest ? { receivedAtMs: latest.receivedAtMs, intervalSeconds: latest.intervalSeconds, figures: latest.figures } : null,
      silentAfterIntervals: src.state.unreachableAfterIntervals,
      lagSeconds: src.state.logsLagSeconds,
      ingest: src.ingested.figures(cluster, nowMs),
      dropped: src.registry.logDrops.totalsOf(cluster),
      recentDrops: src.registry.logDrops.recent(cluster, RECENT_DROP_REPORTS),
    });
  });
  return pipelineSnapshot(rows, nowMs);
}
