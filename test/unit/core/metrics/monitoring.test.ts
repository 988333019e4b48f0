// The proposed per-cluster monitoring settings: defaults, what each mode needs, and how they become
// the edge generator's input and the central file_sd targets.
import { describe, expect, it } from 'vitest';
import { edgeOptionsFor, fileSdTargets, MonitoringSettingsSchema, parseMonitoringSettings } from '../../../../core/metrics/monitoring.js';
import { edgePrometheusConfig, fileSd } from '../../../../core/metrics/prometheus-config.js';

describe('monitoring settings', () => {
  it('default to federation every 30s with 2h retention', () => {
    expect(parseMonitoringSettings({ federateTarget: 'prom.a.example:9090' })).toEqual({ mode: 'federate', federateTarget: 'prom.a.example:9090', scrapeInterval: '30s', retention: '2h' });
  });

  it('need the edge address to federate and the receiver to remote-write', () => {
    expect(() => parseMonitoringSettings({})).toThrow(/federateTarget/);
    expect(() => parseMonitoringSettings({ mode: 'remote-write' })).toThrow(/remoteWriteUrl/);
    expect(() => parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'ftp://x/y' })).toThrow(/remoteWriteUrl/);
    expect(() => parseMonitoringSettings({ federateTarget: 'nohost' })).toThrow(/federateTarget/);
    expect(() => parseMonitoringSettings({ federateTarget: 'a:1', retention: 'long' })).toThrow(/retention/);
    expect(MonitoringSettingsSchema.safeParse({ federateTarget: 'a:1', other: 1 }).success).toBe(false);
  });

  it('become the edge config with what the agent knows of itself', () => {
    const s = parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://central.example/api/v1/write', retention: '4h' });
    const g = edgePrometheusConfig(edgeOptionsFor('sim-a', s, { backend: 'sim', agentTarget: '127.0.0.1:9464' }));
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
});
