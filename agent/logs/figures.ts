// Pure: the pipeline's figures for the status report (core/status.ts PipelineSchema), from what each
// input says about its sources and what the pipeline counted itself.
import { REFUSED_SOURCES_LISTED, type EdgeFigures, type PipelineFigures, type PipelineTransport } from '../../core/status.js';
import type { InputFigures } from './input.js';

/** Rates are averaged over this many seconds; the error-lines rate is over one minute. */
export const RATE_SECONDS = 10;
export const ERROR_RATE_SECONDS = 60;
export const LAST_ERROR_CHARS = 512;

export interface PipelineCounts {
  transport: PipelineTransport;
  /** Records read and not yet acked, over all inputs. */
  inFlightRecords: number;
  linesReadPerSecond: number;
  linesShippedPerSecond: number;
  errorLinesLastMinute: number;
  lastError: string | null;
}

/** The figures of an agent that ships no logs (logs disabled or no `server`). */
export function offFigures(): PipelineFigures {
  return {
    queueDepth: 0,
    oldestUnshippedSeconds: 0,
    dropped: 0,
    transport: 'off',
    linesReadPerSecond: 0,
    linesShippedPerSecond: 0,
    bytesBehind: 0,
    droppedBytes: 0,
    errorLinesPerMinute: 0,
    sources: 0,
    refusedSources: { count: 0, listed: [] },
    lastError: null,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function pipelineFigures(inputs: readonly InputFigures[], counts: PipelineCounts, nowMs: number): PipelineFigures {
  let oldest: number | null = null;
  let bytesBehind = 0;
  let droppedLines = 0;
  let droppedBytes = 0;
  let sources = 0;
  const refused: { path: string; reason: string }[] = [];
  let refusedCount = 0;
  for (const f of inputs) {
    if (f.oldestUnshippedMs !== null && (oldest === null || f.oldestUnshippedMs < oldest)) oldest = f.oldestUnshippedMs;
    bytesBehind += f.bytesBehind;
    droppedLines += f.droppedLines;
    droppedBytes += f.droppedBytes;
    sources += f.sources;
    refusedCount += f.refused.length;
    for (const r of f.refused) if (refused.length < REFUSED_SOURCES_LISTED) refused.push({ path: r.path.slice(0, 4096), reason: r.reason.slice(0, 256) });
  }
  return {
    queueDepth: counts.inFlightRecords,
    // A clock step backwards must not make the age negative.
    oldestUnshippedSeconds: oldest === null ? 0 : Math.max(0, Math.floor((nowMs - oldest) / 1000)),
    dropped: droppedLines,
    transport: counts.transport,
    linesReadPerSecond: round2(counts.linesReadPerSecond),
    linesShippedPerSecond: round2(counts.linesShippedPerSecond),
    bytesBehind: Math.max(0, Math.round(bytesBehind)),
    droppedBytes,
    errorLinesPerMinute: counts.errorLinesLastMinute,
    sources,
    refusedSources: { count: refusedCount, listed: refused },
    lastError: counts.lastError === null ? null : counts.lastError.slice(0, LAST_ERROR_CHARS),
  };
}

/** The pipeline's figures with the edge broker's last read, when the cluster ships through one. */
export function withEdge(f: PipelineFigures, edge: EdgeFigures | null): PipelineFigures {
  return edge ? { ...f, edge } : f;
}
