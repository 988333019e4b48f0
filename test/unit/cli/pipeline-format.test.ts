// `flotilla pipeline` as text: the table in the daemon's order, the fleet line, the reasons.
import { describe, expect, it } from 'vitest';
import { pipelineText } from '../../../cli/pipeline-format.js';
import { pipelineRow, pipelineSnapshot } from '../../../daemon/logs/pipeline-model.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const base = { nowMs: NOW, silentAfterIntervals: 3, lagSeconds: 60, recentDrops: [] } as const;

describe('pipelineText', () => {
  it('shows each cluster worst first, the fleet totals and why the unhealthy ones are so', () => {
    const snapshot = pipelineSnapshot(
      [
        pipelineRow({ ...base, cluster: 'prod-eu', report: { receivedAtMs: NOW - 4000, intervalSeconds: 10, figures: { queueDepth: 2000, oldestUnshippedSeconds: 125, dropped: 0, transport: 'rabbitmq', bytesBehind: 5 * 2 ** 20, linesReadPerSecond: 1500, linesShippedPerSecond: 0, lastError: null, edge: { sampledAt: '2026-12-02T11:59:55.000Z', outboxMessages: 40, outboxBytes: 2 ** 20, outboxReadyBytes: 2 ** 20, outboxMaxBytes: 100 * 2 ** 20, shovel: { state: 'starting', reason: null }, error: null } } }, ingest: { linesPerSecond: 0, newestTs: '2026-12-02T11:57:55.000Z', newestTsMs: NOW - 125_000, deadLetters: 1, recentDeadLetters: 0 }, dropped: { lines: 12, bytes: 960 } }),
        pipelineRow({ ...base, cluster: 'dev', report: null, ingest: { linesPerSecond: 0, newestTs: null, newestTsMs: null, deadLetters: 0, recentDeadLetters: 0 }, dropped: { lines: 0, bytes: 0 } }),
      ],
      NOW,
    );
    const text = pipelineText(snapshot);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+HEALTH\s+TRANSPORT\s+QUEUED\s+BEHIND\s+OLDEST/);
    expect(lines[1]).toMatch(/^prod-eu\s+degraded\s+rabbitmq\s+2000\s+5\.0 MiB\s+2m 5s\s+1500\s+0\.0\s+40 1\.0 MiB 1%\s+starting\s+0\.0\s+2m 5s\s+1\s+12 \(960 B\)\s+4s ago$/);
    expect(lines[2]).toMatch(/^dev\s+unknown\s+-\s+-/);
    expect(text).toContain('fleet: 2 clusters (1 degraded, 1 unknown); ingest 0.0 lines/s; 2000 queued, 5.0 MiB behind; 40 in edge outboxes (1.0 MiB); max lag 2m 5s; 1 dead letters; 12 lines dropped');
    expect(text).toContain('prod-eu: logs lag 2m 5s behind at the agent; shovel to the center starting');
    expect(text).toContain('dev: no status report yet');
  });

  it('says what to do with no clusters', () => {
    expect(pipelineText(pipelineSnapshot([], NOW))).toMatch(/next: add one with `flotilla cluster add NAME`/);
  });
});
