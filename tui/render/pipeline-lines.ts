// The cluster detail's two log pipeline lines: how logs ship (transport, lines/s read and shipped,
// bytes behind, oldest unshipped age) and what went wrong (dropped, refused sources, last error).
// A report of an agent older than log shipping has only the first three figures; they are shown.
import { formatLag } from '../../core/duration.js';
import type { PipelineFigures } from '../../core/status.js';
import { formatBytes, formatCount } from '../../core/units.js';
import { oneLine } from './text.js';

export interface PipelineLines {
  summary: string;
  detail: string;
  /** How the detail line is drawn: an error while shipping fails, a warning for drops and refusals. */
  tone: 'ok' | 'warning' | 'error' | 'muted';
}

function rate(n: number | undefined): string {
  return `${formatCount(n ?? 0)}/s`;
}

export function pipelineLines(p: PipelineFigures | null): PipelineLines {
  if (p === null) return { summary: 'Logs  no report yet', detail: '', tone: 'muted' };
  if (p.transport === 'off') return { summary: 'Logs  off', detail: 'not shipped: the agent has no `server` in its config, or logs.enabled is false', tone: 'muted' };
  const parts = [`Logs  ${p.transport ?? 'pipeline'}`];
  if (p.linesReadPerSecond !== undefined) parts.push(`read ${rate(p.linesReadPerSecond)}`, `shipped ${rate(p.linesShippedPerSecond)}`);
  if (p.bytesBehind !== undefined) parts.push(`behind ${formatBytes(p.bytesBehind)}`);
  else parts.push(`queued ${formatCount(p.queueDepth)}`);
  parts.push(`oldest ${formatLag(p.oldestUnshippedSeconds)}`);

  const problems: string[] = [];
  if (p.dropped > 0) problems.push(`dropped ${formatCount(p.dropped)} lines (${formatBytes(p.droppedBytes ?? 0)})`);
  else if ((p.droppedBytes ?? 0) > 0) problems.push(`dropped ${formatBytes(p.droppedBytes ?? 0)} (lines uncounted)`);
  const refused = p.refusedSources;
  if (refused && refused.count > 0) {
    const first = refused.listed[0];
    // With an error to show, the refused source's name would push it off an 80-column line.
    const which = first && !p.lastError ? ` (${first.path}: ${oneLine(first.reason)})` : '';
    problems.push(`${refused.count} source${refused.count === 1 ? '' : 's'} refused${which}`);
  }
  if (p.lastError) problems.push(`last error: ${oneLine(p.lastError)}`);
  const sources = p.sources !== undefined ? `${p.sources} source${p.sources === 1 ? '' : 's'}` : '';
  if (problems.length === 0) return { summary: parts.join('  '), detail: sources ? `${sources}, nothing dropped` : 'nothing dropped', tone: 'ok' };
  // Short counts first, the error last: a long error is cut at the line's end, never the counts.
  return { summary: parts.join('  '), detail: problems.join(' · '), tone: p.lastError ? 'error' : 'warning' };
}
