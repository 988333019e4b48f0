// The daemon's log sink from its config (`logs.sink`): today SQLite FTS5; Elasticsearch joins here.
import { isAbsolute, join } from 'node:path';
import type { DaemonLogsConfig } from '../../config/logs-schema.js';
import { Fts5LogSink } from './fts5/sink.js';
import type { LogSink } from './sink.js';

/** The sink's database file: `logs.sink.path` (relative to the data directory), default <dataDir>/logs.db. */
export function logSinkPath(config: DaemonLogsConfig, dataDir: string): string {
  const path = config.sink.path ?? 'logs.db';
  return isAbsolute(path) ? path : join(dataDir, path);
}

export function openLogSink(config: DaemonLogsConfig, dataDir: string): LogSink {
  return new Fts5LogSink({ file: logSinkPath(config, dataDir), partitionHours: config.sink.partitionHours });
}
