// The generated Prometheus configs as data: the edge's scrape jobs on each backend (the job names and
// labels the recording rules select by), its two modes, the central federation job, the file_sd file,
// and what each refuses. promtool and a running Prometheus check the same files in
// test/integration/metrics/.
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import {
  centralPrometheusConfig,
  edgePrometheusConfig,
  FEDERATE_JOB,
  fileSd,
  promDurationMs,
  type EdgePrometheusInput,
  type ScrapeConfig,
} from '../../../../core/metrics/prometheus-config.js';
import { RULE_INPUTS, recordingRules } from '../../../../core/metrics/recording-rules.js';

const SIM: EdgePrometheusInput = { cluster: 'sim-eu-1', backend: 'sim', agentTarget: '127.0.0.1:9464' };
const KUBE: EdgePrometheusInput = { cluster: 'prod-eu-1', backend: 'kube' };
const RW = { mode: 'remote-write' as const, remoteWriteUrl: 'https://central.example:9090/api/v1/write' };

function job(jobs: ScrapeConfig[], name: string): ScrapeConfig {
  const j = jobs.find((x) => x.job_name === name);
  if (!j) throw new Error(`no job ${name} in ${jobs.map((x) => x.job_name).join(', ')}`);
  return j;
}

function refusal(f: () => unknown): FlotillaError {
  try {
    f();
  } catch (e) {
    if (e instanceof FlotillaError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('edge Prometheus, federate mode', () => {
  it('labels everything with the cluster, evaluates the rules file, keeps 2h and listens for the center', () => {
    const g = edgePrometheusConfig(SIM);
    expect(g.config.global).toEqual({ scrape_interval: '30s', evaluation_interval: '30s', external_labels: { cluster: 'sim-eu-1' } });
    expect(g.config.rule_files).toEqual(['rules.yml']);
    expect(g.config.remote_write).toBeUndefined();
    expect(g.rules).toEqual(recordingRules({ scope: 'edge' }));
    expect(g.flags).toEqual(['--config.file=prometheus.yml', '--storage.tsdb.path=data', '--storage.tsdb.retention.time=2h', '--web.listen-address=0.0.0.0:9090']);
  });

  it('sim: scrapes the agent\'s /metrics/cluster as kube-state-metrics and as the kubelet\'s cAdvisor, and the agent itself', () => {
    const jobs = edgePrometheusConfig(SIM).config.scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(['kube-state-metrics', 'kubelet', 'flotilla-agent']);
    expect(job(jobs, 'kube-state-metrics')).toEqual({
      job_name: 'kube-state-metrics',
      honor_labels: true,
      metrics_path: '/metrics/cluster',
      static_configs: [{ targets: ['127.0.0.1:9464'] }],
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'kube_.*', action: 'keep' }],
    });
    expect(job(jobs, 'kubelet')).toEqual({
      job_name: 'kubelet',
      metrics_path: '/metrics/cluster',
      static_configs: [{ targets: ['127.0.0.1:9464'], labels: { metrics_path: '/metrics/cadvisor' } }],
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'container_.*|machine_.*', action: 'keep' }],
    });
    expect(job(jobs, 'flotilla-agent')).toEqual({ job_name: 'flotilla-agent', static_configs: [{ targets: ['127.0.0.1:9464'] }] });
  });

  it('kube: kube-state-metrics through EndpointSlices with honor_labels, cAdvisor through the API server node proxy', () => {
    const jobs = edgePrometheusConfig(KUBE).config.scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(['kube-state-metrics', 'kubelet']);
    const ksm = job(jobs, 'kube-state-metrics');
    expect(ksm.honor_labels).toBe(true);
    expect(ksm.kubernetes_sd_configs).toEqual([{ role: 'endpointslice' }]);
    expect(ksm.relabel_configs).toEqual([{ source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'], regex: 'kube-state-metrics;(http-metrics|http)', action: 'keep' }]);
    const kubelet = job(jobs, 'kubelet');
    expect(kubelet).toMatchObject({
      scheme: 'https',
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
      kubernetes_sd_configs: [{ role: 'node' }],
    });
    expect(kubelet.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
      { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/${1}/proxy/metrics/cadvisor' },
      { target_label: 'metrics_path', replacement: '/metrics/cadvisor' },
    ]);
  });

  it('kube: an agent target adds the agent job; the kube-state-metrics service, namespace, API server and service account are settable', () => {
    const jobs = edgePrometheusConfig({ ...KUBE, agentTarget: '127.0.0.1:9464', kube: { kubeStateMetricsService: 'ksm.v2', kubeStateMetricsNamespace: 'monitoring', apiServer: '10.0.0.1:6443', serviceAccountDir: '/sa/' } }).config.scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(['kube-state-metrics', 'kubelet', 'flotilla-agent']);
    expect(job(jobs, 'kube-state-metrics').kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['monitoring'] } }]);
    // The service name is matched literally.
    expect(job(jobs, 'kube-state-metrics').relabel_configs?.[0]?.regex).toBe('ksm\\.v2;(http-metrics|http)');
    expect(job(jobs, 'kubelet').relabel_configs?.[1]).toEqual({ target_label: '__address__', replacement: '10.0.0.1:6443' });
    expect(job(jobs, 'kubelet').authorization).toEqual({ credentials_file: '/sa/token' });
    expect(job(jobs, 'kubelet').tls_config).toEqual({ ca_file: '/sa/ca.crt' });
  });

  it('takes the interval, retention, listen address and paths', () => {
    const g = edgePrometheusConfig({ ...SIM, scrapeInterval: '15s', retention: '6h', listenAddress: '10.1.2.3:9091', configFile: '/etc/prometheus/prometheus.yml', storagePath: '/var/lib/prometheus' });
    expect(g.config.global.scrape_interval).toBe('15s');
    expect(g.config.global.evaluation_interval).toBe('15s');
    expect(g.flags).toEqual(['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/var/lib/prometheus', '--storage.tsdb.retention.time=6h', '--web.listen-address=10.1.2.3:9091']);
  });
});

