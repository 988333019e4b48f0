// What the daemon signs into a cluster's `monitoring` config passes promtool, for every kind of
// settings: the files are written out exactly as the agent writes them into the edge Prometheus's
// config directory (the config's `files`, by name), then `promtool check config` (agent mode for a
// remote-write edge) and `promtool check rules --lint=all`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMonitoringConfig } from '../../../core/metrics/monitoring-config.js';
import { parseMonitoringSettings, type MonitoringSettingsInput } from '../../../core/metrics/monitoring.js';
import { PROMETHEUS_FILES } from '../../../core/metrics/prometheus-config.js';
import { promtool, promtoolHasKubernetesSd } from '../../harness/promtool.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(() => cleanupTempDirs());

function expectOk(r: { status: number | null; output: string }): void {
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.status, r.output).toBe(0);
}

/** The files of the config the daemon would sign for these settings, written as the agent writes them. */
function written(cluster: string, input: MonitoringSettingsInput): { dir: string; names: string[] } {
  const config = generateMonitoringConfig({ cluster, agentKeyId: 'agent-key', version: 4, now: new Date('2026-12-03T12:00:00Z'), settings: parseMonitoringSettings(input), flotillaVersion: 'test' });
  const dir = tempDir('flotilla-monitoring-');
  for (const f of config.files) writeFileSync(join(dir, f.name), f.content);
  return { dir, names: config.files.map((f) => f.name) };
}

/** Debian's promtool knows no kubernetes_sd_configs: each becomes a static target so the rest is still checked. */
function forThisPromtool(file: string): string {
  if (promtoolHasKubernetesSd()) return file;
  const text = readFileSync(file, 'utf8').replace(/kubernetes_sd_configs:\n(\s+)- role: \w+\n/g, (_m, indent: string) => `static_configs:\n${indent}- targets: ["kubernetes.default.svc:443"]\n`);
  expect(text).not.toContain('kubernetes_sd_configs');
  const out = file.replace(/\.yml$/, '.static-sd.yml');
  writeFileSync(out, text);
  return out;
}

const SIM = { backend: 'sim' as const, agentTarget: '127.0.0.1:9464' };
const REMOTE = { mode: 'remote-write' as const, remoteWriteUrl: 'https://central.example:9090/api/v1/write' };

describe('promtool on the configs configure-monitoring delivers', () => {
  it('passes a sim edge federated by the center, with its rules', () => {
    const { dir, names } = written('sim-eu-1', { ...SIM, federateTarget: 'edge.sim-eu-1.example:9090', scrapeInterval: '15s', retention: '6h' });
    expect(names).toEqual([PROMETHEUS_FILES.config, PROMETHEUS_FILES.rules, PROMETHEUS_FILES.flags]);
    expectOk(promtool(['check', 'config', join(dir, PROMETHEUS_FILES.config)]));
    expectOk(promtool(['check', 'rules', '--lint=all', join(dir, PROMETHEUS_FILES.rules)]));
    expect(readFileSync(join(dir, PROMETHEUS_FILES.flags), 'utf8')).toContain('--storage.tsdb.retention.time=6h');
  });

  it('passes a sim edge remote-writing to the center, as agent mode, with no rules', () => {
    const { dir, names } = written('sim-eu-2', { ...SIM, ...REMOTE });
    expect(names).not.toContain(PROMETHEUS_FILES.rules);
    expectOk(promtool(['check', 'config', '--agent', join(dir, PROMETHEUS_FILES.config)]));
  });

  it('passes kube edges in both modes (syntax only: the service account files exist only in the pod)', () => {
    for (const input of [{ federateTarget: 'https://edge.prod.example/prometheus' }, { ...REMOTE, agentTarget: '127.0.0.1:9464' }]) {
      const { dir, names } = written('prod-eu-1', { backend: 'kube', ...input });
      const agent = 'mode' in input ? ['--agent'] : [];
      expectOk(promtool(['check', 'config', '--syntax-only', ...agent, forThisPromtool(join(dir, PROMETHEUS_FILES.config))]));
      if (names.includes(PROMETHEUS_FILES.rules)) expectOk(promtool(['check', 'rules', '--lint=all', join(dir, PROMETHEUS_FILES.rules)]));
    }
  });
});
