// Stored log records for the CLI's logs tests: numbered, with the number as the ingest cursor.
import type { StoredLogRecord } from '../../../../core/logs/record.js';

export function stored(n: number, over: Partial<StoredLogRecord> = {}): StoredLogRecord {
  return {
    id: n.toString(16).padStart(32, '0'),
    ts: `${new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + n * 1000).toISOString().slice(0, 19)}.456789123Z`,
    cluster: 'prod-eu',
    namespace: 'payments',
    pod: 'api-7d9f',
    container: 'api',
    node: 'node-1',
    stream: 'stdout',
    level: 'info',
    message: `line ${n}`,
    fields: {},
    cursor: String(n).padStart(10, '0'),
    ...over,
  };
}
