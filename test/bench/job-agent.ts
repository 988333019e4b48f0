// Jobs benchmark helpers: a real agent process (sim backend) on a bundle trusting a `flotilla init`
// control-plane key, jobs signed in the bench process with that key, and the agent's results read
// back and verified against the key its registration announces — as the daemon would.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AgentConfigSchema, type AgentConfig } from '../../config/schemas.js';
import type { StoreConfig } from '../../core/store/config.js';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { JOB_LIMITS, JobResultSchema, type JobResult } from '../../core/jobs.js';
import { publicKeyFromBase64, publicKeyToBase64, type SigningKey } from '../../core/keys.js';
import { RegistrationSchema } from '../../core/registration.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { CLI } from '../harness/proc.js';

export const SIM_NODES = 5;

export function benchBundle(cluster: string, store: StoreConfig, controlPlane: SigningKey, dataDir: string): AgentConfig {
  return AgentConfigSchema.parse({
    apiVersion: 'flotilla/v1',
    kind: 'AgentBundle',
    cluster,
    store,
    controlPlane: { keyid: controlPlane.keyid, publicKey: publicKeyToBase64(controlPlane.publicKey) },
    bootstrapToken: randomBytes(24).toString('base64url'),
    status: { intervalSeconds: 10 },
    agent: { dataDir, backend: 'sim' },
    // No random faults: every cordon/uncordon must succeed so the runs are comparable.
    sim: { nodes: SIM_NODES, deployments: 12, faultRate: 0, seed: 1 },
    log: { level: 'warn' },
  });
}

export interface SpawnAgentOptions {
  /** Node flags before the CLI, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Called as soon as the process exists, before it says it is running (it may already be working). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Writes the bundle into dir and starts `flotilla agent` from dist/ on it; resolves once it says it is running. */
export async function spawnAgent(bundle: AgentConfig, dir: string, env: NodeJS.ProcessEnv = {}, opts: SpawnAgentOptions = {}): Promise<ChildProcess> {
  const file = join(dir, `${bundle.cluster}.yaml`);
  writeFileSync(file, stringify(bundle), { mode: 0o600 });
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), CLI, 'agent', '--config', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  opts.onSpawn?.(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start within 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (d: string) => {
      stderr += d;
      if (/running \(state in/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code}: ${stderr}`));
    });
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** What the bench signs; the agent checks it against JobPayloadSchema like any job. */
export interface BenchJob {
  cluster: string;
  agentKeyId: string;
  seq: number;
  id: string;
  type: 'cordon' | 'uncordon';
  params: { node: string };
  issuedAt: string;
  notAfter: string;
  destructive: boolean;
  issuer: { tokenId: string; name: string };
}

/** A cheap job for the sim: cordon on odd seqs, uncordon on even ones, across the sim's nodes. */
export function cheapJob(cluster: string, agentKeyId: string, seq: number): BenchJob {
  const now = Date.now();
  const node = `worker-${String(1 + (Math.floor(seq / 2) % SIM_NODES)).padStart(2, '0')}`;
  return {
    cluster,
    agentKeyId,
    seq,
    id: randomUUID(),
    type: seq % 2 === 1 ? 'cordon' : 'uncordon',
    params: { node },
    issuedAt: new Date(now).toISOString(),
    notAfter: new Date(now + JOB_LIMITS.defaultExpiryMs).toISOString(),
    destructive: false,
    issuer: { tokenId: 'bench', name: 'bench' },
  };
}

export async function writeJob(store: ObjectStore, key: SigningKey, payload: BenchJob): Promise<void> {
  await store.put(storeKeys.job(payload.cluster, payload.seq), sealEnvelope(PAYLOAD_TYPES.job, payload, key));
}

/** Reads results for one cluster, verified with the agent key from its registration. */
export class ResultReader {
  private agentKey: { keyid: string; key: KeyObject } | undefined;
  /** Results read while still being written (s3rver serves a PUT's file before it is complete; real S3 never does). */
  tornReads = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly cluster: string,
  ) {}

  /** The agent key id from the cluster's registration, once the agent has registered. */
  async registered(): Promise<string | null> {
    if (this.agentKey) return this.agentKey.keyid;
    const obj = await this.store.get(storeKeys.registration(this.cluster), 1 << 20);
    if (!obj) return null;
    const envelope = JSON.parse(obj.body.toString('utf8')) as { payload: string };
    const reg = RegistrationSchema.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')));
    this.agentKey = { keyid: reg.keyid, key: publicKeyFromBase64(reg.publicKey) };
    return reg.keyid;
  }

  async result(seq: number): Promise<JobResult | null> {
    if (!(await this.registered())) return null;
    const obj = await this.store.get(storeKeys.result(this.cluster, seq), JOB_LIMITS.maxResultBytes);
    if (!obj) return null;
    const agent = this.agentKey;
    let opened;
    try {
      opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.result, maxBytes: JOB_LIMITS.maxResultBytes, keyFor: (id) => (id === agent?.keyid ? agent.key : undefined) });
    } catch (e) {
      // Read it again next round; a result that never opens ends in the caller's timeout.
      if (e instanceof EnvelopeRejected && e.reason === 'malformed_json') {
        this.tornReads += 1;
        return null;
      }
      throw e;
    }
    return JobResultSchema.parse(opened.payload);
  }

  /** Waits for every listed seq's result, checking each seq once per round so a long run stays cheap. */
  async all(seqs: number[], timeoutMs: number): Promise<Map<number, JobResult>> {
    const found = new Map<number, JobResult>();
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    const sorted = [...seqs].sort((a, b) => a - b);
    while (next < sorted.length) {
      const seq = sorted[next] as number;
      const r = await this.result(seq);
      if (r) {
        found.set(seq, r);
        next += 1;
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for results: ${found.size}/${seqs.length} arrived, seq ${seq} missing`);
      await new Promise((res) => setTimeout(res, 100));
    }
    return found;
  }
}
