// The Prometheus configs Flotilla generates (DESIGN §3.7; docs/METRICS.md, "Edge and central
// Prometheus"): each cluster's edge Prometheus, the central one that federates the edges (or receives
// their remote writes), and the central file_sd file that lists the edges. Pure: options in, config
// objects out (YAML- and JSON-ready, serialized by whoever writes them), with the command-line flags
// Prometheus needs beside its config (retention is a flag, not a config key).
//
// The edge scrapes its cluster under the job names kubernetes-mixin expects, on both backends:
// `kube-state-metrics` (honor_labels, so the series' own namespace and pod stay theirs), `kubelet` with
// the target label metrics_path="/metrics/cadvisor", and `flotilla-agent` for the agent's own series.
// On kube they are the cluster's real exporters found through kubernetes_sd_configs; on sim they are
// one target, the agent's /metrics/cluster, scraped by both jobs, each keeping its exporter's names.
// So the recording rules (recording-rules.ts) are the same on both.
import { z } from 'zod';
import { FlotillaError } from '../errors.js';
import { firstIssue } from '../schema-issue.js';
import { CLUSTER_NAME } from '../store/types.js';
import { CADVISOR_METRICS_PATH, JOBS, recordingRules, remoteWriteKeepRegex, type RuleFile } from './recording-rules.js';

export const MONITORING_MODES = ['federate', 'remote-write'] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];
export const EDGE_BACKENDS = ['sim', 'kube'] as const;
export type EdgeBackend = (typeof EDGE_BACKENDS)[number];

/** The file names the configs refer to each other by; relative paths in a config are read from the config file's directory. */
export const PROMETHEUS_FILES = {
  config: 'prometheus.yml',
  rules: 'rules.yml',
  fileSd: 'clusters.json',
  flags: 'prometheus.flags',
} as const;

/** The central job that federates the edges; its `up` says whether the center reaches each edge. */
export const FEDERATE_JOB = 'flotilla-federate';
/** What crosses from an edge to the center in federation mode: `up` and the recording rules' series. */
export const FEDERATE_MATCH = ['up', '{__name__=~"cluster:.*"}'] as const;
/** The path the sim agent serves its cluster's series on (agent/metrics.ts CLUSTER_METRICS_PATH). */
export const SIM_CLUSTER_PATH = '/metrics/cluster';

/** Where every pod has its service account's token and the cluster CA mounted (files `token` and `ca.crt`). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const DEFAULTS = {
  scrapeInterval: '30s',
  edgeRetention: '2h',
  centralRetention: '15d',
  federateListen: '0.0.0.0:9090',
  remoteWriteListen: '127.0.0.1:9090',
  centralListen: '0.0.0.0:9090',
  apiServer: 'kubernetes.default.svc:443',
  kubeStateMetricsService: 'kube-state-metrics',
  /** The port names kube-state-metrics' own manifests (http-metrics) and its Helm chart (http) give its metrics port. */
  kubeStateMetricsPort: 'http-metrics|http',
  storagePath: 'data',
  prometheusMajor: 2,
} as const;

// Prometheus's duration syntax: units largest first, each at most once (1h30m, 90s, 2h).
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A Prometheus duration in milliseconds; undefined when it is not one (or is empty or zero). */
export function promDurationMs(text: string): number | undefined {
  const m = PROM_DURATION.exec(text);
  if (!m || text === '') return undefined;
  const ms = DURATION_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
  return ms > 0 ? ms : undefined;
}

const duration = (what: string, maxMs?: number) =>
  z.string().refine((s) => {
    const ms = promDurationMs(s);
    return ms !== undefined && (maxMs === undefined || ms <= maxMs);
  }, `${what}: a Prometheus duration such as 30s, 2h or 1h30m${maxMs ? ` of at most ${maxMs / 1000}s` : ''}`);

// host:port, with an IPv6 host in brackets.
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
export const HostPortSchema = z.string().refine((s) => {
  const m = HOST_PORT.exec(s);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535;
}, 'host:port, e.g. 127.0.0.1:9464 or prometheus.edge.example:9090');

/** An http(s) URL without credentials (they would land in a config file or the store). */
export const HttpUrlSchema = z.string().max(2048).refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}, 'an http(s) URL without credentials, e.g. https://prometheus.example:9090/api/v1/write');

/** rate(...[5m]) needs two samples in five minutes, with room for a missed scrape. */
const MAX_SCRAPE_INTERVAL_MS = 120_000;

