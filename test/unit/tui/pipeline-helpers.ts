// Pipeline snapshots for the console's pipeline view tests: one row per kind of trouble (an edge
// outbox near its cap with a dead shovel, a reconnecting shovel, failing shipping with drops, a
// silent agent, logs off) beside healthy rows, on clusters of the fleet fixture. Sorted and totalled
// by the daemon's own pipelineSnapshot, so the fixture is what the topic sends.
import type { PipelineRow, PipelineSnapshot } from '../../../core/pipeline.js';
import { pipelineSnapshot } from '../../../daemon/logs/pipeline-model.js';
import type { Action } from '../../../tui/state/app.js';
import { apply, connectedState, NOW } from './helpers.js';
import type { AppState } from '../../../tui/state/app.js';

const MiB = 1024 * 1024;

export function pipelineRow(cluster: string, over: Partial<PipelineRow> = {}): PipelineRow {
  return {
    cluster,
    health: 'healthy',
    reasons: [],
    transport: 'daemon',
    reportAgeSeconds: 2,
    agent: { queueDepth: 0, bytesBehind: 0, oldestUnshippedSeconds: 0, linesReadPerSecond: 12, linesShippedPerSecond: 12, lastError: null },
    edge: null,
    ingestLinesPerSecond: 12,
    newestIngestedTs: new Date(NOW - 1000).toISOString(),
    lagSeconds: 1,
    deadLetters: 0,
    dropped: { lines: 0, bytes: 0 },
    ...over,
  };
}

export const PIPELINE_ROWS: PipelineRow[] = [
  pipelineRow('prod-eu-1', { ingestLinesPerSecond: 812.4 }),
  pipelineRow('prod-us-1', {
    health: 'critical',
    transport: 'rabbitmq',
    reasons: [
      'shovel to the center terminated: connection refused',
      'edge outbox 92% full (236 MiB of 256 MiB): at its cap it refuses publishes and the agent pauses',
      'logs lag 12m 5s behind at the agent',
      'log shipping failing: publish nacked',
    ],
    agent: { queueDepth: 2000, bytesBehind: 5 * MiB, oldestUnshippedSeconds: 725, linesReadPerSecond: 1500, linesShippedPerSecond: 0, lastError: 'publish nacked' },
    edge: { outboxMessages: 12_000, outboxBytes: 240 * MiB, outboxReadyBytes: 236 * MiB, outboxMaxBytes: 256 * MiB, shovelState: 'terminated', shovelReason: 'connection refused', sampledAgeSeconds: 3, error: null },
    ingestLinesPerSecond: 0,
    lagSeconds: 725,
  }),
  pipelineRow('prod-eu-2', {
    health: 'degraded',
    transport: 'rabbitmq',
    reasons: ['shovel to the center starting (it reconnects every few seconds while the center is away)'],
    edge: { outboxMessages: 40, outboxBytes: MiB, outboxReadyBytes: MiB, outboxMaxBytes: 256 * MiB, shovelState: 'starting', shovelReason: null, sampledAgeSeconds: 1, error: null },
    ingestLinesPerSecond: 0,
    lagSeconds: 125,
  }),
  pipelineRow('staging-us-1', {
    health: 'degraded',
    reasons: ['log shipping failing: cannot reach the daemon: ECONNREFUSED', '12 log lines (960 B) dropped in the last 15 min', '1 log batch or record refused in the last 15 min (GET /api/v1/rejections)'],
    agent: { queueDepth: 300, bytesBehind: 1536, oldestUnshippedSeconds: 45, linesReadPerSecond: 20, linesShippedPerSecond: 0, lastError: 'cannot reach the daemon: ECONNREFUSED' },
    deadLetters: 1,
    dropped: { lines: 12, bytes: 960 },
  }),
  pipelineRow('edge-store-0417', { health: 'unknown', reasons: ['no status report yet: the agent has not told how it ships'], transport: null, reportAgeSeconds: null, agent: null, ingestLinesPerSecond: 0, newestIngestedTs: null, lagSeconds: null }),
  pipelineRow('dev-1', { transport: 'off', agent: { queueDepth: 0, bytesBehind: 0, oldestUnshippedSeconds: 0, linesReadPerSecond: null, linesShippedPerSecond: null, lastError: null }, ingestLinesPerSecond: 0, newestIngestedTs: null, lagSeconds: null }),
  pipelineRow('a-cluster-with-a-very-long-name-for-truncation', { ingestLinesPerSecond: 12_345 }),
];

export const PIPELINE: PipelineSnapshot = pipelineSnapshot(PIPELINE_ROWS, NOW - 2000);

export const pipelineFrame = (snapshot: PipelineSnapshot = PIPELINE, rev = 1): Action => ({ type: 'pipeline/snapshot', rev, snapshot });

/** Connected at the given size, the pipeline view open from the fleet with the fixture snapshot. */
export function pipelineState(columns = 80, rows = 24): AppState {
  return apply(connectedState(undefined, columns, rows), { type: 'key', action: 'pipeline' }, pipelineFrame());
}
