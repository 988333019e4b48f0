// Pure: one cluster's pipeline row from what the daemon holds (the agent's last report, what the
// center ingested, the drops in the registry), with the pipeline health rules of docs/LOGS.md
// ("The pipeline"). The fleet health model judges a report once; these rules judge the chain
// now, so a lag or a loss shows even between reports.
import { formatLag } from '../../core/duration.js';
import type { LogDrop } from '../../core/logs/batch.js';
import { formatBytes } from '../../core/units.js';
import type { PipelineHealth, PipelineRow, PipelineSnapshot, PipelineTotals } from '../../core/pipeline.js';
import type { EdgeFigures, PipelineFigures } from '../../core/status.js';

/** Drops and refusals this recent make a pipeline degraded. */
export const PIPELINE_RECENT_SECONDS = 15 * 60;
/** A lag this many times the threshold is critical. */
export const CRITICAL_LAG_FACTOR = 10;
/** An edge outbox this full (bytes of its cap) is degraded; past the second, critical: refusals are near. */
export const OUTBOX_DEGRADED_RATIO = 0.5;
export const OUTBOX_CRITICAL_RATIO = 0.9;

export interface PipelineInputs {
  cluster: string;
  nowMs: number;
  /** The agent's last report, null before the first. */
  report: { receivedAtMs: number; intervalSeconds: number; figures: PipelineFigures } | null;
  /** A report older than this many intervals is a silent agent's. */
  silentAfterIntervals: number;
  /** logs.health.lagSeconds. */
  lagSeconds: number;
  ingest: { linesPerSecond: number; newestTs: string | null; newestTsMs: number | null; deadLetters: number; recentDeadLetters: number };
  dropped: { lines: number; bytes: number };
  /** The newest drop reports (newest first), of which those in the last PIPELINE_RECENT_SECONDS count. */
  recentDrops: readonly LogDrop[];
}

const RANK: Record<PipelineHealth, number> = { critical: 0, degraded: 1, unknown: 2, healthy: 3 };

export function pipelineRow(i: PipelineInputs): PipelineRow {
  const f = i.report?.figures;
  const lagSeconds = i.ingest.newestTsMs === null ? null : Math.max(0, Math.floor((i.nowMs - i.ingest.newestTsMs) / 1000));
  const { health, reasons } = judge(i);
  return {
    cluster: i.cluster,
    health,
    reasons,
    transport: f ? (f.transport ?? 'daemon') : null,
    reportAgeSeconds: i.report ? Math.max(0, Math.floor((i.nowMs - i.report.receivedAtMs) / 1000)) : null,
    agent: f
      ? {
          queueDepth: f.queueDepth,
          bytesBehind: f.bytesBehind ?? 0,
          oldestUnshippedSeconds: f.oldestUnshippedSeconds,
          linesReadPerSecond: f.linesReadPerSecond ?? null,
          linesShippedPerSecond: f.linesShippedPerSecond ?? null,
          lastError: f.lastError ?? null,
        }
      : null,
    edge: f?.edge ? edgeOf(f.edge, i.nowMs) : null,
    ingestLinesPerSecond: i.ingest.linesPerSecond,
    newestIngestedTs: i.ingest.newestTs,
    lagSeconds,
    deadLetters: i.ingest.deadLetters,
    dropped: i.dropped,
  };
}

function edgeOf(e: EdgeFigures, nowMs: number): NonNullable<PipelineRow['edge']> {
  const at = Date.parse(e.sampledAt);
  return {
    outboxMessages: e.outboxMessages,
    outboxBytes: e.outboxBytes,
    outboxReadyBytes: e.outboxReadyBytes,
    outboxMaxBytes: e.outboxMaxBytes,
    shovelState: e.shovel?.state ?? 'absent',
    shovelReason: e.shovel?.reason ?? null,
    sampledAgeSeconds: Number.isFinite(at) ? Math.max(0, Math.floor((nowMs - at) / 1000)) : 0,
    error: e.error,
  };
}

