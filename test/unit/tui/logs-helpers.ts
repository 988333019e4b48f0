// Log records for the logs view's tests: numbered lines of a few clusters, one second apart.
import type { StoredLogRecord } from '../../../core/logs/record.js';
import type { Action } from '../../../tui/state/app.js';
import { NOW } from './helpers.js';

export function logRecord(n: number, over: Partial<StoredLogRecord> = {}): StoredLogRecord {
  return {
    id: n.toString(16).padStart(32, '0'),
    ts: new Date(NOW - 3_600_000 + n * 1000).toISOString().replace('.000Z', `.${String(n % 1000).padStart(3, '0')}000Z`),
    cluster: ['prod-us-1', 'prod-eu-1', 'dev-1'][n % 3] ?? 'dev-1',
    namespace: 'payments',
    pod: `api-7d9f8b6c5-${String(n).padStart(5, '0')}`,
    container: 'api',
    node: 'node-1',
    stream: 'stdout',
    level: n % 10 === 0 ? 'error' : 'info',
    message: `line ${n}${n % 10 === 0 ? ' timeout talking to ledger' : ' request served'}`,
    fields: {},
    cursor: String(n).padStart(12, '0'),
    ...over,
  };
}

export const records = (from: number, to: number): StoredLogRecord[] => Array.from({ length: to - from + 1 }, (_, i) => logRecord(from + i));

export const snapshot = (query: string, lines: StoredLogRecord[], over: Partial<Extract<Action, { type: 'logs/snapshot' }>> = {}): Action => ({
  type: 'logs/snapshot',
  query,
  lines,
  more: false,
  resumed: false,
  rejected: 0,
  ...over,
});

export const liveLines = (query: string, lines: StoredLogRecord[]): Action => ({ type: 'logs/lines', query, lines, rejected: 0 });
