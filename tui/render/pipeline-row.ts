// k9s-style rendering of the pipeline view: a PipelineRow becomes fixed-width cells, the selected
// row's figures and reasons become the detail lines, the snapshot's totals one line. The columns and
// words follow `flotilla pipeline` (cli/pipeline-format.ts); what does not fit at 80 columns goes to
// the detail lines of the selected row.
import { ageSince, formatAge, formatLag } from '../../core/duration.js';
import type { PipelineHealth, PipelineRow, PipelineSnapshot } from '../../core/pipeline.js';
import { formatBytes, formatCount } from '../../core/units.js';
import { PIPELINE_HEALTHS } from '../state/pipeline.js';
import { layoutColumns, MARKER_WIDTH, joinCells, type Column, type ColumnDef } from './columns.js';
import { formatReasons } from './fleet-row.js';
import { fit, oneLine } from './text.js';

export const PIPELINE_COLUMN_IDS = ['HEALTH', 'CLUSTER', 'TRANSPORT', 'LAG', 'INGEST/S', 'QUEUE/BEHIND', 'OUTBOX', 'SHOVEL', 'DEAD', 'DROPPED', 'REASONS'] as const;
export type PipelineColumnId = (typeof PIPELINE_COLUMN_IDS)[number];

const PIPELINE_COLUMNS: readonly ColumnDef<PipelineColumnId>[] = [
  { id: 'HEALTH', title: 'HEALTH', width: 8 },
  { id: 'CLUSTER', title: 'CLUSTER', flex: 1, min: 14, max: 32 },
  { id: 'TRANSPORT', title: 'TRANSPORT', width: 9 },
  { id: 'LAG', title: 'LAG', width: 7, align: 'right' },
  { id: 'INGEST/S', title: 'INGEST/S', width: 8, align: 'right' },
  { id: 'QUEUE/BEHIND', title: 'QUEUE/BEHIND', width: 13, align: 'right' },
  { id: 'OUTBOX', title: 'OUTBOX', width: 14, align: 'right' },
  { id: 'SHOVEL', title: 'SHOVEL', width: 10 },
  { id: 'DEAD', title: 'DEAD', width: 4, align: 'right' },
  { id: 'DROPPED', title: 'DROPPED', width: 7, align: 'right' },
  { id: 'REASONS', title: 'REASONS', flex: 3, min: 16 },
];

/**
 * Columns given up, in this order, while the table does not fit with a readable cluster name; the
 * detail lines show their figures. The transport goes last: the outbox column already tells the
 * chains apart ("—" without an edge broker), and a name cut to its first words tells no cluster apart.
 */
const DROP_ORDER: readonly PipelineColumnId[] = ['REASONS', 'SHOVEL', 'QUEUE/BEHIND', 'TRANSPORT'];
/** Cluster width the drop decision aims for: the demo's and most real names. Below it columns give way; the minimum is CLUSTER's own. */
const CLUSTER_WANTED = 19;

function neededWidth(defs: readonly ColumnDef<PipelineColumnId>[]): number {
  const cells = defs.reduce((sum, d) => sum + (d.id === 'CLUSTER' ? CLUSTER_WANTED : (d.width ?? d.min ?? 1)), 0);
  return MARKER_WIDTH + cells + Math.max(0, defs.length - 1);
}

export function pipelineColumns(width: number): Column<PipelineColumnId>[] {
  let defs = PIPELINE_COLUMNS;
  for (const id of DROP_ORDER) {
    if (neededWidth(defs) <= width) break;
    defs = defs.filter((d) => d.id !== id);
  }
  // Where the name's room decided what was dropped, the reasons beside it must not take it back.
  if (neededWidth(defs) <= width) defs = defs.map((d) => (d.id === 'CLUSTER' ? { ...d, min: CLUSTER_WANTED } : d));
  return layoutColumns(defs, width);
}

/** Lines per second as the CLI shows them: one decimal while small, then short counts. */
export function rateText(n: number | null): string {
  if (n === null) return '-';
  return n < 100 ? n.toFixed(1) : formatCount(n);
}

function lagText(seconds: number | null): string {
  return seconds === null ? '-' : formatLag(seconds);
}

/** How full the outbox is against its byte cap, by what the cap counts (the ready messages, not the shovel's unacked ones). */
function fillText(edge: NonNullable<PipelineRow['edge']>): string {
  if (edge.outboxReadyBytes === null || edge.outboxMaxBytes <= 0) return '?%';
  return `${Math.floor((edge.outboxReadyBytes / edge.outboxMaxBytes) * 100)}%`;
}

/** "—" on the embedded chain (no edge broker), "?" until the broker sampled the queue; the fill against the cap outlasts the message count when narrow. */
export function outboxText(edge: PipelineRow['edge'], width: number): string {
  if (!edge) return '—';
  if (edge.outboxBytes === null) return '?';
  const short = `${formatBytes(edge.outboxBytes)} ${fillText(edge)}`;
  const full = `${edge.outboxMessages === null ? '?' : formatCount(edge.outboxMessages)} ${short}`;
  return full.length <= width ? full : short;
}

