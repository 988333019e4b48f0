// The pipeline view's filter language and the rows it lists: plain words match a substring of the
// cluster name, `cluster:` a glob of it, `health:` and `transport:` a state; every term must match.
// The daemon's order (worst first, then by name) is kept. Pure.
import type { PipelineHealth, PipelineRow } from '../../core/pipeline.js';
import { PIPELINE_TRANSPORTS } from '../../core/status.js';
import { globToRegExp } from './glob.js';

export const PIPELINE_HEALTHS: readonly PipelineHealth[] = ['critical', 'degraded', 'unknown', 'healthy'];

export type PipelineFilterToken =
  | { kind: 'word'; text: string }
  | { kind: 'cluster'; pattern: RegExp }
  /** Kept as typed so a misspelt state is reported instead of silently matching nothing. */
  | { kind: 'health'; health: string }
  | { kind: 'transport'; transport: string };

function parseToken(raw: string): PipelineFilterToken {
  const lower = raw.toLowerCase();
  const colon = lower.indexOf(':');
  const prefix = colon > 0 ? lower.slice(0, colon) : '';
  const value = colon > 0 ? raw.slice(colon + 1) : '';
  if (value.length > 0) {
    if (prefix === 'cluster') return { kind: 'cluster', pattern: globToRegExp(value) };
    if (prefix === 'health') return { kind: 'health', health: value.toLowerCase() };
    if (prefix === 'transport') return { kind: 'transport', transport: value.toLowerCase() };
  }
  return { kind: 'word', text: lower };
}

export function parsePipelineFilter(text: string): PipelineFilterToken[] {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(parseToken);
}

function tokenMatches(token: PipelineFilterToken, row: PipelineRow): boolean {
  switch (token.kind) {
    case 'word':
      return row.cluster.toLowerCase().includes(token.text);
    case 'cluster':
      return token.pattern.test(row.cluster);
    case 'health':
      return row.health === token.health;
    case 'transport':
      return row.transport === token.transport;
  }
}

export function matchesPipelineFilter(tokens: readonly PipelineFilterToken[], row: PipelineRow): boolean {
  return tokens.every((t) => tokenMatches(t, row));
}

export function pipelineFilterProblems(text: string): string[] {
  const problems: string[] = [];
  for (const t of parsePipelineFilter(text)) {
    if (t.kind === 'health' && !(PIPELINE_HEALTHS as readonly string[]).includes(t.health)) problems.push(`unknown health "${t.health}" (use ${PIPELINE_HEALTHS.join(', ')})`);
    if (t.kind === 'transport' && !(PIPELINE_TRANSPORTS as readonly string[]).includes(t.transport)) problems.push(`unknown transport "${t.transport}" (use ${PIPELINE_TRANSPORTS.join(', ')})`);
  }
  return problems;
}

let lastVisible: { rows: readonly PipelineRow[]; filter: string; result: readonly PipelineRow[] } | null = null;

/** The rows the view lists; recomputed only when a snapshot or the filter changes, not on every tick. */
export function selectVisiblePipelineRows(rows: readonly PipelineRow[], filter: string): readonly PipelineRow[] {
  if (lastVisible && lastVisible.rows === rows && lastVisible.filter === filter) return lastVisible.result;
  const tokens = parsePipelineFilter(filter);
  const result = tokens.length === 0 ? rows : rows.filter((r) => matchesPipelineFilter(tokens, r));
  lastVisible = { rows, filter, result };
  return result;
}
