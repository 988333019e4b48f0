// configure-monitoring end to end on a real edge Prometheus (Debian's 2.42, --web.enable-lifecycle):
// the daemon's monitoring service (daemon/monitoring/configure.ts, in process, with the real
// JobService) keeps the settings, signs the edge config and submits the job; an in-process agent on
// the sim backend verifies it, writes prometheus.yml and rules.yml into the Prometheus's config
// directory and reloads it. The edge then runs the generated config (external_labels.cluster), scrapes
// the sim's exporter and records the cluster:* series, which /federate hands out labelled with the
// cluster. A config for another cluster, a forged one and a stale one are refused and change nothing; a
// reload the Prometheus refuses (500, its config broken), a closed reload port and an agent without a
// `monitoring` section fail the job with the reason, and the files are put back as they were.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema } from '../../../config/schemas.js';
import type { Identity } from '../../../core/api.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import { JobResultSchema, type JobRecord } from '../../../core/jobs.js';
import { generateSigningKey, publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { configDigest, generateMonitoringConfig } from '../../../core/metrics/monitoring-config.js';
import { parseMonitoringSettings, type MonitoringSettingsInput } from '../../../core/metrics/monitoring.js';
import { RegistrationSchema, type Registration } from '../../../core/registration.js';
import { StatusReportSchema } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { MonitoringService } from '../../../daemon/monitoring/configure.js';
import { PIPELINE_ADMIN, startJobPipeline, type JobPipeline } from '../../harness/job-pipeline.js';
import { waitUntil } from '../../harness/proc.js';
import { startPrometheus, type PrometheusServer } from '../../harness/prometheus.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { freePort } from '../../harness/free-port.js';

const CLUSTER = 'mon-1';
const NODES = 3;
const VIEWER: Identity = { provider: 'token', subject: 'tok_viewer', name: 'viewer', role: 'viewer' };
const MINIMAL = 'global:\n  scrape_interval: 5s\nscrape_configs: []\n';

const storePath = tempDir();
const store = new DirStore(storePath);
const dataDir = tempDir();
let pipeline: JobPipeline;
let service: MonitoringService;
let edge: PrometheusServer;
let agent: AgentHandle | undefined;
let registration: Registration;
let metricsPort: number;

async function start(monitoring: { configDir: string; reloadUrl: string } | null): Promise<AgentHandle> {
  await agent?.stop();
  const config = AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath, pollIntervalMs: 50 },
    controlPlane: { keyid: pipeline.controlPlane.keyid, publicKey: publicKeyToBase64(pipeline.controlPlane.publicKey) },
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    status: { intervalSeconds: 0.2 },
    agent: { metricsPort },
    sim: { nodes: NODES, deployments: 2, faultRate: 0, seed: 7, logs: { enabled: false } },
    logs: { enabled: false },
    ...(monitoring ? { monitoring } : {}),
  });
  agent = await startAgent(config, { dataDir, logger: silentLogger() });
  return agent;
}

function settings(over: Partial<MonitoringSettingsInput> = {}) {
  return parseMonitoringSettings({ federateTarget: `127.0.0.1:${edge.port}`, backend: 'sim', agentTarget: `127.0.0.1:${metricsPort}`, scrapeInterval: '1s', ...over });
}

async function result(seq: number) {
  const obj = await store.get(storeKeys.result(CLUSTER, seq), 1 << 20);
  if (!obj) return null;
  const key = publicKeyFromBase64(registration.publicKey);
  return JobResultSchema.parse(openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.result, maxBytes: 1 << 20, keyFor: (id) => (id === registration.keyid ? key : undefined) }).payload);
}

function finished(job: JobRecord) {
  return waitUntil(() => result(job.seq), { what: `the result of job ${job.seq}`, timeoutMs: 60_000 });
}

