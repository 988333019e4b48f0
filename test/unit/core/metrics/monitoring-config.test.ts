// The signed `monitoring` config (core/metrics/monitoring-config.ts): what the daemon generates from a
// cluster's settings (the edge files as text, the same as `flotilla metrics config --edge` writes), and
// every check the agent makes before it writes a file, each refusal with its reason: the hash the job
// names, the control plane's signature, the cluster, the registration, the version.
import { describe, expect, it } from 'vitest';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../../core/dsse.js';
import { generateSigningKey } from '../../../../core/keys.js';
import { edgeFiles } from '../../../../core/metrics/files.js';
import { configDigest, generateMonitoringConfig, MonitoringConfigRejected, openMonitoringConfig, verifyMonitoringConfig, type MonitoringConfig } from '../../../../core/metrics/monitoring-config.js';
import { edgeOptionsFor, parseMonitoringSettings } from '../../../../core/metrics/monitoring.js';
import { edgePrometheusConfig } from '../../../../core/metrics/prometheus-config.js';

const cp = generateSigningKey();
const other = generateSigningKey();
const ctx = { cluster: 'sim-a', agentKeyId: 'agent-key-1', controlPlane: { keyid: cp.keyid, publicKey: cp.publicKey } };
const settings = parseMonitoringSettings({ federateTarget: 'edge-a.example:9090', backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '15s' });
const now = new Date('2026-12-03T12:00:00.000Z');

function config(over: Partial<{ cluster: string; agentKeyId: string; version: number }> = {}): MonitoringConfig {
  return generateMonitoringConfig({ cluster: over.cluster ?? 'sim-a', agentKeyId: over.agentKeyId ?? 'agent-key-1', version: over.version ?? 1, now, settings, flotillaVersion: '1.2.3' });
}

function sealed(c: unknown, key = cp): Buffer {
  return sealEnvelope(PAYLOAD_TYPES.config, c, key);
}

