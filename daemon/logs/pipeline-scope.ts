// The pipeline as a scoped caller sees it (docs/ACCESS.md): its clusters' rows, and totals over those
// rows only, so the fleet's figures do not show through. A caller with a grant over the whole fleet
// gets the snapshot as it is.
import type { Identity } from '../../core/api.js';
import type { PipelineSnapshot } from '../../core/pipeline.js';
import { allowedClusters, type LabelsOf } from '../auth/authorize.js';
import { seesAll } from '../auth/scope.js';
import { pipelineSnapshot } from './pipeline-model.js';

export function pipelineFor(who: Identity, snapshot: PipelineSnapshot, labelsOf: LabelsOf): PipelineSnapshot {
  if (seesAll(who, 'cluster.read')) return snapshot;
  const rows = allowedClusters(who, 'cluster.read', snapshot.rows, (r) => labelsOf(r.cluster) ?? {});
  return pipelineSnapshot(rows, Date.parse(snapshot.at));
}