/** What the edge broker's figures say is wrong, into the two lists. */
function judgeEdge(e: EdgeFigures, critical: string[], degraded: string[]): void {
  if (e.error) degraded.push(`cannot read the edge broker: ${e.error.slice(0, 120)}`);
  if (!e.shovel && !e.error) critical.push('no shovel to the center on the edge broker: the outbox only fills (switch the cluster again with `flotilla cluster logging`)');
  else if (e.shovel?.state === 'terminated') critical.push(`shovel to the center terminated${e.shovel.reason ? `: ${e.shovel.reason.slice(0, 120)}` : ''}`);
  else if (e.shovel && e.shovel.state !== 'running') degraded.push(`shovel to the center ${e.shovel.state}${e.shovel.reason ? `: ${e.shovel.reason.slice(0, 120)}` : ' (it reconnects every few seconds while the center is away)'}`);
  if (e.outboxReadyBytes !== null && e.outboxMaxBytes > 0) {
    const ratio = e.outboxReadyBytes / e.outboxMaxBytes;
    const text = `edge outbox ${Math.floor(ratio * 100)}% full (${formatBytes(e.outboxReadyBytes)} of ${formatBytes(e.outboxMaxBytes)})`;
    if (ratio >= OUTBOX_CRITICAL_RATIO) critical.push(`${text}: at its cap it refuses publishes and the agent pauses`);
    else if (ratio >= OUTBOX_DEGRADED_RATIO) degraded.push(text);
  }
}

function judge(i: PipelineInputs): { health: PipelineHealth; reasons: string[] } {
  if (!i.report) return { health: 'unknown', reasons: ['no status report yet: the agent has not told how it ships'] };
  const age = (i.nowMs - i.report.receivedAtMs) / 1000;
  if (age > i.silentAfterIntervals * i.report.intervalSeconds) return { health: 'unknown', reasons: [`agent silent for ${formatLag(age)}: its pipeline figures are that old`] };
  const f = i.report.figures;
  if (f.transport === 'off') return { health: 'healthy', reasons: [] };
  const critical: string[] = [];
  const degraded: string[] = [];
  if (f.oldestUnshippedSeconds > i.lagSeconds * CRITICAL_LAG_FACTOR) critical.push(`logs lag ${formatLag(f.oldestUnshippedSeconds)} behind at the agent`);
  else if (f.oldestUnshippedSeconds > i.lagSeconds) degraded.push(`logs lag ${formatLag(f.oldestUnshippedSeconds)} behind at the agent`);
  if (f.lastError) degraded.push(`log shipping failing: ${f.lastError.slice(0, 120)}`);
  if (f.edge) judgeEdge(f.edge, critical, degraded);
  const since = i.nowMs - PIPELINE_RECENT_SECONDS * 1000;
  const recent = i.recentDrops.filter((d) => Date.parse(d.at) >= since);
  if (recent.length > 0) {
    const lines = recent.reduce((n, d) => n + d.lines, 0);
    const bytes = recent.reduce((n, d) => n + d.bytes, 0);
    degraded.push(`${lines} log line${lines === 1 ? '' : 's'} (${formatBytes(bytes)}) dropped in the last ${PIPELINE_RECENT_SECONDS / 60} min`);
  }
  if (i.ingest.recentDeadLetters > 0) degraded.push(`${i.ingest.recentDeadLetters} log batch${i.ingest.recentDeadLetters === 1 ? '' : 'es'} or record${i.ingest.recentDeadLetters === 1 ? '' : 's'} refused in the last ${PIPELINE_RECENT_SECONDS / 60} min (GET /api/v1/rejections)`);
  if (critical.length) return { health: 'critical', reasons: [...critical, ...degraded] };
  if (degraded.length) return { health: 'degraded', reasons: degraded };
  return { health: 'healthy', reasons: [] };
}

export function pipelineSnapshot(rows: PipelineRow[], nowMs: number): PipelineSnapshot {
  const sorted = [...rows].sort((a, b) => RANK[a.health] - RANK[b.health] || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const byHealth: Record<PipelineHealth, number> = { healthy: 0, degraded: 0, critical: 0, unknown: 0 };
  for (const r of rows) byHealth[r.health]++;
  const lags = rows.flatMap((r) => (r.lagSeconds === null ? [] : [r.lagSeconds]));
  const totals: PipelineTotals = {
    clusters: rows.length,
    byHealth,
    ingestLinesPerSecond: rows.reduce((n, r) => n + r.ingestLinesPerSecond, 0),
    queueDepth: rows.reduce((n, r) => n + (r.agent?.queueDepth ?? 0), 0),
    bytesBehind: rows.reduce((n, r) => n + (r.agent?.bytesBehind ?? 0), 0),
    outboxMessages: rows.reduce((n, r) => n + (r.edge?.outboxMessages ?? 0), 0),
    outboxBytes: rows.reduce((n, r) => n + (r.edge?.outboxBytes ?? 0), 0),
    deadLetters: rows.reduce((n, r) => n + r.deadLetters, 0),
    droppedLines: rows.reduce((n, r) => n + r.dropped.lines, 0),
    maxLagSeconds: lags.length ? Math.max(...lags) : null,
  };
  return { at: new Date(nowMs).toISOString(), rows: sorted, totals };
}