export function pipelineCells(row: PipelineRow, columns: readonly Column<PipelineColumnId>[]): string[] {
  return columns.map((c) => {
    switch (c.id) {
      case 'HEALTH':
        return row.health;
      case 'CLUSTER':
        return row.cluster;
      case 'TRANSPORT':
        return row.transport ?? '-';
      case 'LAG':
        return lagText(row.lagSeconds);
      case 'INGEST/S':
        return rateText(row.ingestLinesPerSecond);
      case 'QUEUE/BEHIND':
        return row.agent ? `${formatCount(row.agent.queueDepth)}/${formatBytes(row.agent.bytesBehind)}` : '-';
      case 'OUTBOX':
        return outboxText(row.edge, c.width);
      case 'SHOVEL':
        return row.edge ? row.edge.shovelState : '—';
      case 'DEAD':
        return formatCount(row.deadLetters);
      case 'DROPPED':
        return formatCount(row.dropped.lines);
      case 'REASONS':
        return formatReasons(row.reasons.map(oneLine), c.width);
    }
  });
}

/** One table line in three runs, so the view colours only the health: marker and cells before it, the health cell, the rest. */
export function pipelineLineParts(row: PipelineRow, columns: readonly Column<PipelineColumnId>[], selected: boolean): { before: string; health: string; after: string } {
  const cells = pipelineCells(row, columns);
  const at = columns.findIndex((c) => c.id === 'HEALTH');
  const marker = selected ? '> ' : '  ';
  const col = columns[at];
  if (at < 0 || !col) return { before: marker + joinCells(columns, cells), health: '', after: '' };
  const before = joinCells(columns.slice(0, at), cells.slice(0, at));
  const after = joinCells(columns.slice(at + 1), cells.slice(at + 1));
  return { before: `${marker}${before}${before ? ' ' : ''}`, health: fit(row.health, col.width), after: after ? ` ${after}` : '' };
}

/** Figures and words of the selected row under the table. */
export interface PipelineDetail {
  cluster: string;
  health: PipelineHealth;
  /** What the table has no room for: the agent's backlog and rates, the edge outbox against its cap, the shovel, the report's age. */
  figures: string;
  /** Why it is not healthy, at most the lines given; the last says how many more there are. */
  reasons: string[];
}

function agentFigures(row: PipelineRow): string[] {
  const a = row.agent;
  if (!a) return ['no report yet'];
  return [
    `queued ${formatCount(a.queueDepth)}`,
    `behind ${formatBytes(a.bytesBehind)}`,
    `oldest ${formatLag(a.oldestUnshippedSeconds)}`,
    `read ${rateText(a.linesReadPerSecond)}/s`,
    `shipped ${rateText(a.linesShippedPerSecond)}/s`,
  ];
}

function edgeFigures(row: PipelineRow): string[] {
  const e = row.edge;
  if (!e) return row.transport === 'rabbitmq' ? ['edge not read yet'] : [];
  const outbox =
    e.outboxBytes === null ? 'outbox not sampled yet' : `outbox ${e.outboxMessages === null ? '?' : formatCount(e.outboxMessages)} msgs, ${formatBytes(e.outboxBytes)}, ${fillText(e)} of the ${formatBytes(e.outboxMaxBytes)} cap`;
  return [outbox, `shovel ${e.shovelState}`];
}

export function pipelineDetail(row: PipelineRow, reasonLines: number): PipelineDetail {
  const report = row.reportAgeSeconds === null ? [] : [`report ${formatLag(row.reportAgeSeconds)} ago`];
  const figures = [row.transport ?? 'no transport', ...agentFigures(row), ...edgeFigures(row), `dropped ${formatCount(row.dropped.lines)} (${formatBytes(row.dropped.bytes)})`, ...report].join(' · ');
  let reasons = row.reasons.map(oneLine);
  if (reasons.length === 0) reasons = [row.transport === 'off' ? 'logs off: this cluster does not ship them' : 'nothing wrong'];
  if (reasons.length > reasonLines) {
    const kept = reasons.slice(0, Math.max(0, reasonLines - 1));
    reasons = [...kept, `+${row.reasons.length - kept.length} more (flotilla pipeline lists them all)`];
  }
  return { cluster: row.cluster, health: row.health, figures, reasons };
}

/** The snapshot's counts by health, worst first, zero counts left out: "1 critical · 2 degraded · 9 healthy". */
export function pipelineHealthCounts(s: PipelineSnapshot): { health: PipelineHealth; text: string }[] {
  return PIPELINE_HEALTHS.filter((h) => s.totals.byHealth[h] > 0).map((h) => ({ health: h, text: `${s.totals.byHealth[h]} ${h}` }));
}

/** "ingest 1.5k lines/s · outbox 40 (1.0 MiB) · dead 1 · dropped 12 · max lag 2m 5s"; the outbox only while some cluster ships through an edge broker. */
export function pipelineTotalsText(s: PipelineSnapshot): string {
  const t = s.totals;
  const parts = [`ingest ${rateText(t.ingestLinesPerSecond)} lines/s`];
  if (s.rows.some((r) => r.edge !== null)) parts.push(`outbox ${formatCount(t.outboxMessages)} (${formatBytes(t.outboxBytes)})`);
  parts.push(`dead ${formatCount(t.deadLetters)}`, `dropped ${formatCount(t.droppedLines)}`, `max lag ${lagText(t.maxLagSeconds)}`);
  return parts.join(' · ');
}

/** How old the snapshot on screen is, by the daemon's `at`: what a lost link leaves standing. */
export function snapshotAgeText(s: PipelineSnapshot, now: number): string {
  return `${formatAge(ageSince(s.at, now))} old`;
}
