// The daemon's log sink from its config (`logs.sink`): SQLite FTS5 in the data directory, or an
// Elasticsearch cluster. A broken Elasticsearch setting (a secret file that cannot be read, wrong
// credentials, a server that is not Elasticsearch 9) is a config error here, so the daemon stops at
// start (exit 78) saying what to fix; an Elasticsearch that is merely unreachable is logged and the
// daemon starts anyway (docs/LOGS.md, "Elasticsearch sink").
import { isAbsolute, join } from 'node:path';
import type { DaemonLogsConfig } from '../../config/logs-schema.js';
import type { Logger } from '../../core/log.js';
import { ElasticsearchLogSink } from './elasticsearch/sink.js';
import { Fts5LogSink } from './fts5/sink.js';
import type { LogSink } from './sink.js';

/** The sink's database file: `logs.sink.path` (relative to the data directory), default <dataDir>/logs.db. */
export function logSinkPath(config: DaemonLogsConfig, dataDir: string): string {
  const path = (config.sink.type === 'sqlite' ? config.sink.path : undefined) ?? 'logs.db';
  return isAbsolute(path) ? path : join(dataDir, path);
}

export async function openLogSink(config: DaemonLogsConfig, dataDir: string, log: Logger): Promise<LogSink> {
  const s = config.sink;
  if (s.type === 'sqlite') return new Fts5LogSink({ file: logSinkPath(config, dataDir), partitionHours: s.partitionHours });
  const sink = new ElasticsearchLogSink({
    nodes: s.nodes,
    ...(s.auth ? { auth: s.auth } : {}),
    ...(s.caFile ? { caFile: s.caFile } : {}),
    indexPrefix: s.indexPrefix,
    indexHours: s.indexHours,
    ...(s.indexSettings ? { indexSettings: s.indexSettings } : {}),
    refresh: s.refresh,
    requestTimeoutMs: s.requestTimeoutMs,
    retry: s.retry,
    log: log.child({ component: 'elasticsearch-sink' }),
  });
  try {
    await sink.connect();
  } catch (e) {
    await sink.close();
    throw e;
  }
  return sink;
}