describe('edge Prometheus, remote-write mode', () => {
  it('is agent mode: the same scrape jobs, no rules, and only up and the rules\' inputs written to the center', () => {
    const fed = edgePrometheusConfig(SIM);
    const g = edgePrometheusConfig({ ...SIM, ...RW });
    expect(g.rules).toBeNull();
    expect(g.config.rule_files).toBeUndefined();
    expect(g.config.global).toEqual({ scrape_interval: '30s', external_labels: { cluster: 'sim-eu-1' } });
    expect(g.config.scrape_configs).toEqual(fed.config.scrape_configs);
    expect(g.config.remote_write).toEqual([{ url: RW.remoteWriteUrl, write_relabel_configs: [{ source_labels: ['__name__'], regex: ['up', ...RULE_INPUTS].join('|'), action: 'keep' }] }]);
    expect(g.flags).toEqual(['--enable-feature=agent', '--config.file=prometheus.yml', '--storage.agent.path=data', '--storage.agent.retention.max-time=2h', '--web.listen-address=127.0.0.1:9090']);
  });

  it('uses --agent for Prometheus 3', () => {
    expect(edgePrometheusConfig({ ...KUBE, ...RW, prometheusMajor: 3 }).flags[0]).toBe('--agent');
  });

  it('writes exactly the series the rules read', () => {
    const keep = new RegExp(`^(?:${edgePrometheusConfig({ ...SIM, ...RW }).config.remote_write?.[0]?.write_relabel_configs[0]?.regex ?? ''})$`);
    for (const name of ['up', 'kube_pod_status_phase', 'container_cpu_usage_seconds_total', 'flotilla_agent_log_lines_shipped_total']) expect(keep.test(name), name).toBe(true);
    for (const name of ['kube_deployment_spec_replicas', 'container_network_receive_bytes_total', 'flotilla_agent_reports_written_total', 'kube_pod_status_phase_extra', 'scrape_duration_seconds']) expect(keep.test(name), name).toBe(false);
  });
});

describe('edge Prometheus refusals', () => {
  it.each([
    [{ ...SIM, agentTarget: undefined }, /agentTarget.*sim backend needs agentTarget/],
    [{ ...SIM, mode: 'remote-write' as const }, /remoteWriteUrl/],
    [{ ...SIM, remoteWriteUrl: RW.remoteWriteUrl }, /remoteWriteUrl/],
    [{ ...SIM, ...RW, remoteWriteUrl: 'ftp://x/y' }, /remoteWriteUrl.*http/],
    [{ ...SIM, ...RW, remoteWriteUrl: 'https://user:pw@central/api/v1/write' }, /without credentials/],
    [{ ...SIM, cluster: 'Prod_1' }, /cluster/],
    [{ ...SIM, agentTarget: '127.0.0.1' }, /agentTarget.*host:port/],
    [{ ...SIM, agentTarget: 'localhost:99999' }, /agentTarget/],
    [{ ...SIM, scrapeInterval: '5min' }, /scrapeInterval/],
    [{ ...SIM, scrapeInterval: '3m' }, /scrapeInterval.*at most 120s/],
    [{ ...SIM, retention: '0s' }, /retention/],
    [{ ...SIM, retention: '30m2h' }, /retention/],
    [{ ...SIM, backend: 'docker' as never }, /backend/],
    [{ ...SIM, extra: 1 } as never, /extra|Unrecognized/],
  ])('refuses %j', (input, message) => {
    const e = refusal(() => edgePrometheusConfig(input));
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(message);
    expect(e.next).toContain('docs/METRICS.md');
  });
});