function refusal(fn: () => unknown): MonitoringConfigRejected {
  try {
    fn();
  } catch (e) {
    if (e instanceof MonitoringConfigRejected) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('the monitoring config', () => {
  it('carries the edge files generated from the settings, as text, each named as the edge reads it', () => {
    const c = config({ version: 3 });
    expect(c).toMatchObject({ kind: 'monitoring', cluster: 'sim-a', agentKeyId: 'agent-key-1', version: 3, issuedAt: now.toISOString(), settings });
    expect(c.files.map((f) => f.name)).toEqual(['prometheus.yml', 'rules.yml', 'prometheus.flags']);
    const cli = edgeFiles(edgePrometheusConfig(edgeOptionsFor('sim-a', settings)), { cluster: 'sim-a', backend: 'sim', mode: 'federate', command: 'x', version: '1.2.3' });
    // The same bodies as the CLI's review output, only the header's command line differs.
    const body = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(c.files.map((f) => body(f.content))).toEqual(cli.map((f) => body(f.content)));
    const yml = c.files[0]?.content ?? '';
    expect(yml).toContain('cluster: sim-a');
    expect(yml).toContain('scrape_interval: 15s');
    expect(yml).toMatch(/flotilla cluster monitoring sim-a --mode federate --backend sim --edge-target edge-a.example:9090 --agent-target 127.0.0.1:9464 .*config version 3/);
  });

  it('has no rules file in remote-write mode (agent mode evaluates none)', () => {
    const rw = generateMonitoringConfig({ cluster: 'sim-a', agentKeyId: 'k', version: 1, now, settings: parseMonitoringSettings({ mode: 'remote-write', remoteWriteUrl: 'https://c.example/api/v1/write', backend: 'sim', agentTarget: '127.0.0.1:9464' }), flotillaVersion: 't' });
    expect(rw.files.map((f) => f.name)).toEqual(['prometheus.yml', 'prometheus.flags']);
    expect(rw.files[1]?.content).toContain('--enable-feature=agent');
  });

  it('opens when the control plane signed it for this cluster and registration', () => {
    const raw = sealed(config());
    expect(openMonitoringConfig(raw, ctx).version).toBe(1);
    expect(verifyMonitoringConfig(raw, { version: 1, sha256: configDigest(raw) }, ctx, null)).toMatchObject({ config: { version: 1 }, digest: configDigest(raw) });
  });

  it('is refused with its reason: a forged signature, another cluster, another registration, a malformed or mistyped envelope', () => {
    const forged = sealed(config(), other);
    expect(refusal(() => openMonitoringConfig(forged, ctx)).reason).toBe('bad_signature');
    // Signed by the right key id with the wrong key.
    const spoofed = sealed(config(), { ...other, keyid: cp.keyid });
    expect(refusal(() => openMonitoringConfig(spoofed, ctx)).reason).toBe('bad_signature');
    const elsewhere = refusal(() => openMonitoringConfig(sealed(config({ cluster: 'prod-b' })), ctx));
    expect(elsewhere.reason).toBe('wrong_cluster');
    expect(elsewhere.message).toMatch(/for cluster "prod-b", this agent runs "sim-a"/);
    expect(refusal(() => openMonitoringConfig(sealed(config({ agentKeyId: 'old-key' })), ctx)).reason).toBe('wrong_agent');
    // Only the three files, by their names: never a path of the signer's choosing.
    const c = config();
    expect(refusal(() => openMonitoringConfig(sealed({ ...c, files: [...c.files, { name: '../../etc/passwd', content: 'x' }] }), ctx)).reason).toBe('malformed');
    expect(refusal(() => openMonitoringConfig(sealed({ ...c, files: [c.files[1]] }), ctx)).message).toMatch(/no prometheus\.yml/);
    expect(refusal(() => openMonitoringConfig(sealed({ ...c, kind: 'logging' }), ctx)).reason).toBe('malformed');
    expect(refusal(() => openMonitoringConfig(sealEnvelope(PAYLOAD_TYPES.job, c, cp), ctx)).reason).toBe('malformed');
    expect(refusal(() => openMonitoringConfig(Buffer.from('not json'), ctx)).reason).toBe('malformed');
  });

  it('is refused when it is not what the job names, or not newer than the applied one', () => {
    const v2 = sealed(config({ version: 2 }));
    const job = { version: 2, sha256: configDigest(v2) };
    const mismatch = refusal(() => verifyMonitoringConfig(v2, { ...job, sha256: 'a'.repeat(64) }, ctx, null));
    expect(mismatch.reason).toBe('digest_mismatch');
    expect(mismatch.message).toMatch(/not the one the job names/);
    expect(refusal(() => verifyMonitoringConfig(v2, { ...job, version: 3 }, ctx, null)).message).toMatch(/version 2, the job names 3/);
    // The hash is checked before anything else: a forged config under the job's name never gets as far as its payload.
    expect(refusal(() => verifyMonitoringConfig(sealed(config({ version: 2 }), other), job, ctx, null)).reason).toBe('digest_mismatch');
    const stale = refusal(() => verifyMonitoringConfig(v2, job, ctx, { version: 5, digest: 'd' }));
    expect(stale.reason).toBe('stale');
    expect(stale.message).toMatch(/version 2 is not newer than the applied version 5/);
    expect(refusal(() => verifyMonitoringConfig(v2, job, ctx, { version: 2, digest: 'another config of the same version' })).reason).toBe('stale');
    // The same config again (a job resumed after a crash) passes, and so does a newer one.
    expect(verifyMonitoringConfig(v2, job, ctx, { version: 2, digest: configDigest(v2) }).config.version).toBe(2);
    expect(verifyMonitoringConfig(v2, job, ctx, { version: 1, digest: 'd' }).config.version).toBe(2);
  });

  it('is refused with a bad signature when the job names a forged config', () => {
    const forged = sealed(config(), other);
    expect(refusal(() => verifyMonitoringConfig(forged, { version: 1, sha256: configDigest(forged) }, ctx, null)).reason).toBe('bad_signature');
  });
});
