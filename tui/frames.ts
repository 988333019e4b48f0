// Server frames as the TUI accepts them. The link could be proxied or the daemon mismatched, so every
// frame is validated; a bad one is logged and skipped, never allowed to crash the console.
import type { AuditRecord } from '../core/api.js';
import type { ConsoleIdentity } from './state/connection.js';
import { z } from 'zod';
import { LogDropSchema } from '../core/logs/batch.js';
import { HEALTH_STATES, type ClusterDetail, type ClusterRow, type FleetChange } from '../core/fleet.js';
import { ROLES } from '../core/roles.js';
import { firstIssue } from '../core/schema-issue.js';
import type { PipelineSnapshot } from '../core/pipeline.js';
import { EventSchema, NodeStatusSchema, PIPELINE_TRANSPORTS, PipelineSchema, PodProblemSchema, StatusReportSchema, WorkloadStatusSchema } from '../core/status.js';
import { JOB_REJECTION_REASONS, JOB_STATES, JOB_TYPES, RESULT_STATES, type JobRecord } from '../core/jobs.js';
import { LOGS_TOPIC_LIMITS } from '../core/logs/api.js';
import { LogRecordSchema, type StoredLogRecord } from '../core/logs/record.js';
import type { LivePoint, MetricsRange } from '../core/metrics/api.js';

const count = z.number().int().nonnegative();
const iso = z.string().max(40);

const ClusterRowSchema = z.object({
  name: z.string().min(1).max(253),
  labels: z.record(z.string(), z.string()),
  registration: z.enum(['pending', 'registered', 'expired']),
  health: z.enum(HEALTH_STATES),
  reasons: z.array(z.string().max(1024)).max(100),
  reportedAt: iso.nullable(),
  dataAgeSeconds: z.number().nullable(),
  intervalSeconds: z.number().positive(),
  kubernetesVersion: z.string().max(64).nullable(),
  agentVersion: z.string().max(64).nullable(),
  nodes: z.object({ ready: count, total: count }),
  pods: z.object({ running: count, total: count }),
  restarts: count,
  // An older daemon sends no error-lines rate: shown as unknown.
  errorLinesPerMinute: count.nullable().default(null),
  expiresAt: iso.nullable(),
}) satisfies z.ZodType<ClusterRow>;

const FleetChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('upsert'), row: ClusterRowSchema }),
  z.object({ op: z.literal('remove'), name: z.string().min(1) }),
]) satisfies z.ZodType<FleetChange>;

const HealthSchema = z.enum(HEALTH_STATES);

const ClusterDetailSchema = z.object({
  row: ClusterRowSchema,
  nodes: z.array(NodeStatusSchema),
  workloads: z.array(WorkloadStatusSchema),
  podProblems: z.array(PodProblemSchema),
  events: z.array(EventSchema),
  pipeline: PipelineSchema.nullable(),
  metrics: StatusReportSchema.shape.metrics.nullable(),
  transitions: z.array(z.object({ at: iso, from: HealthSchema, to: HealthSchema, reasons: z.array(z.string()) })),
  rejections: z.array(z.object({ at: iso, cluster: z.string().nullable(), key: z.string(), reason: z.string() })),
  // a daemon from before log shipping sends none
  logDrops: z.object({ lines: count, bytes: count, recent: z.array(LogDropSchema) }).default({ lines: 0, bytes: 0, recent: [] }),
}) satisfies z.ZodType<ClusterDetail>;

export const JobRecordSchema = z.object({
  id: z.string().min(1).max(64),
  cluster: z.string().min(1).max(253),
  seq: z.number().int().positive(),
  type: z.enum(JOB_TYPES),
  params: z.record(z.string(), z.unknown()),
  destructive: z.boolean(),
  state: z.enum(JOB_STATES),
  issuer: z.object({ tokenId: z.string().max(128), name: z.string().max(256) }),
  submittedAt: iso,
  notAfter: iso,
  fleetJobId: z.string().max(64).nullable(),
  result: z
    .object({
      state: z.enum(RESULT_STATES),
      startedAt: iso,
      finishedAt: iso,
      detail: z.string().max(4096),
      reason: z.enum(JOB_REJECTION_REASONS).nullable(),
      output: z.record(z.string(), z.unknown()).nullable(),
    })
    .nullable(),
}) satisfies z.ZodType<JobRecord>;

