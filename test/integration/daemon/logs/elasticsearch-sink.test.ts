// The log sink contract on the Elasticsearch sink, against the Elasticsearch test server through the
// real client, with 1-hour indices so the contract's hours of records span many of them. The server
// refreshes every 20 ms, so a search right after a write finds it only because the sink waits for
// the refresh (refresh=wait_for).
import type { LogSink } from '../../../../daemon/logs/sink.js';
import { ElasticsearchLogSink } from '../../../../daemon/logs/elasticsearch/sink.js';
import { logSinkContract } from '../../../contract/log-sink.js';
import { startElasticsearch } from '../../../harness/elasticsearch/server.js';

logSinkContract('elasticsearch', async () => {
  const es = await startElasticsearch({ refreshIntervalMs: 20 });
  const open = async () => {
    const s = new ElasticsearchLogSink({ nodes: [es.url], indexPrefix: 'flotilla-logs', indexHours: 1, requestTimeoutMs: 10_000, retry: { initialMs: 10, maxMs: 100, writeDeadlineMs: 10_000 } });
    await s.connect();
    return s;
  };
  let sink: LogSink = await open();
  return {
    sink,
    reopen: async () => {
      await sink.close();
      sink = await open();
      return sink;
    },
    cleanup: async () => {
      await sink.close();
      await es.stop();
    },
  };
});
