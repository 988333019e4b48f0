// A fleet job's blast radius as dialog rows: one per cluster, the objects it would touch. Pure. When
// the clusters do not fit, clusters with a warning come first so a cap never hides the one whose
// status could not say what would happen; the last row counts the rest.
import type { Affected } from '../state/calls.js';
import { fit, oneLine } from './text.js';

export interface BlastRow {
  text: string;
  warning: boolean;
}

const MAX_NAME = 24;

function describe(a: Affected): string {
  const what = a.affected.length > 0 ? a.affected.join('; ') : 'nothing found to change';
  return a.warning !== undefined ? `! ${a.warning}${a.affected.length > 0 ? ` — ${what}` : ''}` : what;
}

export function blastRows(blast: readonly Affected[], maxRows: number, width: number): BlastRow[] {
  const rows = Math.max(1, maxRows);
  const ordered = blast.length <= rows ? blast : [...blast].sort((a, b) => Number(b.warning !== undefined) - Number(a.warning !== undefined));
  const shown = ordered.length <= rows ? ordered : ordered.slice(0, rows - 1);
  const nameWidth = Math.min(MAX_NAME, Math.max(0, ...shown.map((a) => a.cluster.length)));
  const out = shown.map((a) => ({ text: fit(oneLine(`${fit(a.cluster, nameWidth)}  ${describe(a)}`), width), warning: a.warning !== undefined }));
  const hidden = ordered.length - shown.length;
  if (hidden > 0) out.push({ text: fit(`… and ${hidden} more ${hidden === 1 ? 'cluster' : 'clusters'}`, width), warning: false });
  return out;
}