const HelloSchema = z.object({
  kind: z.literal('hello'),
  identity: z.object({
    provider: z.string().max(64),
    subject: z.string().max(256),
    name: z.string().max(256),
    role: z.enum(ROLES),
    grants: z.array(z.object({ role: z.enum(ROLES), scope: z.string().max(1024).nullable() })).max(1000).optional(),
  }),
});

const FleetSnapshotSchema = z.object({ topic: z.literal('fleet'), kind: z.literal('snapshot'), rev: count, data: z.array(ClusterRowSchema) });
const FleetPatchSchema = z.object({ topic: z.literal('fleet'), kind: z.literal('patch'), rev: count, fromRev: count, changes: z.array(FleetChangeSchema) });
const ClusterSnapshotSchema = z.object({ topic: z.string().startsWith('cluster:'), kind: z.literal('snapshot'), rev: count, data: ClusterDetailSchema.nullable() });
const DroppedSchema = z.object({ topic: z.string(), kind: z.literal('dropped'), count });
const ReplySchema = z.object({ id: count, result: z.unknown().optional(), error: z.object({ code: z.string(), message: z.string(), next: z.string().optional() }).optional() });
const JobsSnapshotSchema = z.object({ topic: z.literal('jobs'), kind: z.literal('snapshot'), rev: count, data: z.array(JobRecordSchema) });
const JobsPatchSchema = z.object({ topic: z.literal('jobs'), kind: z.literal('patch'), rev: count, changes: z.array(JobRecordSchema) });

const seconds = z.number().nonnegative();
const PipelineHealthSchema = z.enum(['healthy', 'degraded', 'critical', 'unknown']);

const PipelineRowSchema = z.object({
  cluster: z.string().min(1).max(253),
  health: PipelineHealthSchema,
  reasons: z.array(z.string().max(1024)).max(100),
  transport: z.enum(PIPELINE_TRANSPORTS).nullable(),
  reportAgeSeconds: seconds.nullable(),
  agent: z
    .object({
      queueDepth: count,
      bytesBehind: count,
      oldestUnshippedSeconds: seconds,
      linesReadPerSecond: seconds.nullable(),
      linesShippedPerSecond: seconds.nullable(),
      lastError: z.string().max(1024).nullable(),
    })
    .nullable(),
  // a daemon from before the edge figures sends none: read as the embedded chain's
  edge: z
    .object({
      outboxMessages: count.nullable(),
      outboxBytes: count.nullable(),
      outboxReadyBytes: count.nullable(),
      outboxMaxBytes: count,
      shovelState: z.string().max(32),
      shovelReason: z.string().max(1024).nullable(),
      sampledAgeSeconds: seconds,
      error: z.string().max(1024).nullable(),
    })
    .nullable()
    .default(null),
  ingestLinesPerSecond: seconds,
  newestIngestedTs: iso.nullable(),
  lagSeconds: seconds.nullable(),
  deadLetters: count,
  dropped: z.object({ lines: count, bytes: count }),
});

const PipelineSnapshotDataSchema = z.object({
  at: iso,
  rows: z.array(PipelineRowSchema),
  totals: z.object({
    clusters: count,
    byHealth: z.object({ healthy: count, degraded: count, critical: count, unknown: count }),
    ingestLinesPerSecond: seconds,
    queueDepth: count,
    bytesBehind: count,
    outboxMessages: count.default(0),
    outboxBytes: count.default(0),
    deadLetters: count,
    droppedLines: count,
    maxLagSeconds: seconds.nullable(),
  }),
}) satisfies z.ZodType<PipelineSnapshot>;