export const EdgePrometheusOptionsSchema = z
  .object({
    cluster: z.string().regex(CLUSTER_NAME, 'a cluster name'),
    backend: z.enum(EDGE_BACKENDS),
    /** The agent's metrics port as the edge Prometheus reaches it (it listens on 127.0.0.1:<agent.metricsPort>). Needed on sim, where it also serves the cluster's series. */
    agentTarget: HostPortSchema.optional(),
    mode: z.enum(MONITORING_MODES).default('federate'),
    /** The central Prometheus's remote-write receiver, for mode remote-write. */
    remoteWriteUrl: HttpUrlSchema.optional(),
    scrapeInterval: duration('scrapeInterval', MAX_SCRAPE_INTERVAL_MS).default(DEFAULTS.scrapeInterval),
    /** How long the edge keeps samples: its TSDB retention (federate), or how long its WAL holds unsent samples (remote-write). */
    retention: duration('retention').default(DEFAULTS.edgeRetention),
    /** Where the edge's web server listens: the center dials it for /federate; in remote-write mode nothing does. */
    listenAddress: HostPortSchema.optional(),
    kube: z
      .object({
        kubeStateMetricsService: z.string().min(1).max(63).default(DEFAULTS.kubeStateMetricsService),
        /** Limits service discovery (and its RBAC) to one namespace; all namespaces when absent. */
        kubeStateMetricsNamespace: z.string().min(1).max(63).optional(),
        apiServer: HostPortSchema.default(DEFAULTS.apiServer),
        /** The service account's token and CA for the API server's node proxy (RBAC: nodes/proxy get). */
        serviceAccountDir: z.string().min(1).default(SERVICE_ACCOUNT_DIR),
      })
      .strict()
      .default({ kubeStateMetricsService: DEFAULTS.kubeStateMetricsService, apiServer: DEFAULTS.apiServer, serviceAccountDir: SERVICE_ACCOUNT_DIR }),
    /** Paths as the running Prometheus sees them, for its flags. */
    configFile: z.string().min(1).default(PROMETHEUS_FILES.config),
    storagePath: z.string().min(1).default(DEFAULTS.storagePath),
    /** Prometheus 2 turns agent mode on with --enable-feature=agent, Prometheus 3 with --agent. */
    prometheusMajor: z.union([z.literal(2), z.literal(3)]).default(DEFAULTS.prometheusMajor),
  })
  .strict()
  .refine((o) => o.backend !== 'sim' || o.agentTarget !== undefined, { message: 'the sim backend needs agentTarget: the agent serves the simulated cluster\'s series', path: ['agentTarget'] })
  .refine((o) => (o.mode === 'remote-write') === (o.remoteWriteUrl !== undefined), { message: 'mode remote-write needs remoteWriteUrl, and only it takes one', path: ['remoteWriteUrl'] });
export type EdgePrometheusInput = z.input<typeof EdgePrometheusOptionsSchema>;
export type EdgePrometheusOptions = z.output<typeof EdgePrometheusOptionsSchema>;

export const CentralPrometheusOptionsSchema = z
  .object({
    /** The file_sd file as the central Prometheus reads it; relative to its config file's directory. */
    fileSdPath: z.string().min(1).default(PROMETHEUS_FILES.fileSd),
    scrapeInterval: duration('scrapeInterval', MAX_SCRAPE_INTERVAL_MS).default(DEFAULTS.scrapeInterval),
    retention: duration('retention').default(DEFAULTS.centralRetention),
    /** Accept remote writes from edges in remote-write mode, and evaluate the recording rules over what they send. */
    remoteWriteReceiver: z.boolean().default(false),
    listenAddress: HostPortSchema.default(DEFAULTS.centralListen),
    configFile: z.string().min(1).default(PROMETHEUS_FILES.config),
    storagePath: z.string().min(1).default(DEFAULTS.storagePath),
  })
  .strict();
export type CentralPrometheusInput = z.input<typeof CentralPrometheusOptionsSchema>;

/** What the edge or the center runs: its config, its rules file (none in agent mode), and its flags. */
export interface GeneratedPrometheus {
  config: PrometheusConfig;
  rules: RuleFile | null;
  flags: string[];
}

// The part of Prometheus's config these generators write, as plain data.
export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval?: string; external_labels?: Record<string, string> };
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
  remote_write?: { url: string; write_relabel_configs: RelabelConfig[] }[];
}

export interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  scheme?: 'http' | 'https';
  metrics_path?: string;
  params?: Record<string, string[]>;
  authorization?: { credentials_file: string };
  tls_config?: { ca_file: string };
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  file_sd_configs?: { files: string[]; refresh_interval?: string }[];
  kubernetes_sd_configs?: { role: 'node' | 'endpointslice'; namespaces?: { names: string[] } }[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}

export interface RelabelConfig {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'keep' | 'drop' | 'replace';
}

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new FlotillaError('usage', `${what}: ${firstIssue(r.error)}`, 'Fix the value named and generate again (docs/METRICS.md, "Edge and central Prometheus").');
  return r.data;
}

const keepNames = (regex: string): RelabelConfig => ({ source_labels: ['__name__'], regex, action: 'keep' });

function agentJob(target: string): ScrapeConfig {
  return { job_name: JOBS.agent, static_configs: [{ targets: [target] }] };
}

/** Sim: the agent's /metrics/cluster, scraped once as each exporter, keeping that exporter's series. */
function simJobs(agentTarget: string): ScrapeConfig[] {
  return [
    {
      job_name: JOBS.kubeStateMetrics,
      honor_labels: true,
      metrics_path: SIM_CLUSTER_PATH,
      static_configs: [{ targets: [agentTarget] }],
      metric_relabel_configs: [keepNames('kube_.*')],
    },
    {
      job_name: JOBS.kubelet,
      metrics_path: SIM_CLUSTER_PATH,
      static_configs: [{ targets: [agentTarget], labels: { metrics_path: CADVISOR_METRICS_PATH } }],
      metric_relabel_configs: [keepNames('container_.*|machine_.*')],
    },
    agentJob(agentTarget),
  ];
}

/** Kube: kube-state-metrics through its EndpointSlices, each node's cAdvisor through the API server's node proxy. */
function kubeJobs(kube: EdgePrometheusOptions['kube'], agentTarget: string | undefined): ScrapeConfig[] {
  const ksm: ScrapeConfig = {
    job_name: JOBS.kubeStateMetrics,
    // Its series' namespace and pod are the objects', not the exporter pod's.
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'endpointslice', ...(kube.kubeStateMetricsNamespace ? { namespaces: { names: [kube.kubeStateMetricsNamespace] } } : {}) }],
    relabel_configs: [
      {
        source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
        regex: `${escapeRegex(kube.kubeStateMetricsService)};(${DEFAULTS.kubeStateMetricsPort})`,
        action: 'keep',
      },
    ],
  };
  const kubelet: ScrapeConfig = {
    job_name: JOBS.kubelet,
    scheme: 'https',
    authorization: { credentials_file: `${kube.serviceAccountDir.replace(/\/+$/, '')}/token` },
    tls_config: { ca_file: `${kube.serviceAccountDir.replace(/\/+$/, '')}/ca.crt` },
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      { target_label: '__address__', replacement: kube.apiServer },
      { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/${1}/proxy/metrics/cadvisor' },
      { target_label: 'metrics_path', replacement: CADVISOR_METRICS_PATH },
    ],
  };
  return [ksm, kubelet, ...(agentTarget ? [agentJob(agentTarget)] : [])];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A cluster's edge Prometheus. Federate: a full Prometheus with the recording rules, short retention,
 * listening for the center's /federate. Remote-write: agent mode (no local queries, no rules: agent
 * mode evaluates none), writing `up` and the rules' raw inputs to the center, which evaluates the
 * same rules over them (centralPrometheusConfig with remoteWriteReceiver).
 */
export function edgePrometheusConfig(input: EdgePrometheusInput): GeneratedPrometheus {
  const o = parse(EdgePrometheusOptionsSchema, input, 'edge Prometheus');
  const scrape = o.backend === 'sim' ? simJobs(o.agentTarget as string) : kubeJobs(o.kube, o.agentTarget);
  const external_labels = { cluster: o.cluster };
  if (o.mode === 'federate') {
    return {
      config: {
        global: { scrape_interval: o.scrapeInterval, evaluation_interval: o.scrapeInterval, external_labels },
        rule_files: [PROMETHEUS_FILES.rules],
        scrape_configs: scrape,
      },
      rules: recordingRules({ scope: 'edge' }),
      flags: [
        `--config.file=${o.configFile}`,
        `--storage.tsdb.path=${o.storagePath}`,
        `--storage.tsdb.retention.time=${o.retention}`,
        `--web.listen-address=${o.listenAddress ?? DEFAULTS.federateListen}`,
      ],
    };
  }
  return {
    config: {
      global: { scrape_interval: o.scrapeInterval, external_labels },
      scrape_configs: scrape,
      remote_write: [{ url: o.remoteWriteUrl as string, write_relabel_configs: [keepNames(remoteWriteKeepRegex())] }],
    },
    rules: null,
    flags: [
      o.prometheusMajor === 3 ? '--agent' : '--enable-feature=agent',
      `--config.file=${o.configFile}`,
      `--storage.agent.path=${o.storagePath}`,
      `--storage.agent.retention.max-time=${o.retention}`,
      `--web.listen-address=${o.listenAddress ?? DEFAULTS.remoteWriteListen}`,
    ],
  };
}

