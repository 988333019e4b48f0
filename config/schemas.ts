// zod schemas for every config file. Descriptions double as the "fix" in error messages and as
// documentation in the generated JSON Schema (config/json-schema/).
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { DirStoreConfigSchema, S3StoreConfigSchema, StoreConfigSchema } from '../core/store/config.js';
import { CLUSTER_NAME } from '../core/store/types.js';
import { ApiConfigSchema } from './api-schema.js';
import { AuthConfigSchema } from './auth-schema.js';
import { AgentLogsConfigSchema, DaemonLogsConfigSchema } from './logs-schema.js';

const port = z.number().int().min(0).max(65535).describe('TCP port, 0-65535 (0 picks a free one)');
const path = z.string().min(1).describe('a file system path; relative paths are resolved from the config file');

/** The daemon's store may also say it is allowed to start a new one; agents never create a store. */
const create = z.boolean().optional().describe('true lets the daemon start on a store that has no control plane yet (and create a missing directory); without it, a store not made by `flotilla init` is refused');
export const DaemonStoreConfigSchema = z
  .discriminatedUnion('type', [DirStoreConfigSchema.extend({ create }), S3StoreConfigSchema.extend({ create })])
  .describe('the orchestration store: {type: dir, path} or {type: s3, bucket, …}');
export type DaemonStoreConfig = z.infer<typeof DaemonStoreConfigSchema>;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LogConfigSchema = z
  .object({
    level: z.enum(LOG_LEVELS).default('info').describe('log level: trace, debug, info, warn, error, fatal or silent'),
    file: z.string().min(1).optional().describe('log file; "-" logs JSON lines to stderr; default <dataDir>/<part>.log'),
  })
  .strict();

/**
 * Finished jobs leave the store once the daemon has their result and they are neither among the
 * newest `keepLast` of their cluster nor younger than `keepHours`; the registry keeps their history.
 * The agent's journal holds its high-water seq, so a deleted envelope never becomes runnable again.
 */
export const JobsConfigSchema = z
  .object({
    retention: z
      .object({
        keepLast: z.number().int().min(1).max(1_000_000).default(100).describe('finished jobs per cluster that always stay in the store, the newest ones (at least 1)'),
        keepHours: z.number().min(0).max(8760).default(24).describe('hours a finished job stays in the store after the daemon collected its result, however many jobs came after it'),
      })
      .strict()
      .default({ keepLast: 100, keepHours: 24 }),
  })
  .strict();

/** Where the console's metric panes come from (docs/METRICS.md, "One query path"). */
export const DaemonMetricsConfigSchema = z
  .object({
    source: z.enum(['embedded', 'prometheus']).default('embedded').describe("embedded: the daemon's own series from status reports; prometheus: the central Prometheus's cluster:* recording rules, the embedded series for what has no rule and whenever Prometheus does not answer"),
    prometheus: z
      .object({
        url: z
          .string()
          .min(1)
          .refine((v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol), { message: 'must be an http:// or https:// URL' })
          .describe('the central Prometheus, e.g. http://prometheus:9090'),
        timeoutMs: z.number().int().min(100).max(120_000).default(5000).describe('a query slower than this is answered from the embedded series, saying so'),
        staleSeconds: z.number().int().min(5).max(3600).default(120).describe("a cluster whose newest `up` sample at the central Prometheus is older than this is shown as not sending (its edge stopped, or remote-write stopped arriving)"),
      })
      .strict()
      .optional(),
    federation: z
      .object({
        fileSdPath: path.describe("the central Prometheus's file_sd file (its flotilla-federate job's clusters.json): the daemon keeps it current from the registry, one target per federated cluster labelled `cluster`, written atomically"),
        edgePattern: z
          .string()
          .min(1)
          .max(512)
          .refine((v) => v.includes('{cluster}'), { message: 'must contain {cluster}, which stands for the cluster name' })
          .optional()
          .describe('where the edge Prometheus of a cluster without monitoring settings is, {cluster} standing for its name (e.g. prometheus.{cluster}.example:9090); without it only clusters whose monitoring settings say federate are listed'),
      })
      .strict()
      .optional()
      .describe('the central federation (docs/METRICS.md, "Delivering the edge config"): the file_sd file the daemon writes for the central Prometheus'),
  })
  .strict()
  .refine((m) => m.source !== 'prometheus' || m.prometheus !== undefined, { message: 'source prometheus needs metrics.prometheus.url', path: ['prometheus'] });

