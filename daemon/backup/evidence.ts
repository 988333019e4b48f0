// Reads one cluster's seq evidence from the store for a restore: its job envelopes, its results and
// its status report, each verified (evidence-rules.ts, and the daemon's own status rules). Objects
// that fail verification are returned as refusals and count for nothing.
import { EnvelopeRejected } from '../../core/dsse.js';
import { JOB_LIMITS } from '../../core/jobs.js';
import { keyIdOf, publicKeyFromBase64 } from '../../core/keys.js';
import { seqFromKey, storeKeys, type ObjectStore, type StoreEntry } from '../../core/store/types.js';
import type { ClusterRecord } from '../registry/cluster-record.js';
import { checkRegistration, checkStatus, REGISTRATION_MAX_BYTES } from '../sync/rules.js';
import { evidenceJob, evidenceResult, type AgentKey } from './evidence-rules.js';
import type { TrustedControlPlane } from './manifest.js';
import type { StoreEvidence } from './seq-floor.js';

const READ_WIDTH = 64;

export interface Refusal {
  key: string;
  reason: string;
  message: string;
}

export interface ClusterEvidence extends StoreEvidence {
  /** The agent key the evidence was checked against, or null when the cluster has none to trust. */
  agentKeyId: string | null;
  refused: Refusal[];
}

function refusal(key: string, e: unknown): Refusal {
  if (e instanceof EnvelopeRejected) return { key, reason: e.reason, message: e.message };
  throw e;
}

/**
 * The key to check this cluster's objects against: the pinned one, or, for a cluster still pending in
 * the snapshot, the key its registration in the store announces if that registration would be
 * accepted (the restored daemon pins the same key when it starts).
 */
async function agentKeyOf(store: ObjectStore, record: ClusterRecord, refused: Refusal[]): Promise<AgentKey | null> {
  if (record.agentKeyid && record.agentPublicKey) return { keyid: record.agentKeyid, key: publicKeyFromBase64(record.agentPublicKey) };
  if (record.registration !== 'pending') return null;
  const key = storeKeys.registration(record.name);
  const obj = await store.get(key, REGISTRATION_MAX_BYTES);
  if (!obj) return null;
  try {
    const verdict = checkRegistration(obj.body, record.name, record);
    if (verdict.kind !== 'register') return null;
    const pub = publicKeyFromBase64(verdict.registration.publicKey);
    return { keyid: keyIdOf(pub), key: pub };
  } catch (e) {
    refused.push(refusal(key, e));
    return null;
  }
}

async function readEach(store: ObjectStore, entries: StoreEntry[], maxBytes: number, each: (key: string, body: Buffer) => void): Promise<void> {
  for (let i = 0; i < entries.length; i += READ_WIDTH) {
    const batch = entries.slice(i, i + READ_WIDTH);
    const objects = await Promise.all(batch.map((e) => store.get(e.key, maxBytes)));
    batch.forEach((e, j) => {
      const obj = objects[j];
      if (obj) each(e.key, obj.body);
    });
  }
}

/**
 * The cluster's evidence at seqs from `fromSeq` on: below it the snapshot already knows every seq, so
 * only the jobs issued after the snapshot (and any still pending in it) are read and verified.
 */
export async function gatherEvidence(store: ObjectStore, record: ClusterRecord, controlPlane: TrustedControlPlane, opts: { fromSeq: number; statusMaxBytes: number }): Promise<ClusterEvidence> {
  const { statusMaxBytes } = opts;
  const wanted = (e: StoreEntry) => (seqFromKey(e.key) ?? 0) >= opts.fromSeq;
  const cluster = record.name;
  const refused: Refusal[] = [];
  const evidence: ClusterEvidence = { agentKeyId: null, envelopes: [], results: [], refused };
  const agent = await agentKeyOf(store, record, refused);
  if (!agent) return evidence;
  evidence.agentKeyId = agent.keyid;
  const envelopes: ClusterEvidence['envelopes'][number][] = [];
  const results: { seq: number; id: string }[] = [];

  const jobEntries = (await store.list(storeKeys.jobsPrefix(cluster))).filter(wanted);
  await readEach(store, jobEntries, JOB_LIMITS.maxEnvelopeBytes, (key, body) => {
    try {
      envelopes.push(evidenceJob(body, cluster, seqFromKey(key) as number, controlPlane, agent.keyid));
    } catch (e) {
      refused.push(refusal(key, e));
    }
  });
  const resultEntries = (await store.list(storeKeys.resultsPrefix(cluster))).filter(wanted);
  await readEach(store, resultEntries, JOB_LIMITS.maxResultBytes, (key, body) => {
    try {
      const r = evidenceResult(body, cluster, seqFromKey(key) as number, agent);
      results.push({ seq: r.seq, id: r.id });
    } catch (e) {
      refused.push(refusal(key, e));
    }
  });
  const statusKey = storeKeys.status(cluster);
  const status = await store.get(statusKey, statusMaxBytes);
  if (status) {
    try {
      const report = checkStatus(status.body, cluster, { record: { ...record, agentKeyid: agent.keyid }, agentKey: agent.key, lastSeq: -1, maxBytes: statusMaxBytes });
      evidence.lastJobSeq = report.lastJobSeq;
      evidence.runningJobSeq = report.runningJobSeq;
    } catch (e) {
      refused.push(refusal(statusKey, e));
    }
  }
  return { ...evidence, envelopes, results };
}
