// A light stand-in for an agent: registers through the store with a real proof and writes signed
// status reports of a chosen shape. One key per agent, made once, so it can drive 10,000 clusters.
import type { AgentConfig } from '../../config/schemas.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { generateSigningKey, publicKeyToBase64, type SigningKey } from '../../core/keys.js';
import { registrationProof, tokenHash, type Registration } from '../../core/registration.js';
import { encryptionKeyToBase64, generateEncryptionKey, type EncryptionKey } from '../../core/secrets.js';
import type { StatusReport } from '../../core/status.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';

export interface StatusShape {
  nodes?: number;
  notReady?: number;
  workloads?: number;
  /** Workloads with fewer ready replicas than desired. */
  unreadyWorkloads?: number;
  /** kube-system workloads with no ready replica at all. */
  downSystemWorkloads?: number;
  crashLoops?: number;
  dropped?: number;
  intervalSeconds?: number;
}

export function makeStatusReport(cluster: string, seq: number, shape: StatusShape = {}): StatusReport {
  const nodeCount = shape.nodes ?? 3;
  const notReady = shape.notReady ?? 0;
  const workloadCount = shape.workloads ?? 4;
  const unready = shape.unreadyWorkloads ?? 0;
  const down = shape.downSystemWorkloads ?? 0;
  const crashLoops = shape.crashLoops ?? 0;
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    name: `${cluster}-node-${i}`,
    ready: i >= notReady,
    unschedulable: false,
    ...(i < notReady ? { reason: 'KubeletNotReady' } : {}),
    capacity: { cpuMillis: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 },
    usage: { cpuMillis: 1200, memoryBytes: 6 * 2 ** 30, pods: 20 },
  }));
  const workloads = Array.from({ length: workloadCount }, (_, i) => ({
    namespace: i < down ? 'kube-system' : 'apps',
    name: `app-${i}`,
    kind: 'Deployment' as const,
    desired: 2,
    ready: i < down ? 0 : i < down + unready ? 1 : 2,
  }));
  const podProblems = Array.from({ length: crashLoops }, (_, i) => ({ namespace: 'apps', pod: `app-crash-${i}`, reason: 'CrashLoopBackOff' as const, restarts: 5, sinceSeconds: 120 }));
  const running = workloads.reduce((n, w) => n + w.ready, 0);
  return {
    cluster,
    seq,
    reportedAt: new Date().toISOString(),
    intervalSeconds: shape.intervalSeconds ?? 10,
    agentVersion: 'fake-agent',
    kubernetesVersion: 'v1.31.4',
    nodes,
    workloads,
    pods: { running, pending: 0, succeeded: 0, failed: crashLoops, unknown: 0, total: running + crashLoops },
    restarts: crashLoops * 5,
    podProblems,
    events: [],
    pipeline: { queueDepth: 0, oldestUnshippedSeconds: 0, dropped: shape.dropped ?? 0 },
    metrics: { cpuUsageRatio: 0.3, memoryUsageRatio: 0.4, podDensityRatio: 0.2 },
  };
}

export class FakeAgent {
  readonly cluster: string;
  readonly key: SigningKey;
  readonly encryption: EncryptionKey = generateEncryptionKey();
  seq = 0;

  constructor(
    readonly bundle: AgentConfig,
    readonly store: ObjectStore,
    key?: SigningKey,
  ) {
    this.cluster = bundle.cluster;
    this.key = key ?? generateSigningKey();
  }

  registration(overrides: Partial<Registration> = {}, token = this.bundle.bootstrapToken): Registration {
    const publicKey = publicKeyToBase64(this.key.publicKey);
    const encryptionKey = encryptionKeyToBase64(this.encryption.publicKey);
    return {
      cluster: this.cluster,
      keyid: this.key.keyid,
      publicKey,
      encryptionKey,
      proof: registrationProof(tokenHash(token), this.cluster, this.key.keyid, publicKey, encryptionKey),
      agentVersion: 'fake-agent',
      registeredAt: new Date().toISOString(),
      ...overrides,
    };
  }

  registrationEnvelope(overrides: Partial<Registration> = {}, token?: string): Buffer {
    return sealEnvelope(PAYLOAD_TYPES.registration, this.registration(overrides, token), this.key);
  }

  async register(overrides: Partial<Registration> = {}, token?: string): Promise<void> {
    await this.store.put(storeKeys.registration(this.cluster), this.registrationEnvelope(overrides, token));
  }

  /** Seals a report with this agent's key (or another, to forge one). */
  statusEnvelope(report: StatusReport, key: SigningKey = this.key): Buffer {
    return sealEnvelope(PAYLOAD_TYPES.status, report, key);
  }

  /** Writes the next report (seq + 1) of the given shape; returns it. */
  async report(shape: StatusShape = {}): Promise<StatusReport> {
    this.seq += 1;
    const report = makeStatusReport(this.cluster, this.seq, { intervalSeconds: this.bundle.status.intervalSeconds, ...shape });
    await this.store.put(storeKeys.status(this.cluster), this.statusEnvelope(report));
    return report;
  }

  /** Writes raw bytes as this cluster's status.json (for corrupt-file cases). */
  async writeStatusBytes(body: Buffer): Promise<void> {
    await this.store.put(storeKeys.status(this.cluster), body);
  }
}
