// Turns a backend's observation into the StatusReport the agent signs (DESIGN.md §3.5). Pure: the
// reporter supplies seq, clock and pipeline figures. Lists are capped and strings cut to the wire
// schema's limits, so a large or chatty cluster still produces a report the daemon accepts.
import { FlotillaError } from '../core/errors.js';
import { firstIssue } from '../core/schema-issue.js';
import { StatusReportSchema, type ClusterEvent, type NodeStatus, type PodProblem, type StatusReport } from '../core/status.js';
import type { ClusterObservation } from './backend.js';

export const REPORT_LIMITS = {
  nodes: 5000,
  workloads: 20_000,
  podProblems: 500,
  /** The most recent warnings are what an operator needs; the schema would allow 200. */
  events: 50,
} as const;

export interface ReportContext {
  cluster: string;
  seq: number;
  now: Date;
  intervalSeconds: number;
  agentVersion: string;
  pipeline: StatusReport['pipeline'];
  /** From the job runner: refused job envelopes not yet reported, and the highest finished job seq. */
  rejections?: StatusReport['rejections'];
  lastJobSeq?: number;
  /** The seq the job runner is executing now, if any. */
  runningJobSeq?: number;
  /** The applied logging config's version, if any. */
  loggingConfigVersion?: number;
  /** The applied monitoring config's version, if any. */
  monitoringConfigVersion?: number;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function ratio(used: number, capacity: number): number {
  return capacity > 0 ? Math.round((used / capacity) * 10_000) / 10_000 : 0;
}

/** Fleet-level usage over every node, including those left out of a capped list. */
export function summaryMetrics(nodes: NodeStatus[]): StatusReport['metrics'] {
  let cpu = 0;
  let cpuCap = 0;
  let mem = 0;
  let memCap = 0;
  let pods = 0;
  let podsCap = 0;
  for (const n of nodes) {
    cpu += n.usage.cpuMillis;
    cpuCap += n.capacity.cpuMillis;
    mem += n.usage.memoryBytes;
    memCap += n.capacity.memoryBytes;
    pods += n.usage.pods;
    podsCap += n.capacity.pods;
  }
  return { cpuUsageRatio: ratio(cpu, cpuCap), memoryUsageRatio: ratio(mem, memCap), podDensityRatio: ratio(pods, podsCap) };
}

/** Not-ready and cordoned nodes first, so a capped list still shows the ones that matter. */
function capNodes(nodes: NodeStatus[]): NodeStatus[] {
  const sorted = nodes.length <= REPORT_LIMITS.nodes ? nodes : [...nodes].sort((a, b) => Number(a.ready && !a.unschedulable) - Number(b.ready && !b.unschedulable));
  return sorted.slice(0, REPORT_LIMITS.nodes).map((n) => (n.reason === undefined ? n : { ...n, reason: cut(n.reason, 256) }));
}

/** Most restarts first: the pods that hurt most survive the cap. */
function capProblems(problems: PodProblem[]): PodProblem[] {
  return [...problems].sort((a, b) => b.restarts - a.restarts || a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod)).slice(0, REPORT_LIMITS.podProblems);
}

function recentEvents(events: ClusterEvent[]): ClusterEvent[] {
  return [...events]
    .sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts) || b.count - a.count)
    .slice(0, REPORT_LIMITS.events)
    .map((e) => ({ ts: cut(e.ts, 40), namespace: cut(e.namespace, 253), object: cut(e.object, 512), reason: cut(e.reason, 128), message: cut(e.message, 2048), count: e.count }));
}

export function buildStatusReport(obs: ClusterObservation, ctx: ReportContext): StatusReport {
  return {
    cluster: ctx.cluster,
    seq: ctx.seq,
    reportedAt: ctx.now.toISOString(),
    intervalSeconds: ctx.intervalSeconds,
    agentVersion: cut(ctx.agentVersion, 64),
    kubernetesVersion: cut(obs.kubernetesVersion, 64),
    nodes: capNodes(obs.nodes),
    workloads: obs.workloads.slice(0, REPORT_LIMITS.workloads),
    pods: { ...obs.pods },
    restarts: obs.restarts,
    podProblems: capProblems(obs.podProblems),
    events: recentEvents(obs.warningEvents),
    pipeline: { ...ctx.pipeline },
    metrics: obs.metrics ? { ...obs.metrics } : summaryMetrics(obs.nodes),
    ...(ctx.rejections && ctx.rejections.length > 0 ? { rejections: ctx.rejections.slice(0, 100) } : {}),
    ...(ctx.lastJobSeq !== undefined ? { lastJobSeq: ctx.lastJobSeq } : {}),
    ...(ctx.runningJobSeq !== undefined ? { runningJobSeq: ctx.runningJobSeq } : {}),
    ...(ctx.loggingConfigVersion !== undefined ? { loggingConfigVersion: ctx.loggingConfigVersion } : {}),
    ...(ctx.monitoringConfigVersion !== undefined ? { monitoringConfigVersion: ctx.monitoringConfigVersion } : {}),
  };
}

/** A report that fails its own schema is a bug here; it must never reach the store. */
export function validateStatusReport(report: StatusReport): StatusReport {
  const parsed = StatusReportSchema.safeParse(report);
  if (parsed.success) return parsed.data;
  throw new FlotillaError('internal', `the agent built an invalid status report (${firstIssue(parsed.error)})`, 'This is a bug in the agent backend; report it with the agent log. The previous report stays in the store.', {
    details: { seq: report.seq },
  });
}