export const DaemonConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('address to listen on, e.g. 127.0.0.1 or 0.0.0.0'),
        port: port.default(7420),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 7420 }),
    tls: z
      .object({ cert: path.describe('PEM certificate chain file'), key: path.describe('PEM private key file') })
      .strict()
      .optional()
      .describe('serve HTTPS/WSS from these files; omit for plain HTTP on loopback'),
    publicUrl: z.url().optional().describe('URL agents and clients use to reach this daemon; default derived from listen'),
    dataDir: path.describe('directory for the registry (registry.db) and the daemon log'),
    store: DaemonStoreConfigSchema,
    keys: z.object({ signingKey: path.describe('control-plane Ed25519 private key (PEM), created by `flotilla init`') }).strict(),
    status: z
      .object({
        intervalSeconds: z.number().positive().max(86_400).default(10).describe('expected agent report interval in seconds'),
        unreachableAfterIntervals: z.number().int().min(1).max(100).default(3).describe('missed intervals before a cluster is unreachable'),
      })
      .strict()
      .default({ intervalSeconds: 10, unreachableAfterIntervals: 3 }),
    api: ApiConfigSchema,
    auth: AuthConfigSchema,
    limits: z
      .object({
        statusMaxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('largest status envelope accepted, in bytes'),
      })
      .strict()
      .default({ statusMaxBytes: 4 * 1024 * 1024 }),
    jobs: JobsConfigSchema.default({ retention: { keepLast: 100, keepHours: 24 } }),
    log: LogConfigSchema.default({ level: 'info' }),
    // Control-plane backups (`flotilla backup`, docs/TRUST.md): registry snapshots signed into the store.
    backup: z
      .object({
        interval: z
          .string()
          .refine((v) => v === 'off' || isDurationAtLeast(v, 1000), { message: 'expected a duration of at least 1s, or "off"' })
          .default('1h')
          .describe('how often the daemon backs up its registry to the store, e.g. 1h, 30m or 1d; "off" for manual backups only'),
        keep: z.number().int().min(1).max(10_000).default(24).describe('how many backups to keep in the store (1-10000); older ones are deleted after each backup'),
      })
      .strict()
      .default({ interval: '1h', keep: 24 }),
    logs: DaemonLogsConfigSchema.default(DaemonLogsConfigSchema.parse({})),
    metrics: DaemonMetricsConfigSchema.default(DaemonMetricsConfigSchema.parse({})),
  })
  .strict();
export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;

function isDurationAtLeast(text: string, minMs: number): boolean {
  try {
    return parseDuration(text) >= minMs;
  } catch {
    return false;
  }
}

const MIB = 1024 * 1024;
/** The container log files the simulated cluster writes (docs/LOGS.md, "The simulated cluster's logs"). */
export const SimLogsConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe("write CRI log files for the simulated pods under the agent's data dir (sim-logs/pods/...)"),
    linesPerSecond: z.number().min(0).max(100_000).default(20).describe('log lines per second over the whole simulated cluster; faults add error bursts on top (at most as many again)'),
    rotateBytes: z.number().int().min(4096).max(1024 * MIB).default(MIB).describe('a container log file is rotated (renamed <n>.log.<YYYYMMDD-HHMMSS>) once it reaches this size, like kubelet'),
    keepRotated: z.number().int().min(0).max(100).default(2).describe('rotated files kept per container log; older ones are deleted'),
    deletedPodGraceSeconds: z.number().min(0).max(86_400).default(60).describe("a deleted pod's log directory is removed this long after the pod went away"),
  })
  .strict();
export type SimLogsConfig = z.infer<typeof SimLogsConfigSchema>;
export const SIM_LOGS_DEFAULT: SimLogsConfig = SimLogsConfigSchema.parse({});

