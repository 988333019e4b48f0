// The per-cluster monitoring settings: defaults, what each mode and backend needs, and how they become
// the edge generator's input, the central file_sd targets and the file_sd file the daemon keeps.
import { describe, expect, it } from 'vitest';
import { edgeOptionsFor, federationFileSd, fileSdTargets, MonitoringSettingsSchema, parseMonitoringSettings } from '../../../../core/metrics/monitoring.js';
import { edgePrometheusConfig, fileSd } from '../../../../core/metrics/prometheus-config.js';

describe('monitoring settings', () => {
  it('default to federation every 30s with 2h retention', () => {
    expect(parseMonitoringSettings({ federateTarget: 'prom.a.example:9090' })).toEqual({ mode: 'federate', federateTarget: 'prom.a.example:9090', scrapeInterval: '30s', retention: '2h', backend: 'kube' });
  });

  it('need the edge address to federate and the receiver to remote-write', () => {
    expect(() => parseMonitoringSettings({})).toThrow(/federateTarget/);
    expect(() => parseMonitoringSettings({ mode: 'remote-write' })).toThrow(/remoteWriteUrl/);
    expect(() => parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'ftp://x/y' })).toThrow(/remoteWriteUrl/);
    expect(() => parseMonitoringSettings({ federateTarget: 'nohost' })).toThrow(/federateTarget/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', retention: 'long' })).toThrow(/retention/);
    expect(MonitoringSettingsSchema.safeParse({ federateTarget: 'a:1', other: 1 }).success).toBe(false);
  });

  it('refuse what the mode or backend does not take, and what the edge could not run', () => {
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', remoteWriteUrl: 'https://c/api/v1/write' })).toThrow(/remoteWriteUrl applies to mode remote-write only/);
    expect(() => parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://c/api/v1/write', federateTarget: 'a:1' })).toThrow(/federateTarget applies to mode federate only/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', backend: 'sim' })).toThrow(/agentTarget/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', backend: 'sim', agentTarget: 'localhost' })).toThrow(/agentTarget/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', backend: 'openshift' })).toThrow(/backend/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', scrapeInterval: '5m' })).toThrow(/scrapeInterval.*at most 120s/);
    // The config goes into the untrusted store: a receiver URL never carries credentials.
    expect(() => parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://user:pw@c/api/v1/write' })).toThrow(/without credentials/);
    expect(parseMonitoringSettings({ federateTarget: 'a:1', backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '2m', retention: '6h' })).toMatchObject({ backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '2m', retention: '6h' });
  });

  it('become the edge config with what the agent knows of itself', () => {
    const s = parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://central.example/api/v1/write', retention: '4h', backend: 'sim', agentTarget: '127.0.0.1:9464' });
    const g = edgePrometheusConfig(edgeOptionsFor('sim-a', s));
    expect(g.config.global.external_labels).toEqual({ cluster: 'sim-a' });
    expect(g.config.remote_write?.[0]?.url).toBe('https://central.example/api/v1/write');
    expect(g.flags).toContain('--storage.agent.retention.max-time=4h');
  });

  it('list only federated clusters in the file_sd file', () => {
    const clusters = [
      { name: 'b', monitoring: parseMonitoringSettings({ federateTarget: 'prom.b:9090' }) },
      { name: 'a', monitoring: parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://c/api/v1/write' }) },
      { name: 'c', monitoring: parseMonitoringSettings({ federateTarget: 'https://edge.example/c' }) },
    ];
    expect(fileSd(fileSdTargets(clusters))).toEqual([
      { targets: ['prom.b:9090'], labels: { cluster: 'b' } },
      { targets: ['edge.example:443'], labels: { cluster: 'c', __scheme__: 'https', __metrics_path__: '/c/federate' } },
    ]);
  });

  it('make the file_sd file the daemon keeps: the federate clusters, clusters without settings at the edge pattern if one is given, never remote-write ones', () => {
    const clusters = [
      { name: 'b', monitoring: parseMonitoringSettings({ federateTarget: 'prom.b:9090' }) },
      { name: 'a', monitoring: parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://c/api/v1/write' }) },
      { name: 'new', monitoring: null },
    ];
    expect(JSON.parse(federationFileSd(clusters))).toEqual([{ targets: ['prom.b:9090'], labels: { cluster: 'b' } }]);
    const withPattern = federationFileSd(clusters, 'prometheus.{cluster}.example:9090');
    expect(JSON.parse(withPattern)).toEqual([
      { targets: ['prometheus.new.example:9090'], labels: { cluster: 'new' } },
      { targets: ['prom.b:9090'], labels: { cluster: 'b' } },
    ].sort((x, y) => (x.labels.cluster < y.labels.cluster ? -1 : 1)));
    // The same bytes as `flotilla metrics config --central` writes for the same targets, and the same every time.
    expect(withPattern).toBe(`${JSON.stringify(fileSd([{ name: 'b', federateUrl: 'prom.b:9090' }, { name: 'new', federateUrl: 'prometheus.new.example:9090' }]), null, 2)}\n`);
    expect(federationFileSd([])).toBe('[]\n');
  });
});
