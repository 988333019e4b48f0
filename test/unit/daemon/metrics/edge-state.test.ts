// What the daemon says of a cluster's edge from the center's `up`: nothing while every job is up and
// fresh; the jobs at 0; a newest sample older than staleSeconds; no `up` at all; and the data's age
// from the newest point of the Prometheus series.
import { describe, expect, it } from 'vitest';
import { edgeQueries, edgeState } from '../../../../daemon/metrics/edge-state.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const up = (job: string, v: number) => ({ metric: { job }, value: [NOW / 1000, String(v)] as [number, string] });
const sampledAt = (ms: number) => [{ metric: {}, value: [NOW / 1000, String(ms / 1000)] as [number, string] }];
const series = [{ points: [[NOW - 60_000, 1, 1], [NOW - 30_000, 2, 2], [NOW, null, null]] as [number, number | null, number | null][] }];

describe('edgeState', () => {
  it('queries the jobs of the cluster and their newest sample', () => {
    expect(edgeQueries('a-1')).toEqual({ up: 'min by (job) (up{cluster="a-1"})', sampledAt: 'max(timestamp(up{cluster="a-1"}))' });
  });

  it('says nothing while every job is up and its samples are fresh', () => {
    expect(edgeState({ up: [up('flotilla-federate', 1), up('kubelet', 1)], sampledAt: sampledAt(NOW - 5000), nowMs: NOW, staleMs: 120_000, series })).toBeUndefined();
  });

  it('names the jobs at 0, sorted, with the newest point as the data age', () => {
    expect(edgeState({ up: [up('kubelet', 0), up('flotilla-federate', 1), up('kube-state-metrics', 0)], sampledAt: sampledAt(NOW - 1000), nowMs: NOW, staleMs: 120_000, series })).toEqual({
      down: ['kube-state-metrics', 'kubelet'],
      newestSample: new Date(NOW - 1000).toISOString(),
      stale: false,
      newestData: new Date(NOW - 30_000).toISOString(),
    });
  });

  it('says stale when the newest sample is older than staleMs (remote-write that stopped arriving), and says when no up exists', () => {
    expect(edgeState({ up: [up('kubelet', 1)], sampledAt: sampledAt(NOW - 121_000), nowMs: NOW, staleMs: 120_000, series })).toMatchObject({ down: [], stale: true });
    expect(edgeState({ up: [], sampledAt: [], nowMs: NOW, staleMs: 120_000, series: [] })).toEqual({ down: [], newestSample: null, stale: false, newestData: null });
  });
});