/** An audit record as the console shows it (core/api.ts AuditRecord); a few hundred at most a frame. */
const AuditRecordSchema = z.object({
  seq: count,
  at: iso,
  actor: z.object({ id: z.string().max(256), name: z.string().max(256) }),
  action: z.string().max(64),
  target: z.string().max(2048),
  allowed: z.boolean(),
  detail: z.record(z.string(), z.unknown()),
  prevHash: z.string().max(64),
  hash: z.string().max(64),
}) satisfies z.ZodType<AuditRecord>;
const AuditSnapshotSchema = z.object({ topic: z.literal('audit'), kind: z.literal('snapshot'), rev: count, data: z.array(AuditRecordSchema).max(2000) });
const AuditRecordsSchema = z.object({ topic: z.literal('audit'), kind: z.literal('records'), rev: count, records: z.array(AuditRecordSchema).max(2000) });

const PipelineSnapshotSchema = z.object({ topic: z.literal('pipeline'), kind: z.literal('snapshot'), rev: count, data: PipelineSnapshotDataSchema });

/** The most points a series of a range answer holds (the daemon's cap, daemon/metrics/tiers.ts), and a little over. */
const MAX_SERIES_POINTS = 11_001;

/** A `metrics.range` answer or a `metrics:<cluster>` snapshot: one cluster's series over a range (core/metrics/api.ts). */
export const MetricsRangeSchema = z.object({
  cluster: z.string().min(1).max(253),
  start: iso,
  end: iso,
  stepSeconds: z.number().positive(),
  source: z.enum(['embedded', 'prometheus']),
  resolution: z.string().max(16),
  warning: z.string().max(1024).optional(),
  edge: z
    .object({
      down: z.array(z.string().max(128)).max(64),
      newestSample: iso.nullable(),
      stale: z.boolean(),
      newestData: iso.nullable(),
    })
    .optional(),
  series: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        unit: z.string().max(32),
        source: z.enum(['embedded', 'prometheus']).optional(),
        points: z.array(z.tuple([z.number(), z.number().nullable(), z.number().nullable()])).max(MAX_SERIES_POINTS),
      }),
    )
    .max(64),
}) satisfies z.ZodType<MetricsRange>;

const LivePointSchema = z.object({
  cluster: z.string().min(1).max(253),
  t: z.number(),
  values: z.record(z.string().max(64), z.number().nullable()),
}) satisfies z.ZodType<LivePoint>;

const METRICS_PREFIX = 'metrics:';
const MetricsSnapshotSchema = z.object({ topic: z.string().startsWith(METRICS_PREFIX), kind: z.literal('snapshot'), rev: count, data: MetricsRangeSchema.nullable() });
const MetricsPointsSchema = z.object({ topic: z.string().startsWith(METRICS_PREFIX), kind: z.literal('points'), rev: count, data: z.array(LivePointSchema).max(10_000) });
/** The `metrics` topic: every cluster's points, live only (its snapshot holds no data). */
const FleetMetricsSnapshotSchema = z.object({ topic: z.literal('metrics'), kind: z.literal('snapshot'), rev: count, data: z.null() });
/** A slow client's catch-up holds up to 60 points of each cluster (daemon/metrics/topic.ts): 10,000 clusters' worth of a few minutes. */
const FleetMetricsPointsSchema = z.object({ topic: z.literal('metrics'), kind: z.literal('points'), rev: count, data: z.array(LivePointSchema).max(200_000) });

/** A stored record as the console accepts it: the §3.6 record and the sink's cursor. */
export const StoredLogRecordSchema = LogRecordSchema.extend({ cursor: z.string().min(1).max(128) });

