// Which PromQL answers an embedded series from the central Prometheus: the `cluster:*` recording rule
// that stands for it (core/metrics/recording-rules.ts), for one cluster, folded to one series
// (federated copies differ only in job and instance). Series with no rule have no query. Pure.
import { RECORDING_RULES } from '../../core/metrics/recording-rules.js';

const QUERIES = new Map<string, (cluster: string) => string>();
for (const rule of RECORDING_RULES) {
  for (const e of rule.embedded ?? []) {
    const extra = Object.entries(e.labels ?? {}).map(([k, v]) => `, ${k}="${v}"`).join('');
    QUERIES.set(e.series, (cluster) => `max(${rule.record}{cluster="${cluster}"${extra}})`);
  }
}

/** The query for a series of a cluster (names are [a-z0-9-], nothing to escape), or undefined when no rule records it. */
export function promQueryFor(series: string, cluster: string): string | undefined {
  return QUERIES.get(series)?.(cluster);
}

/**
 * Prometheus's [seconds, "value"] pairs at start + k·step as our [ms, avg, max] steps from startMs
 * (aligned as the embedded fold aligns them), null where it has no sample.
 */
export function promPoints(values: readonly [number, string][], firstStepMs: number, endMs: number, stepMs: number): [number, number | null, number | null][] {
  const n = Math.max(0, Math.floor((endMs - firstStepMs) / stepMs) + 1);
  const out: [number, number | null, number | null][] = Array.from({ length: n }, (_, i) => [firstStepMs + i * stepMs, null, null]);
  for (const [s, text] of values) {
    const i = Math.round((s * 1000 - firstStepMs) / stepMs);
    const v = Number(text);
    if (i < 0 || i >= n || !Number.isFinite(v)) continue;
    out[i] = [firstStepMs + i * stepMs, v, v];
  }
  return out;
}
