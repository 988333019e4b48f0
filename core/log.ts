// pino loggers for every part. The daemon and agents log JSON lines to a file (or stderr with "-");
// the TUI always logs to a file so nothing ever lands on its screen.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** A file path, or "-" for stderr. */
  file: string;
}

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? 'info';
  if (opts.file === '-') return pino({ name: opts.name, level }, pino.destination({ fd: 2, sync: true }));
  mkdirSync(dirname(opts.file), { recursive: true });
  // sync writes: a daemon killed by SIGKILL must not lose the lines that explain why.
  return pino({ name: opts.name, level }, pino.destination({ dest: opts.file, sync: true, mkdir: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
