// A FakeAgent that also takes jobs: it reads clusters/<c>/jobs/, verifies each envelope against the
// control-plane key (signature, cluster, its own agent key, seq = file name, schema), opens sealed secrets with its
// X25519 key, and writes signed results. Enough of an agent to drive the daemon's job pipeline;
// the real runner (agent/jobs/) has its own tests.
import type { KeyObject } from 'node:crypto';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { JOB_LIMITS, JOB_PARAMS, JobPayloadSchema, SealedSchema, type JobPayload, type JobResult } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import { open, sealContext } from '../../core/secrets.js';
import { seqFromKey, storeKeys, type ObjectStore } from '../../core/store/types.js';
import type { AgentConfig } from '../../config/schemas.js';
import { FakeAgent } from './fake-agent.js';

export interface ReadJob {
  key: string;
  seq: number;
  payload: JobPayload;
  /** For rotate-credentials: the opened secret data. */
  secret?: Record<string, string>;
}

export class FakeJobAgent extends FakeAgent {
  constructor(
    bundle: AgentConfig,
    store: ObjectStore,
    private readonly controlPlane: { keyid: string; key: KeyObject },
    key?: SigningKey,
  ) {
    super(bundle, store, key);
  }

  /** Every job envelope in the store for this cluster, verified; throws on the first that does not verify. */
  async jobs(): Promise<ReadJob[]> {
    const entries = await this.store.list(storeKeys.jobsPrefix(this.cluster));
    const out: ReadJob[] = [];
    for (const e of entries.sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const obj = await this.store.get(e.key, JOB_LIMITS.maxEnvelopeBytes);
      if (!obj) continue;
      const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.job, maxBytes: JOB_LIMITS.maxEnvelopeBytes, keyFor: (id) => (id === this.controlPlane.keyid ? this.controlPlane.key : undefined) });
      const payload = JobPayloadSchema.parse(opened.payload);
      const seq = seqFromKey(e.key);
      if (payload.cluster !== this.cluster || payload.seq !== seq) throw new Error(`${e.key}: job for ${payload.cluster}#${payload.seq}`);
      if (payload.agentKeyId !== this.key.keyid) throw new Error(`${e.key}: job for agent key ${payload.agentKeyId}, this agent is ${this.key.keyid}`);
      if (payload.type !== 'cancel' && payload.type in JOB_PARAMS) JOB_PARAMS[payload.type as keyof typeof JOB_PARAMS].parse(payload.params);
      const job: ReadJob = { key: e.key, seq, payload };
      if (payload.type === 'rotate-credentials') {
        const sealed = SealedSchema.parse(payload.params.sealed);
        job.secret = JSON.parse(open(sealed, this.encryption, sealContext(this.cluster, payload.id)).toString('utf8')) as Record<string, string>;
      }
      out.push(job);
    }
    return out;
  }

  resultEnvelope(result: JobResult, key: SigningKey = this.key): Buffer {
    return sealEnvelope(PAYLOAD_TYPES.result, result, key);
  }

  /** Writes a signed result for a job (succeeded unless told otherwise). */
  async finish(job: { seq: number; payload: JobPayload }, over: Partial<JobResult> = {}): Promise<JobResult> {
    const now = new Date().toISOString();
    const result: JobResult = { cluster: this.cluster, seq: job.seq, id: job.payload.id, state: 'succeeded', startedAt: now, finishedAt: now, detail: `${job.payload.type} done`, ...over };
    await this.store.put(storeKeys.result(this.cluster, job.seq), this.resultEnvelope(result));
    return result;
  }
}
