// Pure: what the daemon keeps in memory per cluster, and how it becomes a ClusterRow at send time
// (so dataAgeSeconds and age-driven health are always computed against the current clock).
import { ageSince } from '../../core/duration.js';
import type { Health, ClusterRow } from '../../core/fleet.js';
import type { PipelineFigures, StatusReport } from '../../core/status.js';
import { assessReport, deriveFromAssessment, type AssessOptions, type HealthResult } from '../health/model.js';
import type { ClusterRecord } from '../registry/cluster-record.js';

export interface ReportSummary {
  seq: number;
  reportedAt: string;
  receivedAtMs: number;
  etag: string;
  intervalSeconds: number;
  kubernetesVersion: string;
  agentVersion: string;
  nodes: { ready: number; total: number };
  pods: { running: number; total: number };
  restarts: number;
  /** What the next report's log rules compare with, and the fleet table's error-lines rate (null from an agent that ships no figures). */
  pipeline: Pick<PipelineFigures, 'dropped' | 'droppedBytes' | 'lastError'> & { errorLinesPerMinute: number | null };
  /** The report's log pipeline figures as sent, for the pipeline view (a few numbers). */
  figures: PipelineFigures;
  assessment: HealthResult;
}

export interface FleetEntry {
  record: ClusterRecord;
  latest: ReportSummary | null;
  /** The health last recorded (registry and transitions); rows are re-derived at send time. */
  health: Health;
}

/** `previous`: the summary of the cluster's report before this one, if the daemon holds it. */
export function summarize(report: StatusReport, receivedAtMs: number, etag: string, opts: { logsLagSeconds: number; previous?: ReportSummary | null }): ReportSummary {
  const p = report.pipeline;
  const assess: AssessOptions = { logsLagSeconds: opts.logsLagSeconds, previousPipeline: opts.previous?.pipeline ?? null };
  return {
    seq: report.seq,
    reportedAt: report.reportedAt,
    receivedAtMs,
    etag,
    intervalSeconds: report.intervalSeconds,
    kubernetesVersion: report.kubernetesVersion,
    agentVersion: report.agentVersion,
    nodes: { ready: report.nodes.filter((n) => n.ready).length, total: report.nodes.length },
    pods: { running: report.pods.running, total: report.pods.total },
    restarts: report.restarts,
    pipeline: { dropped: p.dropped, droppedBytes: p.droppedBytes ?? 0, lastError: p.lastError ?? null, errorLinesPerMinute: p.transport === 'off' ? null : (p.errorLinesPerMinute ?? null) },
    figures: p,
    assessment: assessReport(report, assess),
  };
}

export function healthOf(entry: FleetEntry, nowMs: number, unreachableAfterIntervals: number): HealthResult {
  return deriveFromAssessment({
    registration: entry.record.registration,
    assessment: entry.latest?.assessment ?? null,
    receivedAtMs: entry.latest?.receivedAtMs ?? null,
    nowMs,
    intervalSeconds: entry.latest?.intervalSeconds ?? entry.record.intervalSeconds,
    unreachableAfterIntervals,
  });
}

export function toRow(entry: FleetEntry, nowMs: number, unreachableAfterIntervals: number): ClusterRow {
  const { record, latest } = entry;
  const { health, reasons } = healthOf(entry, nowMs, unreachableAfterIntervals);
  return {
    name: record.name,
    labels: record.labels,
    registration: record.registration,
    health,
    reasons,
    // reportedAt is the agent's claim; age is measured from receipt so a skewed agent clock cannot hide staleness.
    reportedAt: latest?.reportedAt ?? null,
    dataAgeSeconds: latest ? Math.floor(ageSince(latest.receivedAtMs, nowMs) / 1000) : null,
    intervalSeconds: latest?.intervalSeconds ?? record.intervalSeconds,
    kubernetesVersion: latest?.kubernetesVersion ?? null,
    agentVersion: latest?.agentVersion ?? null,
    nodes: latest?.nodes ?? { ready: 0, total: 0 },
    pods: latest?.pods ?? { running: 0, total: 0 },
    restarts: latest?.restarts ?? 0,
    errorLinesPerMinute: latest?.pipeline.errorLinesPerMinute ?? null,
    expiresAt: record.expiresAt,
  };
}
