// A cluster's `monitoring` config (DESIGN §3.3, §3.4 configure-monitoring, §3.7; docs/METRICS.md
// "Delivering the edge config: configure-monitoring"): the edge Prometheus's files as the daemon
// generated them from the cluster's monitoring settings — prometheus.yml, rules.yml (federate mode)
// and prometheus.flags, as text — so the agent needs no generator and writes exactly what was signed.
// The daemon signs it with the control-plane key into clusters/<c>/config/monitoring.json (payload
// type `config`, like the logging config; `kind` tells the two apart); a `configure-monitoring` job
// names its version and the SHA-256 of the envelope. Pure: generation, and the checks the agent makes
// before it writes anything.
import { type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../dsse.js';
import { configDigest } from '../logs/logging-config.js';
import { firstIssue } from '../schema-issue.js';
import { CLUSTER_NAME } from '../store/types.js';
import { edgeFiles } from './files.js';
import { edgeOptionsFor, MonitoringSettingsSchema, type MonitoringSettings } from './monitoring.js';
import { edgePrometheusConfig, PROMETHEUS_FILES } from './prometheus-config.js';

export { configDigest };

export const MONITORING_CONFIG_NAME = 'monitoring';
/** The edge config with its rules is some 15 KB; an envelope much larger than this is not one. */
export const MONITORING_CONFIG_MAX_BYTES = 512 * 1024;
/** The only files a monitoring config may carry, written into the agent's monitoring.configDir by these names. */
export const MONITORING_FILE_NAMES = [PROMETHEUS_FILES.config, PROMETHEUS_FILES.rules, PROMETHEUS_FILES.flags] as const;
export type MonitoringFileName = (typeof MONITORING_FILE_NAMES)[number];

const MonitoringFileSchema = z
  .object({
    name: z.enum(MONITORING_FILE_NAMES),
    content: z.string().max(MONITORING_CONFIG_MAX_BYTES),
  })
  .strict();

export const MonitoringConfigSchema = z
  .object({
    kind: z.literal('monitoring'),
    cluster: z.string().regex(CLUSTER_NAME),
    /** The agent registration it was written for. */
    agentKeyId: z.string().min(1).max(128),
    /** Grows by one per cluster with every config the daemon writes; the agent applies only newer ones. */
    version: z.number().int().positive(),
    issuedAt: z.iso.datetime(),
    /** The settings the files were generated from, for the record (the agent acts on the files only). */
    settings: MonitoringSettingsSchema,
    files: z.array(MonitoringFileSchema).min(1).max(MONITORING_FILE_NAMES.length),
  })
  .strict()
  .refine((c) => new Set(c.files.map((f) => f.name)).size === c.files.length, 'a file is listed twice')
  .refine((c) => c.files.some((f) => f.name === PROMETHEUS_FILES.config), `the files include no ${PROMETHEUS_FILES.config}`);
export type MonitoringConfig = z.infer<typeof MonitoringConfigSchema>;

/** The command line the settings stand for: what a generated file names as its origin. */
export function monitoringCommand(cluster: string, s: MonitoringSettings): string {
  const parts = ['flotilla', 'cluster', 'monitoring', cluster, '--mode', s.mode, '--backend', s.backend];
  if (s.federateTarget) parts.push('--edge-target', s.federateTarget);
  if (s.remoteWriteUrl) parts.push('--remote-write-url', s.remoteWriteUrl);
  if (s.agentTarget) parts.push('--agent-target', s.agentTarget);
  parts.push('--scrape-interval', s.scrapeInterval, '--retention', s.retention);
  return parts.join(' ');
}

export interface GenerateMonitoringOptions {
  cluster: string;
  agentKeyId: string;
  version: number;
  now: Date;
  settings: MonitoringSettings;
  /** The flotilla version the file headers name. */
  flotillaVersion: string;
}

/** The config the daemon signs: the edge files generated from the settings; throws a FlotillaError (usage) for settings the generator refuses. */
export function generateMonitoringConfig(o: GenerateMonitoringOptions): MonitoringConfig {
  const s = o.settings;
  const generated = edgePrometheusConfig(edgeOptionsFor(o.cluster, s));
  const files = edgeFiles(generated, { cluster: o.cluster, backend: s.backend, mode: s.mode, command: `${monitoringCommand(o.cluster, s)}  (configure-monitoring, config version ${o.version})`, version: o.flotillaVersion });
  return MonitoringConfigSchema.parse({
    kind: 'monitoring',
    cluster: o.cluster,
    agentKeyId: o.agentKeyId,
    version: o.version,
    issuedAt: o.now.toISOString(),
    settings: s,
    files: files.map((f) => ({ name: f.name, content: f.content })),
  });
}

export type MonitoringRejectionReason = 'bad_signature' | 'malformed' | 'wrong_cluster' | 'wrong_agent' | 'stale' | 'digest_mismatch';

export class MonitoringConfigRejected extends Error {
  constructor(
    readonly reason: MonitoringRejectionReason,
    message: string,
  ) {
    super(`monitoring config refused (${reason}): ${message}`);
    this.name = 'MonitoringConfigRejected';
  }
}

export interface OpenMonitoringContext {
  cluster: string;
  agentKeyId: string;
  controlPlane: { keyid: string; publicKey: KeyObject };
}

/** Verifies a monitoring config envelope: the control plane's signature, the schema, this cluster and agent registration. */
export function openMonitoringConfig(raw: Buffer, ctx: OpenMonitoringContext): MonitoringConfig {
  let payload: unknown;
  try {
    payload = openEnvelope(raw, { payloadType: PAYLOAD_TYPES.config, maxBytes: MONITORING_CONFIG_MAX_BYTES, keyFor: (id) => (id === ctx.controlPlane.keyid ? ctx.controlPlane.publicKey : undefined) }).payload;
  } catch (e) {
    if (e instanceof EnvelopeRejected) throw new MonitoringConfigRejected(e.reason === 'bad_signature' || e.reason === 'unknown_key' ? 'bad_signature' : 'malformed', e.message);
    throw e;
  }
  const parsed = MonitoringConfigSchema.safeParse(payload);
  if (!parsed.success) throw new MonitoringConfigRejected('malformed', `it does not match the monitoring config schema (${firstIssue(parsed.error)})`);
  const c = parsed.data;
  if (c.cluster !== ctx.cluster) throw new MonitoringConfigRejected('wrong_cluster', `it is for cluster "${c.cluster}", this agent runs "${ctx.cluster}"`);
  if (c.agentKeyId !== ctx.agentKeyId) throw new MonitoringConfigRejected('wrong_agent', `it was written for agent key ${c.agentKeyId}, this agent is ${ctx.agentKeyId}`);
  return c;
}

export interface AppliedMonitoring {
  version: number;
  digest: string;
}

/**
 * Everything the agent checks before it writes a file for a configure-monitoring job: the bytes are
 * the ones the job names (SHA-256), the control plane signed them for this cluster and registration,
 * the version is the job's, and it is newer than the applied one. The same config again (a job resumed
 * after a crash) passes: writing and reloading are idempotent.
 */
export function verifyMonitoringConfig(raw: Buffer, job: { version: number; sha256: string }, ctx: OpenMonitoringContext, applied: AppliedMonitoring | null): { config: MonitoringConfig; digest: string } {
  const digest = configDigest(raw);
  if (digest !== job.sha256) throw new MonitoringConfigRejected('digest_mismatch', `the config in the store is not the one the job names (sha256 ${digest.slice(0, 12)}…, job ${job.sha256.slice(0, 12)}…)`);
  const config = openMonitoringConfig(raw, ctx);
  if (config.version !== job.version) throw new MonitoringConfigRejected('digest_mismatch', `the config is version ${config.version}, the job names ${job.version}`);
  if (applied && (config.version < applied.version || (config.version === applied.version && digest !== applied.digest))) {
    throw new MonitoringConfigRejected('stale', `version ${config.version} is not newer than the applied version ${applied.version}`);
  }
  return { config, digest };
}