// The frame's shape is checked as a whole, its records one by one: a malformed record is skipped and
// counted, and the good ones beside it are still shown.
const LogsSnapshotSchema = z.object({ topic: z.literal('logs'), kind: z.literal('snapshot'), rev: count, data: z.array(z.unknown()).max(LOGS_TOPIC_LIMITS.bufferedLines), more: z.boolean() });
const LogsLinesSchema = z.object({ topic: z.literal('logs'), kind: z.literal('lines'), rev: count, lines: z.array(z.unknown()).max(LOGS_TOPIC_LIMITS.bufferedLines) });

/** Records that pass the schema, and how many did not. */
export function parseLogRecords(items: readonly unknown[]): { lines: StoredLogRecord[]; rejected: number } {
  const lines: StoredLogRecord[] = [];
  for (const item of items) {
    const r = StoredLogRecordSchema.safeParse(item);
    if (r.success) lines.push(r.data);
  }
  return { lines, rejected: items.length - lines.length };
}

export type InboundFrame =
  | { kind: 'hello'; identity: ConsoleIdentity }
  | { kind: 'fleet-snapshot'; topic: 'fleet'; rev: number; rows: ClusterRow[] }
  | { kind: 'fleet-patch'; topic: 'fleet'; rev: number; fromRev: number; changes: FleetChange[] }
  | { kind: 'cluster-snapshot'; topic: string; name: string; rev: number; data: ClusterDetail | null }
  | { kind: 'jobs-snapshot'; topic: 'jobs'; rev: number; jobs: JobRecord[] }
  | { kind: 'jobs-patch'; topic: 'jobs'; rev: number; changes: JobRecord[] }
  | { kind: 'logs-snapshot'; topic: 'logs'; rev: number; lines: StoredLogRecord[]; more: boolean; rejected: number }
  | { kind: 'logs-lines'; topic: 'logs'; rev: number; lines: StoredLogRecord[]; rejected: number }
  | { kind: 'pipeline-snapshot'; topic: 'pipeline'; rev: number; snapshot: PipelineSnapshot }
  | { kind: 'audit-snapshot'; topic: 'audit'; rev: number; records: AuditRecord[] }
  | { kind: 'audit-records'; topic: 'audit'; rev: number; records: AuditRecord[] }
  | { kind: 'metrics-snapshot'; topic: string; cluster: string; rev: number; data: MetricsRange | null }
  | { kind: 'metrics-points'; topic: string; cluster: string; rev: number; points: LivePoint[] }
  | { kind: 'fleet-metrics-snapshot'; topic: 'metrics'; rev: number }
  | { kind: 'fleet-metrics-points'; topic: 'metrics'; rev: number; points: LivePoint[] }
  | { kind: 'dropped'; topic: string; count: number }
  | { kind: 'reply'; id: number; result: unknown; error: { code: string; message: string; next: string | undefined } | undefined };

export type FrameResult = { ok: true; frame: InboundFrame } | { ok: false; reason: string };

