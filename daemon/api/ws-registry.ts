// Everything the /ws endpoint serves: one line per topic and per group of call methods. The hub is
// built from these lists (daemon/main.ts); see "Seams" in docs/ARCHITECTURE.md to add a topic.
import { auditTopic } from '../audit/topic.js';
import { clusterTopic } from '../fleet/cluster-topic.js';
import type { FleetService } from '../fleet/service.js';
import { fleetTopic } from '../fleet/topic.js';
import type { JobService } from '../jobs/service.js';
import { jobsTopic } from '../jobs/topic.js';
import { jobMethods } from '../jobs/ws-calls.js';
import type { LogService } from '../logs/service.js';
import { logsTopic } from '../logs/topic.js';
import { logMethods } from '../logs/ws-calls.js';
import { pipelineOf } from '../logs/pipeline.js';
import { pipelineTopic } from '../logs/pipeline-topic.js';
import type { MetricsService } from '../metrics/service.js';
import { metricsTopic } from '../metrics/topic.js';
import { metricsMethods } from '../metrics/ws-calls.js';
import type { Registry } from '../registry/registry.js';
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';
import { grantsKey, grantsOf } from '../../core/access.js';
import { scopeView, seesAll, visibleClusters } from '../auth/scope.js';
import { pipelineFor } from '../logs/pipeline-scope.js';
import type { Topic } from './topic.js';
import type { WsMethod } from './ws-method.js';

/** The daemon's services topics and methods are built from. */
export interface WsSources {
  fleet: FleetService;
  jobs: JobService;
  logs: LogService;
  metrics: MetricsService;
  registry: Registry;
}

const clusterNames = (s: WsSources) => () => Array.from(s.fleet.state.values(), (e) => e.record.name);
/** The clusters a caller's reads of this action reach (null: all), from its grants. */
const visibleTo = (s: WsSources, action: AuthAction) => (who: Identity) => visibleClusters(who, action, () => Array.from(s.fleet.state.values(), (e) => e.record));
const labelsOf = (s: WsSources) => (name: string) => s.fleet.state.get(name)?.record.labels;
const viewOf = (s: WsSources, action: AuthAction) => (who: Identity) => scopeView(who, action, labelsOf(s));

export const TOPICS: ((s: WsSources) => Topic)[] = [
  (s) => fleetTopic(s.fleet.state),
  (s) => clusterTopic(s.fleet),
  (s) => jobsTopic(s.jobs, { view: viewOf(s, 'job.read'), visible: visibleTo(s, 'job.read') }),
  (s) => logsTopic(s.logs, clusterNames(s), { visible: visibleTo(s, 'log.read'), view: viewOf(s, 'log.read') }),
  (s) => metricsTopic(s.metrics, viewOf(s, 'cluster.read')),
  (s) => auditTopic(s.registry.audit),
  (s) =>
    pipelineTopic(
      (nowMs) => pipelineOf({ state: s.fleet.state, ingested: s.logs.ingested, registry: s.registry }, nowMs),
      (who) => (seesAll(who, 'cluster.read') ? null : { key: grantsKey(grantsOf(who)), narrow: (snap) => pipelineFor(who, snap, labelsOf(s)) }),
    ),
];

export const METHODS: ((s: WsSources) => WsMethod[])[] = [
  (s) => jobMethods(s.jobs),
  (s) => logMethods(s.logs, visibleTo(s, 'log.read')),
  (s) => metricsMethods(s.metrics, (name) => s.fleet.state.get(name) !== undefined),
];

export function wsPlugins(sources: WsSources): { topics: Topic[]; methods: WsMethod[] } {
  return { topics: TOPICS.map((make) => make(sources)), methods: METHODS.flatMap((make) => make(sources)) };
}