async function status() {
  const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
  if (!obj) return null;
  const env = JSON.parse(obj.body.toString('utf8')) as { payload: string };
  return StatusReportSchema.parse(JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')));
}

/** The config the edge Prometheus runs, as its API says. */
async function running(p: PrometheusServer = edge): Promise<string> {
  return (await p.api<{ yaml: string }>('status/config')).yaml;
}

/** A configure-monitoring job submitted by hand, naming whatever envelope the test put in the store. */
async function submitFor(envelope: Buffer, version: number): Promise<JobRecord> {
  await store.put(storeKeys.config(CLUSTER, 'monitoring'), envelope);
  const res = await pipeline.jobs.submit(PIPELINE_ADMIN, { cluster: CLUSTER, type: 'configure-monitoring', params: { version, sha256: configDigest(envelope) } });
  if (!('jobs' in res) || !res.jobs[0]) throw new Error('no job');
  return res.jobs[0];
}

beforeAll(async () => {
  pipeline = startJobPipeline(store);
  service = new MonitoringService({ store, signingKey: pipeline.controlPlane, registry: pipeline.registry, fleet: pipeline.fleet, jobs: pipeline.jobs });
  edge = await startPrometheus({ config: MINIMAL });
  metricsPort = await freePort();
  pipeline.fleet.addCluster({ id: 'admin', name: 'admin' }, { name: CLUSTER, labels: {}, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
  await start({ configDir: edge.dir, reloadUrl: `${edge.url}/-/reload` });
  // What the store sync does with the agent's registration: pin its keys.
  const obj = await waitUntil(() => store.get(storeKeys.registration(CLUSTER), 1 << 20), { what: 'the agent registration' });
  const env = JSON.parse(obj.body.toString('utf8')) as { payload: string };
  registration = RegistrationSchema.parse(JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')));
  pipeline.fleet.applyRegistration(CLUSTER, registration, storeKeys.registration(CLUSTER), obj.etag);
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await edge?.stop();
  pipeline?.close();
  cleanupTempDirs();
});

describe('configure-monitoring on a real edge Prometheus', () => {
  it('refuses a viewer before anything is written', async () => {
    const e = await service.configure(VIEWER, { cluster: CLUSTER, settings: settings() }).catch((err: unknown) => err);
    expect((e as FlotillaError).kind).toBe('forbidden');
    expect(await store.get(storeKeys.config(CLUSTER, 'monitoring'), 1 << 20)).toBeNull();
    expect(pipeline.registry.monitoring.get(CLUSTER)).toBeUndefined();
  });

  it('writes the signed config into the edge and reloads it: the edge runs it, scrapes the sim and records cluster:* series carrying the cluster', { timeout: 120_000 }, async () => {
    expect(await running()).not.toContain(CLUSTER);
    const res = await service.configure(PIPELINE_ADMIN, { cluster: CLUSTER, settings: settings() });
    expect(res).toMatchObject({ cluster: CLUSTER, version: 1, job: { type: 'configure-monitoring', params: { version: 1 } } });
    const done = await finished(res.job);
    expect(done, done.detail).toMatchObject({ state: 'succeeded', output: { version: 1, mode: 'federate', files: ['rules.yml', 'prometheus.flags', 'prometheus.yml'], restartNeeded: true } });
    expect(done.detail).toMatch(/monitoring config version 1 applied/);

    const yaml = await running();
    expect(yaml).toMatch(/external_labels:\n\s+cluster: mon-1/);
    expect(yaml).toContain('job_name: kube-state-metrics');
    expect(yaml).toContain(`127.0.0.1:${metricsPort}`);
    expect(readFileSync(join(edge.dir, 'rules.yml'), 'utf8')).toContain('cluster:nodes:count');

    // Within a few scrape intervals the rules have the sim's cluster: its nodes, Ready, and its pods.
    const nodes = await waitUntil(
      async () => {
        const r = await edge.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent('cluster:nodes:count')}`);
        return r.result.length > 0 ? r.result : null;
      },
      { what: 'cluster:nodes:count on the edge', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(Number(nodes[0]?.value[1])).toBe(NODES);
    await waitUntil(async () => (await edge.api<{ result: unknown[] }>(`query?query=${encodeURIComponent('cluster:pods_by_phase:count{phase="Running"} > 0')}`)).result.length > 0, { what: 'running pods recorded', timeoutMs: 30_000, intervalMs: 500 });
    // What the center would federate: only up and cluster:*, each with the cluster as external_labels says.
    const fed = await (await fetch(`${edge.url}/federate?${new URLSearchParams({ 'match[]': '{__name__=~"cluster:.*"}' }).toString()}`)).text();
    const samples = fed.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.every((l) => l.startsWith('cluster:') && l.includes('cluster="mon-1"'))).toBe(true);

    // The agent reports the version its edge runs.
    await waitUntil(async () => (await status())?.monitoringConfigVersion === 1, { what: 'a status report with monitoringConfigVersion 1' });
  });

  it('refuses a config for another cluster, a forged one and a stale one, and leaves the edge running what it runs', { timeout: 120_000 }, async () => {
    const before = await running();
    const files = readFileSync(join(edge.dir, 'prometheus.yml'), 'utf8');
    const base = { agentKeyId: registration.keyid, now: new Date(), settings: settings({ scrapeInterval: '2s' }), flotillaVersion: 'test' };

    const elsewhere = await finished(await submitFor(sealEnvelope(PAYLOAD_TYPES.config, generateMonitoringConfig({ ...base, cluster: 'mon-2', version: 7 }), pipeline.controlPlane), 7));
    expect(elsewhere.state).toBe('failed');
    expect(elsewhere.detail).toMatch(/monitoring config refused \(wrong_cluster\): it is for cluster "mon-2"/);

    const forged = await finished(await submitFor(sealEnvelope(PAYLOAD_TYPES.config, generateMonitoringConfig({ ...base, cluster: CLUSTER, version: 8 }), { ...generateSigningKey(), keyid: pipeline.controlPlane.keyid }), 8));
    expect(forged.state).toBe('failed');
    expect(forged.detail).toMatch(/\(bad_signature\)/);

    // Version 1 again, but not the version 1 that was applied.
    const stale = await finished(await submitFor(sealEnvelope(PAYLOAD_TYPES.config, generateMonitoringConfig({ ...base, cluster: CLUSTER, version: 1 }), pipeline.controlPlane), 1));
    expect(stale.state).toBe('failed');
    expect(stale.detail).toMatch(/\(stale\): version 1 is not newer than the applied version 1/);

    // A config in the store that is not the one the job names.
    const real = sealEnvelope(PAYLOAD_TYPES.config, generateMonitoringConfig({ ...base, cluster: CLUSTER, version: 9 }), pipeline.controlPlane);
    const job = await submitFor(real, 9);
    await store.put(storeKeys.config(CLUSTER, 'monitoring'), sealEnvelope(PAYLOAD_TYPES.config, generateMonitoringConfig({ ...base, cluster: CLUSTER, version: 9, settings: settings({ scrapeInterval: '3s' }) }), pipeline.controlPlane));
    const swapped = await finished(job);
    expect(swapped.detail).toMatch(/\(digest_mismatch\)/);

    expect(await running()).toBe(before);
    expect(readFileSync(join(edge.dir, 'prometheus.yml'), 'utf8')).toBe(files);
    expect((await status())?.monitoringConfigVersion).toBe(1);
  });

  it('fails the job with Prometheus\'s reason when the reload is refused, and puts the files back', { timeout: 120_000 }, async () => {
    // A second Prometheus whose own config file is broken: its /-/reload answers 500 with the parse error.
    const broken = await startPrometheus({ config: MINIMAL });
    try {
      writeFileSync(broken.configPath, 'scrape_configs: [this is: not a scrape config\n');
      await start({ configDir: edge.dir, reloadUrl: `${broken.url}/-/reload` });
      const files = readFileSync(join(edge.dir, 'prometheus.yml'), 'utf8');
      const res = await service.configure(PIPELINE_ADMIN, { cluster: CLUSTER, settings: settings({ scrapeInterval: '2s' }) });
      expect(res.version).toBe(10);
      const done = await finished(res.job);
      expect(done.state).toBe('failed');
      expect(done.detail).toMatch(/the edge Prometheus refused the new config \(HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/-\/reload: .*(yaml|YAML|parse|load)/);
      expect(done.detail).toMatch(/— Fix the monitoring settings/);
      expect(readFileSync(join(edge.dir, 'prometheus.yml'), 'utf8')).toBe(files);
    } finally {
      await broken.stop();
    }

    // A reload port nothing listens on.
    await start({ configDir: edge.dir, reloadUrl: `http://127.0.0.1:${await freePort()}/-/reload` });
    const closed = await finished((await service.configure(PIPELINE_ADMIN, { cluster: CLUSTER, settings: settings({ scrapeInterval: '2s' }) })).job);
    expect(closed.state).toBe('failed');
    expect(closed.detail).toMatch(/did not answer its reload at .* \(ECONNREFUSED\); its config files were put back/);

    // An agent without a monitoring section says what to add.
    await start(null);
    const none = await finished((await service.configure(PIPELINE_ADMIN, { cluster: CLUSTER, settings: settings({ scrapeInterval: '2s' }) })).job);
    expect(none.state).toBe('failed');
    expect(none.detail).toMatch(/no `monitoring` section in its config\) — Add `monitoring: \{configDir/);

    // Through all of it the edge kept running version 1, and the agent says so.
    expect(await running()).toMatch(/scrape_interval: 1s/);
    await waitUntil(async () => (await status())?.monitoringConfigVersion === 1, { what: 'the report still at version 1' });

    // Back on the real reload, the next config applies.
    await start({ configDir: edge.dir, reloadUrl: `${edge.url}/-/reload` });
    const next = await service.configure(PIPELINE_ADMIN, { cluster: CLUSTER, settings: settings({ scrapeInterval: '2s' }) });
    expect(await finished(next.job)).toMatchObject({ state: 'succeeded', output: { version: next.version, restartNeeded: false } });
    expect(await running()).toMatch(/scrape_interval: 2s/);
    await waitUntil(async () => (await status())?.monitoringConfigVersion === next.version, { what: 'the report at the new version' });
  });
});
