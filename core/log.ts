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

/**
 * Keys whose values never reach a log line, at the top of a logged object or one or two levels in
 * (`{req: {headers: {authorization}}}`): credentials, secrets and sealed parameters (DESIGN §3.9).
 * Code logs ids and names, never these; the list catches what slips through.
 */
const SECRET_KEYS = ['authorization', 'cookie', 'token', 'bootstrapToken', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'id_token', 'password', 'secret', 'clientSecret', 'client_secret', 'sealed', 'privateKey'];
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
export const REDACTED = '[redacted]';

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? 'info';
  const options = { name: opts.name, level, redact: { paths: [...REDACT_PATHS], censor: REDACTED } };
  if (opts.file === '-') return pino(options, pino.destination({ fd: 2, sync: true }));
  // private: log lines name clusters, sources and token ids
  mkdirPrivate(dirname(opts.file));
  // sync writes: a daemon killed by SIGKILL must not lose the lines that explain why.
  return pino(options, pino.destination({ dest: opts.file, sync: true, mode: 0o600 }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
