// An in-process agent (startAgent) against a directory store, with jobs signed by a control-plane key
// made in the test and named in the bundle. No daemon runs: the store is all an agent needs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateAgentKey } from '../../../agent/identity.js';
import { startAgent, type AgentHandle } from '../../../agent/main.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { JobResultSchema, type JobResult } from '../../../core/jobs.js';
import { generateSigningKey, publicKeyFromBase64, publicKeyToBase64 } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { RegistrationSchema } from '../../../core/registration.js';
import { StatusReportSchema } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { CountingActions } from '../../fixtures/jobs/helpers.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

const CLUSTER = 'jobs-it-1';
const controlPlane = generateSigningKey();
const running: AgentHandle[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});
afterAll(() => cleanupTempDirs());

function config(storePath: string): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster: CLUSTER,
    store: { type: 'dir', path: storePath, pollIntervalMs: 50 },
    controlPlane: { keyid: controlPlane.keyid, publicKey: publicKeyToBase64(controlPlane.publicKey) },
    bootstrapToken: 'bootstrap-token-0123456789abcdef',
    status: { intervalSeconds: 0.2 },
    sim: { nodes: 2, deployments: 2, faultRate: 0, seed: 1 },
  });
}

async function start(storePath: string, dataDir: string, actions: CountingActions): Promise<AgentHandle> {
  const agent = await startAgent(config(storePath), { dataDir, logger: silentLogger(), actions });
  running.push(agent);
  return agent;
}

async function stop(agent: AgentHandle): Promise<void> {
  running.splice(running.indexOf(agent), 1);
  await agent.stop();
}

/** The key id of the agent that will run from dataDir (created now if it does not exist yet): jobs name it. */
function agentKeyId(dataDir: string): string {
  return loadOrCreateAgentKey(dataDir).key.keyid;
}

async function submit(store: DirStore, dataDir: string, seq: number, type: string, params: Record<string, unknown>, times: { notAfter?: string } = {}): Promise<string> {
  n += 1;
  const id = `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const now = Date.now();
  const payload = { cluster: CLUSTER, agentKeyId: agentKeyId(dataDir), seq, id, type, params, issuedAt: new Date(now).toISOString(), notAfter: times.notAfter ?? new Date(now + 3_600_000).toISOString(), destructive: false, issuer: { tokenId: 't', name: 'it' } };
  await store.put(storeKeys.job(CLUSTER, seq), sealEnvelope(PAYLOAD_TYPES.job, payload, controlPlane));
  return id;
}

/** The result, verified against the agent key the registration announces. */
async function result(store: DirStore, seq: number): Promise<JobResult | null> {
  const reg = await store.get(storeKeys.registration(CLUSTER), 1 << 20);
  const obj = await store.get(storeKeys.result(CLUSTER, seq), 1 << 20);
  if (!reg || !obj) return null;
  const announced = RegistrationSchema.parse(JSON.parse(Buffer.from(JSON.parse(reg.body.toString('utf8')).payload, 'base64').toString('utf8')));
  const key = publicKeyFromBase64(announced.publicKey);
  const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.result, maxBytes: 1 << 20, keyFor: (id) => (id === announced.keyid ? key : undefined) });
  return JobResultSchema.parse(opened.payload);
}

const scale = { namespace: 'web', name: 'frontend', replicas: 3 };

describe('agent jobs through a directory store', () => {
  it('runs a scale job once, writes a verifiable result and reports its progress', async () => {
    const storePath = tempDir();
    const store = new DirStore(storePath);
    const actions = new CountingActions();
    const dataDir = tempDir();
    await start(storePath, dataDir, actions);
    const id = await submit(store, dataDir, 1, 'scale', scale);
    const done = await waitUntil(() => result(store, 1), { what: 'the scale result' });
    expect(done).toMatchObject({ id, state: 'succeeded', cluster: CLUSTER, seq: 1 });
    expect(actions.calls).toBe(1);
    const status = await waitUntil(async () => {
      const obj = await store.get(storeKeys.status(CLUSTER), 4 << 20);
      const report = obj ? StatusReportSchema.parse(JSON.parse(Buffer.from(JSON.parse(obj.body.toString('utf8')).payload, 'base64').toString('utf8'))) : null;
      return report?.lastJobSeq === 1 ? report : null;
    }, { what: 'lastJobSeq in a status report' });
    expect(status.lastJobSeq).toBe(1);
  });

  it('finishes a job exactly once after the agent dies between the executor and the result write', async () => {
    const storePath = tempDir();
    const dataDir = tempDir();
    const store = new DirStore(storePath);
    const actions = new CountingActions();
    // A plain file where the results directory belongs: every result write fails, as if the agent died there.
    mkdirSync(join(storePath, 'clusters', CLUSTER), { recursive: true });
    writeFileSync(join(storePath, 'clusters', CLUSTER, 'results'), 'blocked');
    const first = await start(storePath, dataDir, actions);
    const id = await submit(store, dataDir, 1, 'scale', scale);
    await waitUntil(() => actions.calls >= 1 || null, { what: 'the executor to run' });
    await stop(first);
    expect(await result(store, 1).catch(() => null)).toBeNull();

    rmSync(join(storePath, 'clusters', CLUSTER, 'results'));
    await start(storePath, dataDir, actions);
    const done = await waitUntil(() => result(store, 1), { what: 'the resumed result' });
    expect(done).toMatchObject({ id, state: 'succeeded' });
    expect(actions.effects.get(id)).toBe(1);
    expect(actions.totalEffects).toBe(1);
  });

  it('honours a cancel written before the job starts, and reports an expired job without running it', async () => {
    const storePath = tempDir();
    const store = new DirStore(storePath);
    const actions = new CountingActions();
    const dataDir = tempDir();
    const target = await submit(store, dataDir, 1, 'drain', { node: 'node-1' });
    await submit(store, dataDir, 2, 'cancel', { targetSeq: 1, targetId: target });
    await submit(store, dataDir, 3, 'cordon', { node: 'node-2' }, { notAfter: new Date(Date.now() - 60_000).toISOString() });
    await start(storePath, dataDir, actions);
    const expired = await waitUntil(() => result(store, 3), { what: 'the expired result' });
    expect(expired.state).toBe('expired');
    expect((await result(store, 1))?.state).toBe('cancelled');
    expect((await result(store, 2))?.state).toBe('succeeded');
    expect(actions.calls).toBe(0);
  });
});
