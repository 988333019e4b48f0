// From `flotilla metrics config` flags to the generators' inputs (core/metrics/prometheus-config.ts),
// and the canonical command line a generated file names as its origin. Pure.
import { FlotillaError } from '../core/errors.js';
import { EDGE_BACKENDS, MONITORING_MODES, type CentralPrometheusInput, type EdgePrometheusInput, type FileSdTarget } from '../core/metrics/prometheus-config.js';
import { CLUSTER_NAME } from '../core/store/types.js';

export interface MetricsConfigFlags {
  edge?: string;
  central?: boolean;
  out?: string;
  force?: boolean;
  json?: boolean;
  // --edge
  backend?: string;
  mode?: string;
  agentTarget?: string;
  remoteWriteUrl?: string;
  ksmService?: string;
  ksmNamespace?: string;
  prometheusVersion?: string;
  // both
  scrapeInterval?: string;
  retention?: string;
  listen?: string;
  configPath?: string;
  storagePath?: string;
  // --central
  edgePattern?: string;
  edgeTarget?: string[];
  remoteWriteCluster?: string[];
  receiver?: boolean;
  cluster?: string[];
}

/** The default address of each cluster's edge Prometheus as the center reaches it: a DNS name per cluster. */
export const DEFAULT_EDGE_PATTERN = '{cluster}:9090';

const EDGE_ONLY = ['backend', 'mode', 'agentTarget', 'remoteWriteUrl', 'ksmService', 'ksmNamespace', 'prometheusVersion'] as const;
const CENTRAL_ONLY = ['edgePattern', 'edgeTarget', 'remoteWriteCluster', 'receiver', 'cluster'] as const;
const FLAG_NAME: Record<string, string> = {
  backend: '--backend',
  mode: '--mode',
  agentTarget: '--agent-target',
  remoteWriteUrl: '--remote-write-url',
  ksmService: '--ksm-service',
  ksmNamespace: '--ksm-namespace',
  prometheusVersion: '--prometheus-version',
  scrapeInterval: '--scrape-interval',
  retention: '--retention',
  listen: '--listen',
  configPath: '--config-path',
  storagePath: '--storage-path',
  edgePattern: '--edge-pattern',
  edgeTarget: '--edge-target',
  remoteWriteCluster: '--remote-write-cluster',
  receiver: '--receiver',
  cluster: '--cluster',
};

function usage(message: string, next: string): FlotillaError {
  return new FlotillaError('usage', message, next);
}

/** Which of --edge / --central, refusing neither, both, and a flag of the other one. */
export function configTarget(f: MetricsConfigFlags): { kind: 'edge'; cluster: string } | { kind: 'central' } {
  if ((f.edge === undefined) === !f.central) throw usage('give exactly one of --edge CLUSTER and --central', 'Run `flotilla metrics config --edge CLUSTER` for a cluster\'s edge Prometheus, or `--central` for the central one.');
  const wrong = f.central ? EDGE_ONLY.filter((k) => f[k] !== undefined) : CENTRAL_ONLY.filter((k) => f[k] !== undefined);
  if (wrong.length > 0) {
    const flags = wrong.map((k) => FLAG_NAME[k] ?? k).join(', ');
    throw usage(`${flags} ${wrong.length === 1 ? 'applies' : 'apply'} to ${f.central ? '--edge' : '--central'} only`, `Drop ${flags}, or generate the ${f.central ? 'edge' : 'central'} config.`);
  }
  if (f.edge !== undefined) {
    if (!CLUSTER_NAME.test(f.edge)) throw usage(`"${f.edge.slice(0, 80)}" is not a valid cluster name`, 'Use the name `flotilla cluster list` shows.');
    return { kind: 'edge', cluster: f.edge };
  }
  return { kind: 'central' };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw usage(`${flag} takes ${allowed.join(' or ')}, not "${value.slice(0, 40)}"`, `Pass ${flag} ${allowed[0]}.`);
  return value as T;
}

