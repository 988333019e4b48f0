// The log sink contract on the SQLite FTS5 sink, in a temp directory, with 1-hour partitions so the
// contract's hours of records span many of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fts5LogSink } from '../../../../daemon/logs/fts5/sink.js';
import type { LogSink } from '../../../../daemon/logs/sink.js';
import { logSinkContract } from '../../../contract/log-sink.js';

logSinkContract('sqlite fts5', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-fts5-'));
  const file = join(dir, 'logs.db');
  let sink: LogSink = new Fts5LogSink({ file, partitionHours: 1 });
  return {
    sink,
    reopen: async () => {
      await sink.close();
      sink = new Fts5LogSink({ file, partitionHours: 1 });
      return sink;
    },
    cleanup: async () => {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
