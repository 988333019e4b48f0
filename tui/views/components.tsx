// Which component draws each registered view. The type asks for an entry for every kind in
// registry.ts, so a view registered there without a component does not compile.
import type { ComponentType } from 'react';
import type { ViewKind, ViewSlices } from './registry.js';
import { ClusterView } from './cluster/ClusterView.js';
import { FleetView } from './fleet/FleetView.js';
import { JobView } from './job/JobView.js';
import { JobsView } from './jobs/JobsView.js';
import { LogContextView } from './logs/LogContextView.js';
import { LogsView } from './logs/LogsView.js';
import { MetricsView } from './metrics/MetricsView.js';
import { PipelineView } from './pipeline/PipelineView.js';
import { AuditView } from './audit/AuditView.js';
import type { ViewProps } from './view-props.js';

export interface ViewComponent<S> {
  Component: ComponentType<ViewProps<S>>;
  /**
   * `vertical` for a view that truncates every line to the width itself: horizontal clipping makes Ink
   * re-slice each line's ANSI text on every frame, which the fleet table (the most frequent and
   * largest frame) cannot afford. Every other view is clipped both ways, since a line wider than the
   * terminal would wrap, scroll the screen and push the header off.
   */
  clip: 'vertical' | 'both';
}

export const VIEW_COMPONENTS: { [K in ViewKind]: ViewComponent<ViewSlices[K]> } = {
  fleet: { Component: FleetView, clip: 'vertical' },
  cluster: { Component: ClusterView, clip: 'both' },
  jobs: { Component: JobsView, clip: 'both' },
  job: { Component: JobView, clip: 'both' },
  logs: { Component: LogsView, clip: 'both' },
  logContext: { Component: LogContextView, clip: 'both' },
  pipeline: { Component: PipelineView, clip: 'both' },
  metrics: { Component: MetricsView, clip: 'both' },
  audit: { Component: AuditView, clip: 'both' },
};
