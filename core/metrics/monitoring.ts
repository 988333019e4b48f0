// A cluster's `monitoring` settings (DESIGN §3.7, docs/METRICS.md "Delivering the edge config:
// configure-monitoring"): how its edge Prometheus gets its series to the center, and what the daemon
// needs to know of the edge to generate its config. The registry keeps one per cluster (set by
// `flotilla cluster monitoring CLUSTER …`, POST /api/v1/clusters/:name/monitoring); the daemon derives
// from it the edge config it signs into clusters/<c>/config/monitoring.json for a configure-monitoring
// job (monitoring-config.ts), and the central file_sd file (the federateTarget of the federate
// clusters). Pure.
import { z } from 'zod';
import { FlotillaError } from '../errors.js';
import type { JobRecord } from '../jobs.js';
import { firstIssue } from '../schema-issue.js';
import { DEFAULTS, EDGE_BACKENDS, FederateUrlSchema, fileSd, HostPortSchema, HttpUrlSchema, MONITORING_MODES, promDurationMs, type EdgePrometheusInput, type FileSdTarget } from './prometheus-config.js';

/** rate(...[5m]) in the recording rules needs two samples in five minutes, with room for a missed scrape. */
const MAX_SCRAPE_INTERVAL_MS = 120_000;

const duration = (maxMs?: number) =>
  z.string().max(32).refine((s) => {
    const ms = promDurationMs(s);
    return ms !== undefined && (maxMs === undefined || ms <= maxMs);
  }, `a Prometheus duration such as 30s or 2h${maxMs ? `, at most ${maxMs / 1000}s` : ''}`);

export const MonitoringSettingsSchema = z
  .object({
    /** federate: the center scrapes the edge's /federate; remote-write: the edge (agent mode) writes to the center. */
    mode: z.enum(MONITORING_MODES).default('federate'),
    /** The edge Prometheus as the central one reaches it (host:port or http(s)://host:port[/prefix]); federate mode only. */
    federateTarget: FederateUrlSchema.optional(),
    /** The central Prometheus's remote-write receiver (…/api/v1/write); remote-write mode only. Never with credentials: the config is in the store. */
    remoteWriteUrl: HttpUrlSchema.optional(),
    /** Scrape and rule evaluation interval of the edge. */
    scrapeInterval: duration(MAX_SCRAPE_INTERVAL_MS).default(DEFAULTS.scrapeInterval),
    /** The edge's short retention (federate), or how long its WAL holds unsent samples (remote-write). */
    retention: duration().default(DEFAULTS.edgeRetention),
    /** The agent's backend: what the edge scrapes (the agent's /metrics/cluster on sim, the cluster's exporters on kube). */
    backend: z.enum(EDGE_BACKENDS).default('kube'),
    /** The agent's metrics port as the edge Prometheus reaches it (the agent listens on 127.0.0.1:<agent.metricsPort>); needed on sim. */
    agentTarget: HostPortSchema.optional(),
  })
  .strict()
  .refine((s) => s.mode !== 'federate' || s.federateTarget !== undefined, { message: 'mode federate needs federateTarget: where the center reaches the edge Prometheus', path: ['federateTarget'] })
  .refine((s) => s.mode !== 'remote-write' || s.remoteWriteUrl !== undefined, { message: 'mode remote-write needs remoteWriteUrl: the central receiver', path: ['remoteWriteUrl'] })
  .refine((s) => s.mode === 'remote-write' || s.remoteWriteUrl === undefined, { message: 'remoteWriteUrl applies to mode remote-write only', path: ['remoteWriteUrl'] })
  .refine((s) => s.mode === 'federate' || s.federateTarget === undefined, { message: 'federateTarget applies to mode federate only: nothing scrapes a remote-write edge', path: ['federateTarget'] })
  .refine((s) => s.backend !== 'sim' || s.agentTarget !== undefined, { message: "the sim backend needs agentTarget: the agent serves the simulated cluster's series", path: ['agentTarget'] });
export type MonitoringSettings = z.output<typeof MonitoringSettingsSchema>;
export type MonitoringSettingsInput = z.input<typeof MonitoringSettingsSchema>;

/** GET /api/v1/clusters/:name/monitoring: what is set, the version signed from it, and how its delivery went. */
export interface MonitoringView {
  cluster: string;
  settings: MonitoringSettings | null;
  configVersion: number | null;
  updatedAt: string | null;
  /** The newest configure-monitoring job of the cluster, in whatever state. */
  lastJob: JobRecord | null;
}

export function parseMonitoringSettings(input: unknown): MonitoringSettings {
  const r = MonitoringSettingsSchema.safeParse(input);
  if (!r.success) throw new FlotillaError('usage', `monitoring settings: ${firstIssue(r.error)}`, 'Fix the key named (docs/METRICS.md, "Delivering the edge config: configure-monitoring").');
  return r.data;
}

/** The edge generator's input for a cluster, from its settings. */
export function edgeOptionsFor(cluster: string, s: MonitoringSettings): EdgePrometheusInput {
  return {
    cluster,
    backend: s.backend,
    ...(s.agentTarget ? { agentTarget: s.agentTarget } : {}),
    mode: s.mode,
    ...(s.mode === 'remote-write' && s.remoteWriteUrl ? { remoteWriteUrl: s.remoteWriteUrl } : {}),
    scrapeInterval: s.scrapeInterval,
    retention: s.retention,
  };
}

/** The central file_sd targets: the federate clusters, each at its federateTarget; remote-write clusters have nothing to scrape. */
export function fileSdTargets(clusters: readonly { name: string; monitoring: MonitoringSettings }[]): FileSdTarget[] {
  return clusters.flatMap((c) => (c.monitoring.mode === 'federate' && c.monitoring.federateTarget ? [{ name: c.name, federateUrl: c.monitoring.federateTarget }] : []));
}

/** `{cluster}` in an edge pattern stands for the cluster's name. */
export const EDGE_PATTERN_PLACEHOLDER = '{cluster}';

/**
 * The central file_sd file the daemon keeps (metrics.federation.fileSdPath): one group per cluster of
 * the registry in federate mode at its federateTarget; with an edge pattern also every cluster that has
 * no settings yet, at the pattern. Remote-write clusters are never listed. The same bytes as
 * `flotilla metrics config --central` writes for the same targets, sorted by cluster.
 */
export function federationFileSd(clusters: readonly { name: string; monitoring: MonitoringSettings | null }[], edgePattern?: string): string {
  const targets: FileSdTarget[] = [];
  for (const c of clusters) {
    if (c.monitoring) targets.push(...fileSdTargets([{ name: c.name, monitoring: c.monitoring }]));
    else if (edgePattern) targets.push({ name: c.name, federateUrl: edgePattern.split(EDGE_PATTERN_PLACEHOLDER).join(c.name) });
  }
  return `${JSON.stringify(fileSd(targets), null, 2)}\n`;
}
