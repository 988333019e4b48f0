// A cluster's `monitoring` settings (DESIGN §3.7, docs/METRICS.md "Edge and central Prometheus"): how
// its edge Prometheus gets its series to the center. PROPOSAL, not yet wired: the registry would keep
// one per cluster (set by a `flotilla cluster monitoring CLUSTER …` like `cluster logging`), the
// daemon would derive from it the central file_sd file (federateTarget of the federate clusters) and,
// with what the agent reports of itself (backend, metrics port), the edge config it signs into
// clusters/<c>/config/monitoring.json for a configure-monitoring job. Pure.
import { z } from 'zod';
import { FlotillaError } from '../errors.js';
import { firstIssue } from '../schema-issue.js';
import { DEFAULTS, FederateUrlSchema, MONITORING_MODES, promDurationMs, type EdgeBackend, type EdgePrometheusInput, type FileSdTarget } from './prometheus-config.js';

const duration = z.string().refine((s) => promDurationMs(s) !== undefined, 'a Prometheus duration such as 30s or 2h');

export const MonitoringSettingsSchema = z
  .object({
    /** federate: the center scrapes the edge's /federate; remote-write: the edge (agent mode) writes to the center. */
    mode: z.enum(MONITORING_MODES).default('federate'),
    /** The edge Prometheus as the central one reaches it (host:port or http(s)://host:port[/prefix]); federate mode only. */
    federateTarget: FederateUrlSchema.optional(),
    /** The central Prometheus's remote-write receiver (…/api/v1/write); remote-write mode only. */
    remoteWriteUrl: z.url({ protocol: /^https?$/ }).optional(),
    scrapeInterval: duration.default(DEFAULTS.scrapeInterval),
    /** The edge's short retention (federate), or how long its WAL holds unsent samples (remote-write). */
    retention: duration.default(DEFAULTS.edgeRetention),
  })
  .strict()
  .refine((s) => s.mode !== 'federate' || s.federateTarget !== undefined, { message: 'mode federate needs federateTarget: where the center reaches the edge Prometheus', path: ['federateTarget'] })
  .refine((s) => s.mode !== 'remote-write' || s.remoteWriteUrl !== undefined, { message: 'mode remote-write needs remoteWriteUrl: the central receiver', path: ['remoteWriteUrl'] });
export type MonitoringSettings = z.output<typeof MonitoringSettingsSchema>;

export function parseMonitoringSettings(input: unknown): MonitoringSettings {
  const r = MonitoringSettingsSchema.safeParse(input);
  if (!r.success) throw new FlotillaError('usage', `monitoring settings: ${firstIssue(r.error)}`, 'Fix the key named (docs/METRICS.md, "Edge and central Prometheus").');
  return r.data;
}

/** What the agent knows of itself and the daemon would need from it: its backend, and its metrics port as the edge Prometheus dials it. */
export interface EdgeFacts {
  backend: EdgeBackend;
  agentTarget?: string;
}

/** The edge generator's input for a cluster, from its settings and its agent's facts. */
export function edgeOptionsFor(cluster: string, s: MonitoringSettings, facts: EdgeFacts): EdgePrometheusInput {
  return {
    cluster,
    backend: facts.backend,
    ...(facts.agentTarget ? { agentTarget: facts.agentTarget } : {}),
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