describe('central Prometheus', () => {
  it('federates the file_sd edges: up and cluster:* only, with honor_labels', () => {
    const g = centralPrometheusConfig();
    expect(g.config).toEqual({
      global: { scrape_interval: '30s', evaluation_interval: '30s' },
      scrape_configs: [
        {
          job_name: FEDERATE_JOB,
          honor_labels: true,
          metrics_path: '/federate',
          params: { 'match[]': ['up', '{__name__=~"cluster:.*"}'] },
          file_sd_configs: [{ files: ['clusters.json'], refresh_interval: '1m' }],
        },
      ],
    });
    expect(g.rules).toBeNull();
    expect(g.flags).toEqual(['--config.file=prometheus.yml', '--storage.tsdb.path=data', '--storage.tsdb.retention.time=15d', '--web.listen-address=0.0.0.0:9090']);
  });

  it('with the remote-write receiver, evaluates the central-scope rules and turns the receiver on', () => {
    const g = centralPrometheusConfig({ remoteWriteReceiver: true, fileSdPath: '/etc/prometheus/flotilla/clusters.json', retention: '30d' });
    expect(g.config.rule_files).toEqual(['rules.yml']);
    expect(g.config.scrape_configs[0]?.file_sd_configs).toEqual([{ files: ['/etc/prometheus/flotilla/clusters.json'], refresh_interval: '1m' }]);
    expect(g.rules).toEqual(recordingRules({ scope: 'central' }));
    expect(g.flags).toContain('--web.enable-remote-write-receiver');
    expect(g.flags).toContain('--storage.tsdb.retention.time=30d');
  });

  it('refuses a bad interval or listen address', () => {
    expect(refusal(() => centralPrometheusConfig({ scrapeInterval: 'soon' })).message).toMatch(/scrapeInterval/);
    expect(refusal(() => centralPrometheusConfig({ listenAddress: ':9090' })).message).toMatch(/listenAddress/);
  });
});

describe('fileSd', () => {
  it('writes one group per cluster, labelled cluster, sorted by name', () => {
    expect(fileSd([
      { name: 'zeta', federateUrl: 'prom.zeta.example:9090' },
      { name: 'alpha', federateUrl: '10.0.0.7:9090' },
      { name: 'v6', federateUrl: '[2001:db8::1]:9090' },
    ])).toEqual([
      { targets: ['10.0.0.7:9090'], labels: { cluster: 'alpha' } },
      { targets: ['[2001:db8::1]:9090'], labels: { cluster: 'v6' } },
      { targets: ['prom.zeta.example:9090'], labels: { cluster: 'zeta' } },
    ]);
    expect(fileSd([])).toEqual([]);
  });

  it('takes an http(s) URL: the scheme and a path prefix become __scheme__ and __metrics_path__', () => {
    expect(fileSd([
      { name: 'a', federateUrl: 'https://edge.example/prom/a/' },
      { name: 'b', federateUrl: 'http://edge.example:8080' },
      { name: 'c', federateUrl: 'https://edge.example:9443' },
    ])).toEqual([
      { targets: ['edge.example:443'], labels: { cluster: 'a', __scheme__: 'https', __metrics_path__: '/prom/a/federate' } },
      { targets: ['edge.example:8080'], labels: { cluster: 'b' } },
      { targets: ['edge.example:9443'], labels: { cluster: 'c', __scheme__: 'https' } },
    ]);
  });

  it.each([
    [[{ name: 'Bad', federateUrl: 'x:1' }], /not a valid cluster name/],
    [[{ name: 'a', federateUrl: 'x:1' }, { name: 'a', federateUrl: 'y:1' }], /listed twice/],
    [[{ name: 'a', federateUrl: 'edge.example' }], /not host:port/],
    [[{ name: 'a', federateUrl: 'https://u:p@edge.example' }], /not host:port/],
    [[{ name: 'a', federateUrl: 'https://edge.example/?x=1' }], /not host:port/],
    [[{ name: 'a', federateUrl: 'ftp://edge.example:21' }], /not host:port/],
  ])('refuses %j', (clusters, message) => {
    const e = refusal(() => fileSd(clusters));
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(message);
  });
});

describe('promDurationMs', () => {
  it('reads Prometheus durations and refuses what Prometheus would', () => {
    expect(['30s', '2h', '1h30m', '15d', '1w', '1y', '500ms', '1d12h'].map(promDurationMs)).toEqual([30_000, 7_200_000, 5_400_000, 1_296_000_000, 604_800_000, 31_536_000_000, 500, 129_600_000]);
    for (const bad of ['', '0s', '30', '1.5h', '30m1h', '2 h', '1hh', '-1s']) expect(promDurationMs(bad), bad).toBeUndefined();
  });
});
