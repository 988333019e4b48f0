// Jobs as text: table cells, the detail view's lines and a fleet fan-out's progress line. Secrets
// never reach the screen: the daemon already replaces them with "<sealed>", and anything that still
// looks like a sealed box is masked here as well, by the same rule (core/sealed.ts).
import type { JobRecord, JobState } from '../../core/jobs.js';
import { ageSince, formatAge } from '../../core/duration.js';
import { maskSealedFields } from '../../core/sealed.js';
import type { FleetGroup } from '../state/jobs.js';
import type { ColumnDef } from './columns.js';
import { oneLine } from './text.js';

export const JOB_COLUMNS: readonly ColumnDef[] = [
  { id: 'AGE', title: 'AGE', width: 5, align: 'right' },
  { id: 'CLUSTER', title: 'CLUSTER', flex: 1, min: 12, max: 32 },
  { id: 'TYPE', title: 'TYPE', width: 18 },
  { id: 'STATE', title: 'STATE', width: 10 },
  { id: 'ID', title: 'ID', width: 8 },
  { id: 'DETAIL', title: 'DETAIL', flex: 2, min: 10 },
];
export const JOB_STATE_COLUMN = 3;

const WAITING: Partial<Record<JobState, string>> = {
  pending: 'signed, waiting to be written to the store',
  dispatched: 'in the store, waiting for the agent',
  running: 'the agent is working on it',
};

export function jobDetailText(job: JobRecord): string {
  if (job.result) return oneLine(job.result.reason ? `${job.result.reason}: ${job.result.detail}` : job.result.detail);
  return WAITING[job.state] ?? '-';
}

export function jobCells(job: JobRecord, now: number): string[] {
  return [formatAge(ageSince(job.submittedAt, now)), job.cluster, job.type, job.state, job.id.slice(0, 8), jobDetailText(job)];
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : oneLine(JSON.stringify(value) ?? String(value));
}

function durationText(startedAt: string, finishedAt: string): string {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isNaN(ms) || ms < 0 ? '-' : ms < 1000 ? `${ms}ms` : formatAge(ms);
}

export interface DetailLine {
  label: string;
  value: string;
  /** Section headings (params, result) are drawn bold. */
  heading?: boolean;
}

export function jobDetailLines(job: JobRecord, now: number): DetailLine[] {
  const lines: DetailLine[] = [
    { label: 'id', value: job.id },
    { label: 'cluster', value: `${job.cluster}  seq ${job.seq}` },
    { label: 'type', value: `${job.type}${job.destructive ? '  (destructive)' : ''}` },
    { label: 'state', value: job.state },
    { label: 'issuer', value: job.issuer.name },
    { label: 'submitted', value: `${job.submittedAt}  (${ageSince(job.submittedAt, now)} ago)` },
    { label: 'expires', value: job.notAfter },
  ];
  if (job.fleetJobId) lines.push({ label: 'fleet job', value: job.fleetJobId });
  lines.push({ label: 'params', value: '', heading: true });
  const params = maskSealedFields(job.params);
  const entries = Object.entries(params);
  if (entries.length === 0) lines.push({ label: '', value: 'none' });
  for (const [k, v] of entries) lines.push({ label: `  ${k}`, value: show(v) });
  lines.push({ label: 'result', value: job.result ? '' : jobDetailText(job), heading: true });
  if (job.result) {
    const r = job.result;
    lines.push({ label: '  state', value: r.reason ? `${r.state} (${r.reason})` : r.state });
    lines.push({ label: '  detail', value: oneLine(r.detail) });
    lines.push({ label: '  started', value: r.startedAt });
    lines.push({ label: '  finished', value: `${r.finishedAt}  (took ${durationText(r.startedAt, r.finishedAt)})` });
    for (const [k, v] of Object.entries(maskSealedFields(r.output ?? {}))) lines.push({ label: `  ${k}`, value: show(v) });
  }
  return lines;
}

/** "fleet 1a2b3c4d drain  12 clusters: 3 succeeded · 1 failed · 8 dispatched" */
export function fleetGroupText(group: FleetGroup): string {
  const counts = group.counts.map((c) => `${c.count} ${c.state}`).join(' · ');
  const done = group.done ? '  done' : '';
  return `fleet ${group.fleetJobId.slice(0, 8)} ${group.type}  ${group.total} ${group.total === 1 ? 'cluster' : 'clusters'}: ${counts}${done}`;
}
