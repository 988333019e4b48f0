// Level normalisation (DESIGN.md §3.6): every input says "how bad" in its own dialect — pino and
// bunyan numbers, syslog severities, klog's one-letter prefixes, logfmt `level=`, bracketed or bare
// words, stack-trace openings. One function per dialect, tried cheapest first, so a search for
// `level:error` finds them all. Pure.
import type { LogLevel } from '../../core/logs/record.js';

const WORDS: Record<string, LogLevel> = {
  trace: 'trace',
  trc: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  inf: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  warn: 'warn',
  wrn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  eror: 'error',
  fatal: 'fatal',
  ftl: 'fatal',
  crit: 'fatal',
  critical: 'fatal',
  panic: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
};

/** A level word in any case (`WARN`, `Warning`, `err`), or undefined. */
export function levelFromWord(word: string): LogLevel | undefined {
  if (word.length > 13) return undefined;
  return WORDS[word.toLowerCase()];
}

/**
 * A numeric level: pino/bunyan (10 trace … 60 fatal, in steps of ten; values between round down)
 * or a syslog severity (0 emerg … 7 debug). The two ranges do not overlap, so the number tells which.
 */
export function levelFromNumber(n: number): LogLevel | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (n <= 7 && Number.isInteger(n)) return (['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'] as const)[n];
  if (n < 10) return undefined;
  if (n < 20) return 'trace';
  if (n < 30) return 'debug';
  if (n < 40) return 'info';
  if (n < 50) return 'warn';
  if (n < 60) return 'error';
  return 'fatal';
}

/** A JSON `level`-like value: a word, a number, or a number written as a string. */
export function levelFromValue(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return levelFromNumber(v);
  if (typeof v !== 'string') return undefined;
  const word = levelFromWord(v.trim());
  if (word) return word;
  return /^\d{1,3}$/.test(v) ? levelFromNumber(Number(v)) : undefined;
}

// klog: `E1201 10:00:00.000000 …` (I, W, E, F and month-day, then a time).
const KLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d/;
const KLOG_LEVEL: Record<string, LogLevel> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
// logfmt anywhere near the start: `ts=… level=error msg=…`, `lvl=warn`, `severity="info"`.
const LOGFMT = /(?:^|\s)(?:level|lvl|severity)=["']?([A-Za-z]+)/;
// A leading level word, optionally after a timestamp-ish prefix and in brackets: `ERROR x`,
// `[warn] x`, `2024-01-01 10:00:00,123 INFO x`, `<error>: x`, `W: x`.
const LEADING = /^[\d\-:.,TZ+/ ]*[[(<]?([A-Za-z]{3,13})[\])>]?(?::|\s|$)/;
// The first line of a crash: Go panics, Python tracebacks, Java and friends' exceptions.
const CRASH = /^(?:panic: |fatal error: |Traceback \(most recent call last\)|Exception\b|Unhandled(?: exception|Rejection)|[\w.$]*(?:Exception|Error)(?::|$| in thread))/;

/** The level a plain text line states, or `unknown`. Looks only at the start of the line (and logfmt). */
export function levelFromText(line: string): LogLevel {
  const head = line.length > 256 ? line.slice(0, 256) : line;
  const klog = KLOG.exec(head);
  if (klog) return KLOG_LEVEL[klog[1]!]!;
  // Before the words, so `panic: …` is the error it reports rather than the word `panic`.
  if (CRASH.test(head)) return 'error';
  const lead = LEADING.exec(head);
  if (lead) {
    const w = levelFromWord(lead[1]!);
    if (w) return w;
  }
  const fmt = LOGFMT.exec(head);
  if (fmt) {
    const w = levelFromWord(fmt[1]!);
    if (w) return w;
  }
  return 'unknown';
}