export const SimConfigSchema = z
  .object({
    nodes: z.number().int().min(1).max(5000).default(5).describe('simulated nodes'),
    deployments: z.number().int().min(0).max(20_000).default(12).describe('simulated deployments'),
    faultRate: z.number().min(0).max(1).default(0.05).describe('chance per tick (0-1) that a fault starts'),
    seed: z.number().int().optional().describe('random seed; the same seed gives the same cluster'),
    kubernetesVersion: z.string().default('v1.31.4').describe('Kubernetes version the sim reports'),
    logs: SimLogsConfigSchema.default(SIM_LOGS_DEFAULT).describe('container log files the simulated cluster writes for the agent to tail'),
  })
  .strict();
export type SimConfig = z.infer<typeof SimConfigSchema>;

/** The bootstrap bundle `flotilla cluster add` writes, and the agent's whole config. */
export const AgentConfigSchema = z
  .object({
    apiVersion: z.literal('flotilla/v1').describe('always "flotilla/v1"'),
    kind: z.literal('AgentBundle').describe('always "AgentBundle"'),
    cluster: z.string().regex(CLUSTER_NAME).describe('cluster name: lower-case letters, digits and "-"'),
    store: StoreConfigSchema,
    controlPlane: z
      .object({
        keyid: z.string().min(1).describe('control-plane key id, as printed by `flotilla info`'),
        publicKey: z.string().min(1).describe('control-plane Ed25519 public key, base64 SPKI'),
      })
      .strict(),
    bootstrapToken: z.string().min(16).describe('one-time registration token from `flotilla cluster add`'),
    server: z.string().optional().describe('daemon URL (http or https); the agent ships its container logs to <server>/api/v1/ingest/logs. Without it, log shipping is off'),
    status: z
      .object({ intervalSeconds: z.number().positive().max(86_400).default(10).describe('seconds between status reports') })
      .strict()
      .default({ intervalSeconds: 10 }),
    agent: z
      .object({
        dataDir: path.optional().describe('agent state and its private key; default $XDG_DATA_HOME/flotilla/agent/<cluster>'),
        backend: z.enum(['sim', 'kube']).default('sim').describe('cluster backend: "sim" (simulated) or "kube" (the Kubernetes API, see `kube`)'),
        metricsPort: port.optional().describe('serve /metrics on 127.0.0.1:<port>; omit to disable'),
      })
      .strict()
      .default({ backend: 'sim' }),
    sim: SimConfigSchema.default(SimConfigSchema.parse({})),
    kube: z
      .object({
        kubeconfig: path.optional().describe('kubeconfig file; default the first file in $KUBECONFIG'),
        context: z.string().min(1).optional().describe('kubeconfig context of this cluster; required unless inCluster (never taken from current-context)'),
        inCluster: z.boolean().default(false).describe("use the pod's service account (the agent runs inside the cluster)"),
      })
      .strict()
      .optional()
      .describe('how the agent reaches the Kubernetes API (backend: kube only)'),
    logs: AgentLogsConfigSchema.default(AgentLogsConfigSchema.parse({})).describe('container log collection and shipping (docs/LOGS.md); unrelated to `log`, the agent\'s own log'),
    monitoring: z
      .object({
        configDir: path.describe("the edge Prometheus's config directory: a configure-monitoring job writes prometheus.yml, rules.yml and prometheus.flags here (start Prometheus with --config.file=<configDir>/prometheus.yml)"),
        reloadUrl: z
          .string()
          .min(1)
          .refine((v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol), { message: 'must be an http:// or https:// URL' })
          .describe("the edge Prometheus's reload endpoint, e.g. http://127.0.0.1:9090/-/reload (Prometheus started with --web.enable-lifecycle)"),
      })
      .strict()
      .optional()
      .describe('the edge Prometheus a configure-monitoring job configures (docs/METRICS.md, "Delivering the edge config"); without it such a job fails'),
    log: LogConfigSchema.default({ level: 'info' }),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** Client settings for the CLI and TUI: $XDG_CONFIG_HOME/flotilla/config.yaml. */
export const ClientConfigSchema = z
  .object({
    server: z.string().optional().describe('daemon URL, e.g. http://127.0.0.1:7420'),
    token: z.string().optional().describe('API token; prefer tokenFile or FLOTILLA_TOKEN'),
    tokenFile: path.optional().describe('file holding the API token'),
    caFile: path.optional().describe('CA bundle to trust for a TLS daemon'),
  })
  .strict();
export type ClientConfig = z.infer<typeof ClientConfigSchema>;
