// Cells for the cluster detail sections and its history block.
import type { ClusterDetail, HealthTransition, StoreRejection } from '../../core/fleet.js';
import type { ClusterEvent, NodeStatus, WorkloadStatus } from '../../core/status.js';
import { ageSince, formatAge } from '../../core/duration.js';
import type { ColumnDef } from './columns.js';
import { oneLine } from './text.js';

export const NODE_COLUMNS: readonly ColumnDef[] = [
  { id: 'NAME', title: 'NAME', flex: 1, min: 12 },
  { id: 'STATUS', title: 'STATUS', flex: 1, min: 16, max: 40 },
  { id: 'SCHED', title: 'SCHEDULING', width: 10 },
  { id: 'CPU', title: 'CPU (cores)', width: 17, align: 'right' },
  { id: 'MEM', title: 'MEMORY (GiB)', width: 17, align: 'right' },
];

export const WORKLOAD_COLUMNS: readonly ColumnDef[] = [
  { id: 'NAME', title: 'NAMESPACE/NAME', flex: 1, min: 20 },
  { id: 'KIND', title: 'KIND', width: 11 },
  { id: 'READY', title: 'READY', width: 9, align: 'right' },
];

export const EVENT_COLUMNS: readonly ColumnDef[] = [
  { id: 'AGE', title: 'AGE', width: 5, align: 'right' },
  { id: 'REASON', title: 'REASON', width: 18 },
  { id: 'OBJECT', title: 'OBJECT', flex: 1, min: 14, max: 40 },
  { id: 'MESSAGE', title: 'MESSAGE', flex: 2, min: 14 },
];

function percent(used: number, capacity: number): string {
  return capacity > 0 ? `${Math.round((used / capacity) * 100)}%` : '-';
}

function usage(used: number, capacity: number, scale: number): string {
  return `${(used / scale).toFixed(1)}/${(capacity / scale).toFixed(1)} ${percent(used, capacity)}`;
}

export function nodeCells(node: NodeStatus): string[] {
  const status = node.ready ? 'Ready' : `NotReady${node.reason ? ` ${node.reason}` : ''}`;
  return [
    node.name,
    status,
    node.unschedulable ? 'disabled' : 'enabled',
    usage(node.usage.cpuMillis, node.capacity.cpuMillis, 1000),
    usage(node.usage.memoryBytes, node.capacity.memoryBytes, 1024 ** 3),
  ];
}

export function workloadCells(w: WorkloadStatus): string[] {
  return [`${w.namespace}/${w.name}`, w.kind, `${w.ready}/${w.desired}`];
}

function ageText(iso: string, now: number): string {
  return formatAge(ageSince(iso, now));
}

export function eventCells(e: ClusterEvent, now: number): string[] {
  const count = e.count > 1 ? ` (×${e.count})` : '';
  return [ageText(e.ts, now), e.reason, `${e.namespace ? `${e.namespace}/` : ''}${e.object}`, oneLine(e.message) + count];
}

export function nodeIsHealthy(node: NodeStatus): boolean {
  return node.ready && !node.unschedulable;
}

export function workloadIsHealthy(w: WorkloadStatus): boolean {
  return w.ready >= w.desired;
}

export interface HistoryLine {
  at: number;
  kind: 'transition' | 'rejection';
  text: string;
}

function transitionLine(t: HealthTransition, now: number): HistoryLine {
  const why = t.reasons.length > 0 ? `: ${t.reasons.join(', ')}` : '';
  return { at: Date.parse(t.at), kind: 'transition', text: `${ageText(t.at, now)} ago  ${t.from} → ${t.to}${oneLine(why)}` };
}

function rejectionLine(r: StoreRejection, now: number): HistoryLine {
  return { at: Date.parse(r.at), kind: 'rejection', text: `${ageText(r.at, now)} ago  rejected ${r.key}: ${oneLine(r.reason)}` };
}

/** Health transitions and store rejections, newest first. */
export function historyLines(detail: ClusterDetail, now: number, limit: number): HistoryLine[] {
  return [...detail.transitions.map((t) => transitionLine(t, now)), ...detail.rejections.map((r) => rejectionLine(r, now))]
    .sort((a, b) => (b.at || 0) - (a.at || 0))
    .slice(0, limit);
}

export function sectionSummary(detail: ClusterDetail, section: 'nodes' | 'workloads' | 'events'): string {
  switch (section) {
    case 'nodes':
      return `${detail.nodes.filter((n) => n.ready).length}/${detail.nodes.length} ready`;
    case 'workloads':
      return `${detail.workloads.filter(workloadIsHealthy).length}/${detail.workloads.length} fully ready`;
    case 'events':
      return `${detail.events.length} recent`;
  }
}