export function parseServerFrame(text: string): FrameResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not a JSON object' };
  const obj = raw as Record<string, unknown>;
  if (obj.kind === 'hello') {
    const r = HelloSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'hello', identity: { name: r.data.identity.name, role: r.data.identity.role, ...(r.data.identity.grants ? { grants: r.data.identity.grants } : {}) } } } : { ok: false, reason: `hello ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'fleet' && obj.kind === 'snapshot') {
    const r = FleetSnapshotSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'fleet-snapshot', topic: 'fleet', rev: r.data.rev, rows: r.data.data } } : { ok: false, reason: `fleet snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'fleet' && obj.kind === 'patch') {
    const r = FleetPatchSchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'fleet-patch', topic: 'fleet', rev: r.data.rev, fromRev: r.data.fromRev, changes: r.data.changes } }
      : { ok: false, reason: `fleet patch ${firstIssue(r.error, '(frame)')}` };
  }
  if (typeof obj.topic === 'string' && obj.topic.startsWith('cluster:') && obj.kind === 'snapshot') {
    const r = ClusterSnapshotSchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'cluster-snapshot', topic: r.data.topic, name: r.data.topic.slice('cluster:'.length), rev: r.data.rev, data: r.data.data } }
      : { ok: false, reason: `cluster snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'jobs' && obj.kind === 'snapshot') {
    const r = JobsSnapshotSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'jobs-snapshot', topic: 'jobs', rev: r.data.rev, jobs: r.data.data } } : { ok: false, reason: `jobs snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'jobs' && obj.kind === 'patch') {
    const r = JobsPatchSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'jobs-patch', topic: 'jobs', rev: r.data.rev, changes: r.data.changes } } : { ok: false, reason: `jobs patch ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'logs' && obj.kind === 'snapshot') {
    const r = LogsSnapshotSchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'logs-snapshot', topic: 'logs', rev: r.data.rev, more: r.data.more, ...parseLogRecords(r.data.data) } }
      : { ok: false, reason: `logs snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'logs' && obj.kind === 'lines') {
    const r = LogsLinesSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'logs-lines', topic: 'logs', rev: r.data.rev, ...parseLogRecords(r.data.lines) } } : { ok: false, reason: `logs lines ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'pipeline' && obj.kind === 'snapshot') {
    const r = PipelineSnapshotSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'pipeline-snapshot', topic: 'pipeline', rev: r.data.rev, snapshot: r.data.data } } : { ok: false, reason: `pipeline snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'audit' && obj.kind === 'snapshot') {
    const r = AuditSnapshotSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'audit-snapshot', topic: 'audit', rev: r.data.rev, records: r.data.data } } : { ok: false, reason: `audit snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'audit' && obj.kind === 'records') {
    const r = AuditRecordsSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'audit-records', topic: 'audit', rev: r.data.rev, records: r.data.records } } : { ok: false, reason: `audit records ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'metrics' && obj.kind === 'snapshot') {
    const r = FleetMetricsSnapshotSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'fleet-metrics-snapshot', topic: 'metrics', rev: r.data.rev } } : { ok: false, reason: `fleet metrics snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.topic === 'metrics' && obj.kind === 'points') {
    const r = FleetMetricsPointsSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'fleet-metrics-points', topic: 'metrics', rev: r.data.rev, points: r.data.data } } : { ok: false, reason: `fleet metrics points ${firstIssue(r.error, '(frame)')}` };
  }
  if (typeof obj.topic === 'string' && obj.topic.startsWith(METRICS_PREFIX) && obj.kind === 'snapshot') {
    const r = MetricsSnapshotSchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'metrics-snapshot', topic: r.data.topic, cluster: r.data.topic.slice(METRICS_PREFIX.length), rev: r.data.rev, data: r.data.data } }
      : { ok: false, reason: `metrics snapshot ${firstIssue(r.error, '(frame)')}` };
  }
  if (typeof obj.topic === 'string' && obj.topic.startsWith(METRICS_PREFIX) && obj.kind === 'points') {
    const r = MetricsPointsSchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'metrics-points', topic: r.data.topic, cluster: r.data.topic.slice(METRICS_PREFIX.length), rev: r.data.rev, points: r.data.data } }
      : { ok: false, reason: `metrics points ${firstIssue(r.error, '(frame)')}` };
  }
  if (obj.kind === 'dropped') {
    const r = DroppedSchema.safeParse(raw);
    return r.success ? { ok: true, frame: { kind: 'dropped', topic: r.data.topic, count: r.data.count } } : { ok: false, reason: `dropped ${firstIssue(r.error, '(frame)')}` };
  }
  if ('id' in obj) {
    const r = ReplySchema.safeParse(raw);
    return r.success
      ? { ok: true, frame: { kind: 'reply', id: r.data.id, result: r.data.result, error: r.data.error ? { code: r.data.error.code, message: r.data.error.message, next: r.data.error.next } : undefined } }
      : { ok: false, reason: `reply ${firstIssue(r.error, '(frame)')}` };
  }
  return { ok: false, reason: `unknown frame (topic ${JSON.stringify(obj.topic)}, kind ${JSON.stringify(obj.kind)})` };
}
