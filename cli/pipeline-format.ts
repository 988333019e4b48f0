// `flotilla pipeline` as text: one row per cluster (worst first, as the daemon orders them), then the
// fleet totals, then why each unhealthy one is so. Pure.
import { formatLag } from '../core/duration.js';
import type { PipelineRow, PipelineSnapshot } from '../core/pipeline.js';
import { formatBytes } from '../core/units.js';
import { renderTable, truncate } from './table.js';

const rate = (n: number | null) => (n === null ? '-' : n >= 100 ? String(Math.round(n)) : n.toFixed(1));
const lag = (s: number | null) => (s === null ? '-' : formatLag(s));

/** Messages, then bytes and how full against the cap: what the operator watches during a cut. */
function outbox(e: PipelineRow['edge']): string {
  if (!e) return '-';
  if (e.outboxBytes === null) return '?';
  const pct = e.outboxMaxBytes > 0 && e.outboxReadyBytes !== null ? Math.floor((e.outboxReadyBytes / e.outboxMaxBytes) * 100) : 0;
  return `${e.outboxMessages ?? '?'} ${formatBytes(e.outboxBytes)} ${pct}%`;
}

export function pipelineText(p: PipelineSnapshot): string {
  if (p.rows.length === 0) return 'no clusters\nnext: add one with `flotilla cluster add NAME`\n';
  const table = renderTable(
    ['CLUSTER', 'HEALTH', 'TRANSPORT', 'QUEUED', 'BEHIND', 'OLDEST', 'READ/S', 'SHIPPED/S', 'OUTBOX', 'SHOVEL', 'INGEST/S', 'LAG', 'DEAD', 'DROPPED', 'REPORT'],
    p.rows.map((r) => [
      r.cluster,
      r.health,
      r.transport ?? '-',
      r.agent ? String(r.agent.queueDepth) : '-',
      r.agent ? formatBytes(r.agent.bytesBehind) : '-',
      r.agent ? formatLag(r.agent.oldestUnshippedSeconds) : '-',
      rate(r.agent?.linesReadPerSecond ?? null),
      rate(r.agent?.linesShippedPerSecond ?? null),
      outbox(r.edge),
      r.edge?.shovelState ?? '-',
      rate(r.ingestLinesPerSecond),
      lag(r.lagSeconds),
      String(r.deadLetters),
      r.dropped.lines ? `${r.dropped.lines} (${formatBytes(r.dropped.bytes)})` : '0',
      r.reportAgeSeconds === null ? '-' : `${formatLag(r.reportAgeSeconds)} ago`,
    ]),
  );
  const t = p.totals;
  const health = (['critical', 'degraded', 'unknown', 'healthy'] as const).filter((h) => t.byHealth[h] > 0).map((h) => `${t.byHealth[h]} ${h}`).join(', ');
  const totals = `fleet: ${t.clusters} cluster${t.clusters === 1 ? '' : 's'} (${health}); ingest ${rate(t.ingestLinesPerSecond)} lines/s; ${t.queueDepth} queued, ${formatBytes(t.bytesBehind)} behind;${t.outboxMessages || t.outboxBytes ? ` ${t.outboxMessages} in edge outboxes (${formatBytes(t.outboxBytes)});` : ''} max lag ${lag(t.maxLagSeconds)}; ${t.deadLetters} dead letters; ${t.droppedLines} lines dropped`;
  const why = p.rows.filter((r) => r.reasons.length > 0).map((r) => `${r.cluster}: ${truncate(r.reasons.join('; '), 200)}`);
  return [table.trimEnd(), '', totals, ...(why.length ? ['', ...why] : []), ''].join('\n');
}
