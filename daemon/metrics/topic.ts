// The `metrics` WebSocket topics (docs/METRICS.md): `metrics:<cluster>` sends the cluster's last
// hour (the range answer) on subscribe and then each report's values as it is stored; `metrics`
// sends every cluster's values live, for a fleet-wide column on one time axis. A slow client keeps
// the newest points of each cluster it missed, sent as one frame once its socket drains.
import type { LivePoint } from '../../core/metrics/api.js';
import type { MetricsPointsFrame, MetricsSnapshotFrame } from '../../core/protocol.js';
import { assertClusterName } from '../../core/store/types.js';
import type { Identity } from '../../core/api.js';
import { TopicChannel } from '../api/topic-channel.js';
import type { ScopeView } from '../auth/scope.js';
import { parseRangeQuery } from './range-query.js';
import type { MetricsService } from './service.js';

const PREFIX = 'metrics:';
/** Points a slow subscription holds per cluster before the oldest go (the range answer has them all). */
const BACKLOG_PER_CLUSTER = 60;

interface MetricsParams {
  /** undefined: every cluster (the subscriber sees). */
  cluster: string | undefined;
  /** `metrics` of a scoped subscriber: which clusters' points it gets. */
  view: ScopeView | null;
}

interface PointsEvent {
  rev: number;
  points: LivePoint[];
}

/** `metrics` (every cluster's points) as a scoped subscriber sees it: the points of its clusters only. */
export function metricsTopic(metrics: Pick<MetricsService, 'onPoints' | 'range'>, viewOf: (who: Identity) => ScopeView | null): TopicChannel<PointsEvent, MetricsParams, LivePoint[]> {
  let rev = 0;
  const topicName = (p: MetricsParams) => (p.cluster === undefined ? 'metrics' : `${PREFIX}${p.cluster}`);
  const mine = (e: PointsEvent, p: MetricsParams) => (p.cluster !== undefined ? e.points.filter((x) => x.cluster === p.cluster) : p.view ? e.points.filter((x) => p.view?.sees(x.cluster)) : e.points);
  const pointsFrame = (points: LivePoint[], p: MetricsParams, r: number): MetricsPointsFrame => ({ topic: topicName(p), kind: 'points', rev: r, data: points });
  return new TopicChannel<PointsEvent, MetricsParams, LivePoint[]>({
    pattern: 'metrics, metrics:<cluster>',
    parse: (name, _query, _after, who) => {
      if (name === 'metrics') return { cluster: undefined, view: viewOf(who) };
      if (!name.startsWith(PREFIX)) return undefined;
      const cluster = name.slice(PREFIX.length);
      assertClusterName(cluster);
      return { cluster, view: null };
    },
    action: 'cluster.read',
    target: (p) => (p.cluster === undefined ? {} : { clusters: [p.cluster] }),
    snapshot: (p) => {
      const data = p.cluster === undefined ? null : metrics.range(parseRangeQuery(new URLSearchParams({ cluster: p.cluster, since: '1h' }), Date.now()));
      const frame: MetricsSnapshotFrame = { topic: topicName(p), kind: 'snapshot', rev, data };
      return { rev, frame };
    },
    listen: (publish) =>
      metrics.onPoints((points) => {
        rev += 1;
        publish({ rev, points });
      }),
    concerns: (e, p) => mine(e, p).length > 0,
    frame: (e, p) => pointsFrame(mine(e, p), p, e.rev),
    shareKey: (p) => `${topicName(p)} ${p.view?.key ?? ''}`,
    slow: {
      kind: 'coalesce',
      merge: (backlog, e, p) => {
        const held = [...(backlog ?? []), ...mine(e, p)];
        const perCluster = new Map<string, number>();
        // Newest first, so what goes past the bound is each cluster's oldest.
        return held.reverse().filter((x) => {
          const n = (perCluster.get(x.cluster) ?? 0) + 1;
          perCluster.set(x.cluster, n);
          return n <= BACKLOG_PER_CLUSTER;
        }).reverse();
      },
      catchUp: (backlog, p) => ({ rev, frame: pointsFrame(backlog, p, rev) }),
    },
  });
}