/**
 * The central Prometheus: one federation job over the edges listed in the file_sd file, taking only
 * `up` and `cluster:*` with honor_labels (so each series keeps the `cluster` its edge gave it). With
 * the remote-write receiver it also evaluates the recording rules, at central scope, over the raw
 * series remote-write edges send.
 */
export function centralPrometheusConfig(input: CentralPrometheusInput = {}): GeneratedPrometheus {
  const o = parse(CentralPrometheusOptionsSchema, input, 'central Prometheus');
  return {
    config: {
      global: { scrape_interval: o.scrapeInterval, evaluation_interval: o.scrapeInterval },
      ...(o.remoteWriteReceiver ? { rule_files: [PROMETHEUS_FILES.rules] } : {}),
      scrape_configs: [
        {
          job_name: FEDERATE_JOB,
          honor_labels: true,
          metrics_path: '/federate',
          params: { 'match[]': [...FEDERATE_MATCH] },
          file_sd_configs: [{ files: [o.fileSdPath], refresh_interval: '1m' }],
        },
      ],
    },
    rules: o.remoteWriteReceiver ? recordingRules({ scope: 'central' }) : null,
    flags: [
      `--config.file=${o.configFile}`,
      `--storage.tsdb.path=${o.storagePath}`,
      `--storage.tsdb.retention.time=${o.retention}`,
      `--web.listen-address=${o.listenAddress}`,
      ...(o.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
    ],
  };
}

export interface FileSdTarget {
  name: string;
  /** The edge Prometheus as the center reaches it: host:port, or http(s)://host:port[/path prefix]. */
  federateUrl: string;
}

export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

export const FederateUrlSchema = z.string().refine((s) => parseFederateUrl(s) !== undefined, 'host:port or http(s)://host:port[/path prefix], without credentials, query or fragment');

function parseFederateUrl(s: string): { address: string; scheme?: 'https'; path?: string } | undefined {
  if (HostPortSchema.safeParse(s).success) return { address: s };
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return undefined;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const address = `${u.hostname}:${port}`;
  if (!HostPortSchema.safeParse(address).success) return undefined;
  const prefix = u.pathname.replace(/\/+$/, '');
  return { address, ...(u.protocol === 'https:' ? { scheme: 'https' as const } : {}), ...(prefix ? { path: `${prefix}/federate` } : {}) };
}

/**
 * The central file_sd file: one group per cluster, labelled `cluster`, sorted by name. An https edge
 * or one behind a path prefix gets the `__scheme__` / `__metrics_path__` target labels Prometheus
 * reads from file_sd. Refuses a bad name or address and a name listed twice.
 */
export function fileSd(clusters: readonly FileSdTarget[]): FileSdGroup[] {
  const seen = new Set<string>();
  const sorted = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.map((c) => {
    if (!CLUSTER_NAME.test(c.name)) throw new FlotillaError('usage', `"${c.name.slice(0, 80)}" is not a valid cluster name`, 'Use the names `flotilla cluster list` shows.');
    if (seen.has(c.name)) throw new FlotillaError('usage', `cluster "${c.name}" is listed twice for the file_sd file`, 'Give each cluster one edge address.');
    seen.add(c.name);
    const u = parseFederateUrl(c.federateUrl);
    if (!u) throw new FlotillaError('usage', `edge address "${c.federateUrl.slice(0, 200)}" of cluster "${c.name}" is not host:port or http(s)://host:port[/prefix]`, 'Give the edge Prometheus as the central Prometheus reaches it, e.g. prom.edge.example:9090.');
    return { targets: [u.address], labels: { cluster: c.name, ...(u.scheme ? { __scheme__: u.scheme } : {}), ...(u.path ? { __metrics_path__: u.path } : {}) } };
  });
}
