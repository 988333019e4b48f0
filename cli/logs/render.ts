// How `flotilla logs` prints records (docs/LOGS.md#searching-from-the-cli). Pure: colour is a switch
// passed in (NO_COLOR, FORCE_COLOR, a terminal), never read here.
//
// A line is `TS CLUSTER NS/POD/CONTAINER LEVEL MESSAGE`. The cluster and pod prefix takes a colour
// picked from the cluster name, so one cluster keeps its colour across runs; levels are coloured by
// severity; context lines are dim and groups are separated by `--` as grep does. Control characters
// in a record (a hostile or binary line) are shown escaped, so no log line can drive the terminal.
import { type LogHit } from '../../core/logs/api.js';
import { type LogLevel, type LogRecord, publicRecord } from '../../core/logs/record.js';

// Plain SGR codes rather than node:util styleText, whose colour decision (stream, environment)
// varies between Node 20 releases; here the caller decides once.
const SGR = { reset: '\x1b[0m', dim: '\x1b[2m', bold: '\x1b[1m' };
const PALETTE = ['\x1b[36m', '\x1b[32m', '\x1b[33m', '\x1b[34m', '\x1b[35m', '\x1b[96m', '\x1b[92m', '\x1b[93m', '\x1b[94m', '\x1b[95m'];
const LEVEL_COLOUR: Record<LogLevel, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[1;31m',
  unknown: '',
};

export interface RenderOptions {
  colour: boolean;
}

/** Whether to colour: NO_COLOR (any non-empty value) wins, then FORCE_COLOR, then whether stdout is a terminal. */
export function wantsColour(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/** FNV-1a over the name: a stable palette slot per cluster. */
function slot(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % PALETTE.length;
}

/** Escapes C0 and C1 controls (tab stays a tab) as \xNN, and lone surrogates as \uNNNN. */
export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += text.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += text[i];
  }
  return out;
}

/** `2026-12-01T10:00:00.123456789Z` → `2026-12-01T10:00:00.123Z`: milliseconds are enough on a terminal. */
function shortTs(ts: string): string {
  const m = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}Z` : printable(ts);
}

export function renderLine(r: LogRecord, opts: RenderOptions, dim = false): string {
  const where = `${printable(r.cluster)} ${printable(r.namespace)}/${printable(r.pod)}/${printable(r.container)}`;
  const level = r.level.toUpperCase().padEnd(5);
  const message = printable(r.message);
  if (!opts.colour) return `${shortTs(r.ts)} ${where} ${level} ${message}`;
  if (dim) return `${SGR.dim}${shortTs(r.ts)} ${where} ${level} ${message}${SGR.reset}`;
  const colour = PALETTE[slot(r.cluster)] as string;
  const lc = LEVEL_COLOUR[r.level];
  return `${SGR.dim}${shortTs(r.ts)}${SGR.reset} ${colour}${where}${SGR.reset} ${lc}${level}${lc ? SGR.reset : ''} ${message}`;
}

/** Search hits in the order given, each with its context lines (dim) around it, `--` between groups when there is context. */
export function renderHits(hits: readonly LogHit[], opts: RenderOptions): string {
  const withContext = hits.some((h) => h.context !== undefined);
  const groups = hits.map((h) => [...(h.context?.before ?? []).map((r) => renderLine(r, opts, true)), renderLine(h, opts), ...(h.context?.after ?? []).map((r) => renderLine(r, opts, true))].join('\n'));
  if (groups.length === 0) return '';
  const sep = opts.colour ? `\n${SGR.dim}--${SGR.reset}\n` : '\n--\n';
  return `${groups.join(withContext ? sep : '\n')}\n`;
}

/** `--json`: the §3.6 fields of each hit, in the documented order; with context, a `context` key too. */
export function jsonHits(hits: readonly LogHit[], context: boolean): unknown[] {
  return hits.map((h) => (context ? { ...publicRecord(h), context: { before: (h.context?.before ?? []).map(publicRecord), after: (h.context?.after ?? []).map(publicRecord) } } : publicRecord(h)));
}

/** The query echoed with a caret under the error position (white space shown as spaces, so columns line up). */
export function caretLines(query: string, position: number): string {
  const shown = printable(query.replace(/\s/g, ' '));
  const before = printable(query.slice(0, position).replace(/\s/g, ' '));
  return `  ${shown}\n  ${' '.repeat([...before].length)}^`;
}
