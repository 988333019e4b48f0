// One log record as console cells: time, cluster, where it came from (ns/pod/container abbreviated to
// fit), level and message, plus the message split into highlighted runs and wrapped rows. Plain
// strings and numbers only; the view adds colour (theme.tsx). Pure.
import type { LogLevel, LogRecord } from '../../core/logs/record.js';
import { fit, oneLine } from './text.js';

export interface LogColumns {
  time: number;
  cluster: number;
  source: number;
  level: number;
  /** What is left for the message on the first row (and every wrapped row). */
  message: number;
}

/** Width of the selection marker in front of every line. */
export const LOG_MARKER = 2;

/** Column widths for a terminal width: narrow terminals drop the milliseconds and squeeze the source. */
export function logColumns(width: number): LogColumns {
  const wide = width >= 120;
  const time = wide ? 12 : 8;
  const cluster = wide ? 16 : 10;
  const source = wide ? Math.min(48, Math.floor(width / 4)) : 18;
  const level = 5;
  const message = Math.max(10, width - LOG_MARKER - time - cluster - source - level - 4);
  return { time, cluster, source, level, message };
}

/** The column where the message starts, for wrapped rows. */
export function messageOffset(c: LogColumns): number {
  return LOG_MARKER + c.time + c.cluster + c.source + c.level + 4;
}

/** HH:MM:SS(.mmm) in UTC, from the record's RFC 3339 ts (its sub-second digits kept as written). */
export function logTime(ts: string, width: number): string {
  const clock = ts.slice(11, 19);
  if (width < 12) return clock;
  const frac = ts.length > 20 ? ts.slice(20, -1) : '';
  return `${clock}.${frac.padEnd(3, '0').slice(0, 3)}`;
}

const LEVEL_LABELS: Record<LogLevel, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL', unknown: '-' };

export function levelLabel(level: LogLevel): string {
  return LEVEL_LABELS[level];
}

/**
 * namespace/pod/container in `width` characters. The pod says most, so it keeps the most room; the
 * namespace and the container give way first, each down to a few characters and an ellipsis.
 */
export function abbreviateSource(r: Pick<LogRecord, 'namespace' | 'pod' | 'container'>, width: number): string {
  const full = `${r.namespace}/${r.pod}/${r.container}`;
  if (full.length <= width) return full;
  let ns = r.namespace;
  let container = r.container;
  let pod = r.pod;
  const over = (): number => ns.length + pod.length + container.length + 2 - width;
  const squeeze = (part: string, floor: number): string => {
    const keep = Math.max(floor, part.length - over());
    return keep >= part.length ? part : fit(part, keep);
  };
  container = squeeze(container, 4);
  if (over() > 0) ns = squeeze(ns, 4);
  if (over() > 0) pod = fit(pod, Math.max(1, width - ns.length - container.length - 2));
  return fit(`${ns}/${pod}/${container}`, width);
}

/** The cells before the message, each exactly its column's width. */
export function logPrefix(r: LogRecord, c: LogColumns): { time: string; cluster: string; source: string; level: string } {
  return {
    time: fit(logTime(r.ts, c.time), c.time),
    cluster: fit(r.cluster, c.cluster),
    source: fit(abbreviateSource(r, c.source), c.source),
    level: fit(levelLabel(r.level), c.level),
  };
}

/** A message made fit for one terminal line per row: newlines and tabs become spaces. */
export function flatMessage(message: string): string {
  return oneLine(message);
}

/** Rows a message takes: one when not wrapped, else as many as its length needs at the message width. */
export function messageRows(message: string, width: number, wrap: boolean): number {
  if (!wrap) return 1;
  return Math.max(1, Math.ceil(flatMessage(message).length / Math.max(1, width)));
}

export interface Run {
  text: string;
  hit: boolean;
}

/**
 * The part [from, to) of a message as runs of plain and highlighted text. Ranges index the original
 * message; oneLine keeps its length (one space per replaced character run is not guaranteed), so
 * highlighting works on the flattened text with ranges clamped to it.
 */
export function messageRuns(text: string, ranges: readonly (readonly [number, number])[], from: number, to: number): Run[] {
  const runs: Run[] = [];
  let at = from;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const s = Math.max(start, at);
    const e = Math.min(end, to);
    if (e <= s) continue;
    if (s > at) runs.push({ text: text.slice(at, s), hit: false });
    runs.push({ text: text.slice(s, e), hit: true });
    at = e;
  }
  if (at < to) runs.push({ text: text.slice(at, to), hit: false });
  return runs;
}

/** `key=value` pairs of a record's JSON fields in `width` characters, most important (first) first. */
export function fieldsLine(fields: LogRecord['fields'], width: number): string {
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return fit(oneLine(pairs.join('  ')), width);
}

/** Stable small number from a cluster name, so a cluster keeps its colour across runs and consoles (FNV-1a). */
export function clusterHue(name: string, hues: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % hues;
}

/** A line of the fleet view's logs pane: narrower than the logs view's, and its level is always error or worse. */
export interface PaneLogCells {
  time: string;
  /** Empty when the pane shows one cluster's lines. */
  cluster: string;
  source: string;
  message: string;
}

/**
 * The cells of a pane line in `width`: HH:MM:SS, the cluster (when the pane shows the fleet's), where
 * it came from in about a quarter of the width (the pod alone under 120 columns: namespace and
 * container squeezed to a few letters each say less than the pod's name), and the message.
 */
export function paneLogCells(r: LogRecord, width: number, withCluster: boolean): PaneLogCells {
  const time = logTime(r.ts, 8);
  const clusterWidth = withCluster ? Math.max(8, Math.min(16, Math.floor(width / 6))) : 0;
  const sourceWidth = Math.max(10, Math.min(40, Math.floor(width / 4)));
  const used = time.length + 1 + (withCluster ? clusterWidth + 1 : 0) + sourceWidth + 1;
  const message = fit(oneLine(r.message), Math.max(1, width - used));
  const source = width >= 120 ? abbreviateSource(r, sourceWidth) : r.pod;
  return { time, cluster: withCluster ? fit(r.cluster, clusterWidth) : '', source: fit(source, sourceWidth), message };
}
