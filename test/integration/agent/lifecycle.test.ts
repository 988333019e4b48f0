// An in-process agent against a directory store: registration, signed status reports, key hygiene,
// restarts and /metrics.
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { offFigures } from '../../../agent/logs/figures.js';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { readPrivateKeyFile } from '../../../core/key-files.js';
import { generateSigningKey, publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { proofMatches, RegistrationSchema, tokenHash } from '../../../core/registration.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { VERSION } from '../../../core/version.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { waitUntil } from '../../harness/proc.js';
import { freePort } from '../../harness/free-port.js';

// A real control-plane key: the agent refuses a bundle whose key it cannot use.
const cpKey = generateSigningKey();
const CONTROL_PLANE = { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) };

const TOKEN = 'bootstrap-token-0123456789abcdef';
const CLUSTER = 'prod-eu-1';
const running: AgentHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});
afterAll(() => cleanupTempDirs());

function agentConfig(storePath: string, over: Record<string, unknown> = {}): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath },
    controlPlane: CONTROL_PLANE,
    bootstrapToken: TOKEN,
    status: { intervalSeconds: 0.1 },
    sim: { nodes: 3, deployments: 8, faultRate: 0.3, seed: 5 },
    ...over,
  });
}

async function start(config: AgentConfig, dataDir: string): Promise<AgentHandle> {
  const agent = await startAgent(config, { dataDir, logger: silentLogger() });
  running.push(agent);
  return agent;
}

async function stop(agent: AgentHandle): Promise<void> {
  running.splice(running.indexOf(agent), 1);
  await agent.stop();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

async function registration(store: DirStore) {
  const obj = await store.get(storeKeys.registration(CLUSTER), 1 << 20);
  if (!obj) return null;
  const raw = JSON.parse(obj.body.toString('utf8'));
  const payload = RegistrationSchema.parse(JSON.parse(Buffer.from(raw.payload, 'base64').toString('utf8')));
  const key = publicKeyFromBase64(payload.publicKey);
  // Verified against the key it announces: proof of possession.
  const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.registration, maxBytes: 1 << 20, keyFor: (id) => (id === payload.keyid ? key : undefined) });
  return { obj, payload: RegistrationSchema.parse(opened.payload), key };
}

async function status(store: DirStore, keyid: string, key: ReturnType<typeof publicKeyFromBase64>): Promise<StatusReport | null> {
  const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
  if (!obj) return null;
  const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.status, maxBytes: 4 << 20, keyFor: (id) => (id === keyid ? key : undefined) });
  return StatusReportSchema.parse(opened.payload);
}

