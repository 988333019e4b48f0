// The status report an agent writes to clusters/<c>/status.json (DESIGN.md §3.5). The store is
// untrusted, so the daemon parses every payload with this schema after the signature checks out.
import { z } from 'zod';

const count = z.number().int().nonnegative();
const name = z.string().min(1).max(253);

export const NodeStatusSchema = z.object({
  name,
  ready: z.boolean(),
  unschedulable: z.boolean(),
  /** Why the node is not Ready, if it is not (e.g. "KubeletNotReady"). */
  reason: z.string().max(256).optional(),
  capacity: z.object({ cpuMillis: count, memoryBytes: count, pods: count }),
  usage: z.object({ cpuMillis: count, memoryBytes: count, pods: count }),
});

export const WorkloadStatusSchema = z.object({
  namespace: name,
  name,
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  desired: count,
  ready: count,
});

export const PodProblemSchema = z.object({
  namespace: name,
  pod: name,
  reason: z.enum(['CrashLoopBackOff', 'OOMKilled', 'Pending', 'ImagePullBackOff', 'Error']),
  restarts: count,
  sinceSeconds: count,
});

export const EventSchema = z.object({
  ts: z.string().max(40),
  namespace: z.string().max(253),
  object: z.string().max(512),
  reason: z.string().max(128),
  message: z.string().max(2048),
  count: count,
});

/** Up to this many refused log sources are named in a report; the rest are only counted. */
export const REFUSED_SOURCES_LISTED = 10;

export const PIPELINE_TRANSPORTS = ['daemon', 'rabbitmq', 'off'] as const;
export type PipelineTransport = (typeof PIPELINE_TRANSPORTS)[number];

/**
 * The agent's edge broker, sampled through its management API every status interval while the
 * cluster has a RabbitMQ logging config (docs/LOGS.md, "The pipeline"). A field is null when the
 * broker has not sampled it yet or the read failed; `error` says why the last read failed.
 */
export const EdgeFiguresSchema = z.object({
  sampledAt: z.string().max(40),
  /** Messages (batches) in the outbox, ready and unacked; null until the broker has sampled the queue. */
  outboxMessages: count.nullable(),
  /** Message bytes in the outbox, ready and held unacked by the shovel. */
  outboxBytes: count.nullable(),
  /** Bytes of the ready messages: what the byte cap counts (the shovel's unacked deliveries do not). */
  outboxReadyBytes: count.nullable(),
  /** The outbox's byte cap from the applied logging config. */
  outboxMaxBytes: count,
  /** The shovel to the center: null when the edge runs none. */
  shovel: z.object({ state: z.string().max(32), reason: z.string().max(256).nullable() }).nullable(),
  /** Why the last read of the management API failed; null when it answered. */
  error: z.string().max(512).nullable(),
});
export type EdgeFigures = z.infer<typeof EdgeFiguresSchema>;

/**
 * The agent's log shipping figures (docs/LOGS.md, Shipping). The first three are as old as the
 * status report; the rest came with log shipping and are optional so an older agent's report
 * still parses. Counters (`dropped`, `droppedBytes`) count since the agent started.
 */
export const PipelineSchema = z.object({
  /** Records read and not yet acked by the next hop (at most one batch per input). */
  queueDepth: count,
  oldestUnshippedSeconds: count,
  /** Lines dropped since the agent started (rotated or deleted away before they were shipped). */
  dropped: count,
  transport: z.enum(PIPELINE_TRANSPORTS).optional(),
  linesReadPerSecond: z.number().nonnegative().max(1e9).optional(),
  linesShippedPerSecond: z.number().nonnegative().max(1e9).optional(),
  /** Bytes in the sources past the committed checkpoints. */
  bytesBehind: count.optional(),
  droppedBytes: count.optional(),
  /** Error and fatal lines shipped in the last minute. */
  errorLinesPerMinute: count.optional(),
  /** Sources (files, API streams) followed now. */
  sources: count.optional(),
  refusedSources: z
    .object({
      count: count,
      listed: z.array(z.object({ path: z.string().max(4096), reason: z.string().max(256) })).max(REFUSED_SOURCES_LISTED),
    })
    .optional(),
  /** Why the last ship attempt failed, while shipping fails; null once a batch is acked again. */
  lastError: z.string().max(512).nullable().optional(),
  /** The edge broker as its management API last answered (RabbitMQ chain only). */
  edge: EdgeFiguresSchema.optional(),
});
export type PipelineFigures = z.infer<typeof PipelineSchema>;

/** A store object the agent refused (a forged job, say), reported in its signed status so the daemon can record and audit it. */
export const AgentRejectionSchema = z.object({
  key: z.string().max(1024),
  reason: z.string().max(64),
  detail: z.string().max(1024),
  at: z.string().max(40),
});

export const StatusReportSchema = z.object({
  cluster: name,
  /** Grows by one per report; lets the daemon ignore a replayed older report. */
  seq: count,
  reportedAt: z.string().max(40),
  intervalSeconds: z.number().positive().max(86_400),
  agentVersion: z.string().max(64),
  kubernetesVersion: z.string().max(64),
  nodes: z.array(NodeStatusSchema).max(5000),
  workloads: z.array(WorkloadStatusSchema).max(20_000),
  pods: z.object({ running: count, pending: count, succeeded: count, failed: count, unknown: count, total: count }),
  restarts: count,
  podProblems: z.array(PodProblemSchema).max(500),
  events: z.array(EventSchema).max(200),
  pipeline: PipelineSchema,
  metrics: z.object({
    cpuUsageRatio: z.number().min(0).max(100),
    memoryUsageRatio: z.number().min(0).max(100),
    podDensityRatio: z.number().min(0).max(100),
  }),
  /** Store objects the agent refused since its previous report (absent from agents that refused none). */
  rejections: z.array(AgentRejectionSchema).max(100).optional(),
  /** The highest job seq the agent has finished, so the daemon sees progress even before results land. */
  lastJobSeq: count.optional(),
  /** The job seq the agent's runner is executing at report time, if any; the daemon marks that job `running`. */
  runningJobSeq: z.number().int().positive().optional(),
  /** The version of the cluster's logging config (configure-logging) the agent ships by; absent until one is applied. */
  loggingConfigVersion: z.number().int().positive().optional(),
  /** The version of the cluster's monitoring config (configure-monitoring) its edge Prometheus runs; absent until one is applied. */
  monitoringConfigVersion: z.number().int().positive().optional(),
});

export type NodeStatus = z.infer<typeof NodeStatusSchema>;
export type WorkloadStatus = z.infer<typeof WorkloadStatusSchema>;
export type PodProblem = z.infer<typeof PodProblemSchema>;
export type ClusterEvent = z.infer<typeof EventSchema>;
export type StatusReport = z.infer<typeof StatusReportSchema>;
export type AgentRejection = z.infer<typeof AgentRejectionSchema>;
