// Whether the central Prometheus is getting a cluster's series, from its `up` series there
// (docs/METRICS.md, "When an edge stops"): the jobs at 0, and how old the newest sample is. In
// federation a stopped edge is the center's own flotilla-federate job at 0; in remote-write there is
// no scrape at the center, so a stopped edge is samples that stop arriving. Pure.
import type { EdgeState, MetricsPoint } from '../../core/metrics/api.js';
import type { PromSample } from './prometheus-client.js';

/** The instant queries the state is read from (cluster names are [a-z0-9-], nothing to escape). */
export function edgeQueries(cluster: string): { up: string; sampledAt: string } {
  const sel = `up{cluster="${cluster}"}`;
  return { up: `min by (job) (${sel})`, sampledAt: `max(timestamp(${sel}))` };
}

const newestPoint = (series: readonly { points: readonly MetricsPoint[] }[]): number | null => {
  let newest: number | null = null;
  for (const s of series) {
    for (let i = s.points.length - 1; i >= 0; i--) {
      const p = s.points[i] as MetricsPoint;
      if (p[1] === null) continue;
      if (newest === null || p[0] > newest) newest = p[0];
      break;
    }
  }
  return newest;
};

/** The state when something is wrong; undefined when every job is up and its samples are fresh. */
export function edgeState(o: { up: readonly PromSample[]; sampledAt: readonly PromSample[]; nowMs: number; staleMs: number; series: readonly { points: readonly MetricsPoint[] }[] }): EdgeState | undefined {
  const down = o.up
    .filter((s) => Number(s.value[1]) === 0)
    .map((s) => s.metric.job ?? 'unknown')
    .sort();
  const seconds = Number(o.sampledAt[0]?.value[1]);
  const newestSample = Number.isFinite(seconds) ? seconds * 1000 : null;
  const stale = newestSample !== null && o.nowMs - newestSample > o.staleMs;
  if (down.length === 0 && newestSample !== null && !stale) return undefined;
  const data = newestPoint(o.series);
  return {
    down,
    newestSample: newestSample === null ? null : new Date(newestSample).toISOString(),
    stale,
    newestData: data === null ? null : new Date(data).toISOString(),
  };
}