describe('agent lifecycle', () => {
  it('registers with a verifiable envelope and writes signed status reports with growing seq', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    await start(agentConfig(storePath), dataDir);

    const reg = await waitUntil(() => registration(store), { what: 'registration envelope' });
    expect(reg.payload.cluster).toBe(CLUSTER);
    expect(reg.payload.agentVersion).toBe(VERSION);
    expect(proofMatches(tokenHash(TOKEN), reg.payload)).toBe(true);
    expect(proofMatches(tokenHash('some-other-token-0123456789'), reg.payload)).toBe(false);
    expect(reg.obj.body.toString('utf8')).not.toContain(TOKEN);

    const first = await waitUntil(() => status(store, reg.payload.keyid, reg.key), { what: 'first status report' });
    expect(first.cluster).toBe(CLUSTER);
    expect(first.intervalSeconds).toBe(0.1);
    // No `server` in the bundle: logs are off.
    expect(first.pipeline).toEqual(offFigures());
    expect(first.nodes).toHaveLength(3);
    expect(first.workloads).toHaveLength(8);
    const later = await waitUntil(async () => {
      const s = await status(store, reg.payload.keyid, reg.key);
      return s && s.seq >= first.seq + 3 ? s : null;
    }, { what: 'later status reports' });
    expect(Date.parse(later.reportedAt)).toBeGreaterThanOrEqual(Date.parse(first.reportedAt));
  });

  it('keeps the private key in a 0600 file and out of the store', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    await start(agentConfig(storePath), dataDir);
    const reg = await waitUntil(() => registration(store), { what: 'registration envelope' });
    await waitUntil(() => status(store, reg.payload.keyid, reg.key), { what: 'status report' });

    const keyPath = join(dataDir, 'agent.key');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const key = readPrivateKeyFile(keyPath);
    expect(key.keyid).toBe(reg.payload.keyid);

    const pem = readFileSync(keyPath, 'utf8');
    const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const der = key.privateKey.export({ format: 'der', type: 'pkcs8' });
    const seed = key.privateKey.export({ format: 'jwk' }).d!;
    const secrets = [pemBody, der.toString('base64'), der.toString('hex'), seed, Buffer.from(seed, 'base64url').toString('base64'), Buffer.from(seed, 'base64url').toString('hex')];
    const files = listFiles(storePath);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const bytes = readFileSync(file);
      const texts = [bytes.toString('utf8')];
      // Look inside envelope payloads too, which are base64 on the wire.
      try {
        texts.push(Buffer.from(JSON.parse(texts[0]!).payload, 'base64').toString('utf8'));
      } catch {
        // not an envelope
      }
      for (const text of texts) for (const secret of secrets) expect(text.includes(secret), `${file} holds private key material`).toBe(false);
      expect(bytes.includes(Buffer.from(seed, 'base64url'))).toBe(false);
    }
  });

  it('reuses its key and continues seq after a restart, leaving its registration alone', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    const config = agentConfig(storePath);
    const first = await start(config, dataDir);
    const reg = await waitUntil(() => registration(store), { what: 'registration' });
    await waitUntil(async () => ((await status(store, reg.payload.keyid, reg.key))?.seq ?? 0) >= 3, { what: 'three reports' });
    await stop(first);
    const before = (await status(store, reg.payload.keyid, reg.key))!;
    const regEtag = reg.obj.etag;
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ version: 1, cluster: CLUSTER, keyid: reg.payload.keyid, lastSeq: before.seq });

    await start(config, dataDir);
    const after = await waitUntil(async () => {
      const s = await status(store, reg.payload.keyid, reg.key);
      return s && s.seq > before.seq ? s : null;
    }, { what: 'a report after restart' });
    // Continues from the store instead of starting again at 1 (reports come every 100 ms, so the
    // first one seen after the restart may already be the second).
    expect(before.seq).toBeGreaterThanOrEqual(2);
    expect(after.seq).toBeGreaterThan(before.seq);
    const again = (await registration(store))!;
    expect(again.obj.etag).toBe(regEtag);
    expect(again.payload.keyid).toBe(reg.payload.keyid);
  });

  it('publishes the same registration again when it has vanished from the store', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    const config = agentConfig(storePath);
    const agent = await start(config, dataDir);
    const reg = await waitUntil(() => registration(store), { what: 'registration' });
    await stop(agent);
    rmSync(join(storePath, 'clusters', CLUSTER, 'registration.json'));

    await start(config, dataDir);
    const again = await waitUntil(() => registration(store), { what: 're-published registration' });
    expect(again.obj.body.equals(reg.obj.body)).toBe(true);
  });

  it('continues seq from its last report in the store when state.json is lost', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    const config = agentConfig(storePath);
    const agent = await start(config, dataDir);
    const reg = await waitUntil(() => registration(store), { what: 'registration' });
    await waitUntil(async () => ((await status(store, reg.payload.keyid, reg.key))?.seq ?? 0) >= 2, { what: 'reports' });
    await stop(agent);
    const before = (await status(store, reg.payload.keyid, reg.key))!;
    rmSync(join(dataDir, 'state.json'));

    await start(config, dataDir);
    const after = await waitUntil(async () => {
      const s = await status(store, reg.payload.keyid, reg.key);
      return s && s.seq !== before.seq ? s : null;
    }, { what: 'a report after state loss' });
    // Continues from the store instead of starting again at 1 (reports come every 100 ms, so the
    // first one seen after the restart may already be the second).
    expect(before.seq).toBeGreaterThanOrEqual(2);
    expect(after.seq).toBeGreaterThan(before.seq);
    const again = (await registration(store))!;
    expect(again.obj.body.equals(reg.obj.body)).toBe(true);
  });

  it('serves flotilla_agent_* metrics on 127.0.0.1 when metricsPort is set', async () => {
    const storePath = tempDir();
    const port = await freePort();
    const store = new DirStore(storePath);
    await start(agentConfig(storePath, { agent: { backend: 'sim', metricsPort: port } }), tempDir());
    const reg = await waitUntil(() => registration(store), { what: 'registration' });
    await waitUntil(async () => ((await status(store, reg.payload.keyid, reg.key))?.seq ?? 0) >= 2, { what: 'reports' });
    const text = await waitUntil(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      const body = await res.text();
      return res.status === 200 && /flotilla_agent_reports_written_total\{cluster="prod-eu-1"\} [1-9]/.test(body) ? body : null;
    }, { what: 'metrics with written reports' });
    expect(text).toContain('flotilla_agent_report_failures_total{cluster="prod-eu-1"} 0');
    expect(text).toMatch(/flotilla_agent_last_report_timestamp_seconds\{cluster="prod-eu-1"\} \d+/);
    expect(text).toContain('# TYPE flotilla_agent_store_errors_total counter');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('refuses to start (config error) when the bundle\'s control-plane key is unusable', async () => {
    const storePath = tempDir();
    for (const controlPlane of [
      { keyid: CONTROL_PLANE.keyid, publicKey: 'not-a-key' },
      { keyid: 'ed25519:0000000000000000000000000000000', publicKey: CONTROL_PLANE.publicKey },
    ]) {
      await expect(startAgent(agentConfig(storePath, { controlPlane }), { dataDir: tempDir(), logger: silentLogger() })).rejects.toMatchObject({ kind: 'config', exitCode: 78 });
    }
  });
});