export function edgeInput(cluster: string, f: MetricsConfigFlags): EdgePrometheusInput {
  const backend = oneOf(f.backend, EDGE_BACKENDS, '--backend') ?? 'kube';
  const mode = oneOf(f.mode, MONITORING_MODES, '--mode') ?? 'federate';
  const major = oneOf(f.prometheusVersion, ['2', '3'] as const, '--prometheus-version');
  if (backend === 'sim' && f.agentTarget === undefined) throw usage('--backend sim needs --agent-target HOST:PORT: the agent serves the simulated cluster\'s series', 'Pass the agent\'s metrics port as the edge Prometheus reaches it, e.g. --agent-target 127.0.0.1:9464 (agent.metricsPort).');
  if (mode === 'remote-write' && f.remoteWriteUrl === undefined) throw usage('--mode remote-write needs --remote-write-url URL', 'Pass the central Prometheus\'s receiver, e.g. --remote-write-url https://prometheus.example:9090/api/v1/write.');
  if (mode !== 'remote-write' && f.remoteWriteUrl !== undefined) throw usage('--remote-write-url applies to --mode remote-write only', 'Add --mode remote-write, or drop --remote-write-url.');
  if (backend !== 'kube' && (f.ksmService !== undefined || f.ksmNamespace !== undefined)) throw usage('--ksm-service and --ksm-namespace apply to --backend kube only', 'Drop them: on sim the agent serves the cluster\'s series.');
  return {
    cluster,
    backend,
    mode,
    ...(f.agentTarget !== undefined ? { agentTarget: f.agentTarget } : {}),
    ...(f.remoteWriteUrl !== undefined ? { remoteWriteUrl: f.remoteWriteUrl } : {}),
    ...(f.scrapeInterval !== undefined ? { scrapeInterval: f.scrapeInterval } : {}),
    ...(f.retention !== undefined ? { retention: f.retention } : {}),
    ...(f.listen !== undefined ? { listenAddress: f.listen } : {}),
    ...(backend === 'kube' && (f.ksmService !== undefined || f.ksmNamespace !== undefined)
      ? { kube: { ...(f.ksmService !== undefined ? { kubeStateMetricsService: f.ksmService } : {}), ...(f.ksmNamespace !== undefined ? { kubeStateMetricsNamespace: f.ksmNamespace } : {}) } }
      : {}),
    ...(f.configPath !== undefined ? { configFile: f.configPath } : {}),
    ...(f.storagePath !== undefined ? { storagePath: f.storagePath } : {}),
    ...(major ? { prometheusMajor: major === '3' ? 3 : 2 } : {}),
  };
}

export function centralInput(f: MetricsConfigFlags): CentralPrometheusInput {
  return {
    remoteWriteReceiver: f.receiver === true || (f.remoteWriteCluster?.length ?? 0) > 0,
    ...(f.scrapeInterval !== undefined ? { scrapeInterval: f.scrapeInterval } : {}),
    ...(f.retention !== undefined ? { retention: f.retention } : {}),
    ...(f.listen !== undefined ? { listenAddress: f.listen } : {}),
    ...(f.configPath !== undefined ? { configFile: f.configPath } : {}),
    ...(f.storagePath !== undefined ? { storagePath: f.storagePath } : {}),
  };
}

/**
 * Each cluster's edge address for the file_sd file: `--edge-target NAME=ADDRESS` where given, else the
 * pattern with {cluster} replaced. A cluster named in --remote-write-cluster has no edge to scrape and
 * is left out; an --edge-target or --remote-write-cluster naming no listed cluster is refused.
 */
export function centralTargets(clusters: readonly string[], f: MetricsConfigFlags): FileSdTarget[] {
  const pattern = f.edgePattern ?? DEFAULT_EDGE_PATTERN;
  if (!pattern.includes('{cluster}')) throw usage(`--edge-pattern "${pattern.slice(0, 80)}" has no {cluster}`, 'Write where each edge Prometheus is, with {cluster} for its name, e.g. --edge-pattern prometheus.{cluster}.example:9090.');
  const known = new Set(clusters);
  const overrides = new Map<string, string>();
  for (const t of f.edgeTarget ?? []) {
    const eq = t.indexOf('=');
    const name = eq > 0 ? t.slice(0, eq) : '';
    if (!name || eq === t.length - 1) throw usage(`--edge-target "${t.slice(0, 80)}" is not NAME=ADDRESS`, 'Write e.g. --edge-target prod-eu-1=10.0.4.7:9090.');
    if (!known.has(name)) throw usage(`--edge-target names cluster "${name.slice(0, 80)}", which is not in the cluster list`, 'Check the name with `flotilla cluster list`.');
    overrides.set(name, t.slice(eq + 1));
  }
  const remote = new Set(f.remoteWriteCluster ?? []);
  for (const name of remote) {
    if (!known.has(name)) throw usage(`--remote-write-cluster names cluster "${name.slice(0, 80)}", which is not in the cluster list`, 'Check the name with `flotilla cluster list`.');
    if (overrides.has(name)) throw usage(`cluster "${name}" is given both --edge-target and --remote-write-cluster`, 'A remote-write edge is not scraped: drop one of them.');
  }
  return clusters.filter((n) => !remote.has(n)).map((name) => ({ name, federateUrl: overrides.get(name) ?? pattern.split('{cluster}').join(name) }));
}

/** The command line that makes these files, in a fixed order: what a generated file names as its origin. */
export function canonicalCommand(sub: 'config' | 'dashboards', f: MetricsConfigFlags, clusters?: readonly string[]): string {
  const parts = ['flotilla', 'metrics', sub];
  if (f.edge !== undefined) parts.push('--edge', f.edge);
  if (f.central) parts.push('--central');
  const single = ['backend', 'mode', 'agentTarget', 'remoteWriteUrl', 'ksmService', 'ksmNamespace', 'prometheusVersion', 'scrapeInterval', 'retention', 'listen', 'configPath', 'storagePath', 'edgePattern'] as const;
  for (const k of single) {
    const v = f[k];
    if (v !== undefined) parts.push(FLAG_NAME[k] ?? k, v);
  }
  for (const k of ['edgeTarget', 'remoteWriteCluster'] as const) for (const v of [...(f[k] ?? [])].sort()) parts.push(FLAG_NAME[k] ?? k, v);
  if (f.receiver) parts.push('--receiver');
  if (f.cluster) for (const c of [...(clusters ?? f.cluster)].sort()) parts.push('--cluster', c);
  return parts.join(' ');
}
