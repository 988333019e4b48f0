// pino loggers for every part. The daemon and agents log JSON lines to a file (or stderr with "-");
// the TUI always logs to a file so nothing ever lands on its screen.
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { mkdirPrivate } from './private-file.js';

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
  // private: log lines name clusters, sources and token ids
  mkdirPrivate(dirname(opts.file));
  // sync writes: a daemon killed by SIGKILL must not lose the lines that explain why.
  return pino({ name: opts.name, level }, pino.destination({ dest: opts.file, sync: true, mode: 0o600 }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
