// What the daemon accepts from the untrusted store. Each check throws EnvelopeRejected with one reason;
// callers record it. No I/O here beyond signature verification, so the rules are tested directly.
import type { KeyObject } from 'node:crypto';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../../core/dsse.js';
import { keyIdOf, publicKeyFromBase64 } from '../../core/keys.js';
import { proofMatches, RegistrationSchema, type Registration } from '../../core/registration.js';
import { firstIssue } from '../../core/schema-issue.js';
import { encryptionKeyFromBase64 } from '../../core/secrets.js';
import { StatusReportSchema, type StatusReport } from '../../core/status.js';
import type { ClusterRecord } from '../registry/cluster-record.js';

export const REGISTRATION_MAX_BYTES = 64 * 1024;

export type RegistrationVerdict = { kind: 'register'; registration: Registration } | { kind: 'duplicate' };

/** The key a registration announces, but only if its keyid is really derived from it. */
function announcedKey(raw: Buffer): { keyid: string; key: KeyObject } | undefined {
  try {
    const env = JSON.parse(raw.toString('utf8')) as { payload?: unknown };
    if (typeof env.payload !== 'string') return undefined;
    const body = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as { publicKey?: unknown };
    if (typeof body.publicKey !== 'string') return undefined;
    const key = publicKeyFromBase64(body.publicKey);
    return { keyid: keyIdOf(key), key };
  } catch {
    return undefined;
  }
}

export function checkRegistration(raw: Buffer, cluster: string, record: ClusterRecord | undefined): RegistrationVerdict {
  if (!record) throw new EnvelopeRejected('unknown_cluster', `cluster "${cluster}" is not in the registry`);
  const announced = raw.length <= REGISTRATION_MAX_BYTES ? announcedKey(raw) : undefined;
  const opened = openEnvelope(raw, {
    payloadType: PAYLOAD_TYPES.registration,
    maxBytes: REGISTRATION_MAX_BYTES,
    keyFor: (keyid) => (announced && announced.keyid === keyid ? announced.key : undefined),
  });
  const parsed = RegistrationSchema.safeParse(opened.payload);
  if (!parsed.success) throw new EnvelopeRejected('malformed_payload', firstIssue(parsed.error, '(payload)'));
  const reg = parsed.data;
  if (reg.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `registration for "${reg.cluster.slice(0, 63)}" found under cluster "${cluster}"`);
  if (reg.keyid !== opened.keyid) throw new EnvelopeRejected('malformed_payload', 'registration keyid does not name the key that signed it');
  try {
    encryptionKeyFromBase64(reg.encryptionKey);
  } catch {
    throw new EnvelopeRejected('malformed_payload', 'registration encryptionKey is not an X25519 public key');
  }
  if (record.registration === 'registered') {
    if (record.agentKeyid === reg.keyid) return { kind: 'duplicate' };
    throw new EnvelopeRejected('token_reused', `cluster "${cluster}" is already registered to another agent key`);
  }
  if (record.registration === 'expired') throw new EnvelopeRejected('bad_token', `cluster "${cluster}" has expired; its bootstrap token is void`);
  if (record.tokenBurned) throw new EnvelopeRejected('token_reused', `the bootstrap token of cluster "${cluster}" was already used`);
  if (!proofMatches(record.tokenHash, reg)) throw new EnvelopeRejected('bad_token', 'registration proof does not match the bootstrap token');
  return { kind: 'register', registration: reg };
}

export interface StatusContext {
  record: ClusterRecord | undefined;
  /** The pinned agent key, if the cluster is registered. */
  agentKey: KeyObject | undefined;
  /** seq of the latest accepted report, or -1. */
  lastSeq: number;
  maxBytes: number;
}

export function checkStatus(raw: Buffer, cluster: string, ctx: StatusContext): StatusReport {
  const { record, agentKey } = ctx;
  if (!record) throw new EnvelopeRejected('unknown_cluster', `cluster "${cluster}" is not in the registry`);
  if (!agentKey || !record.agentKeyid) throw new EnvelopeRejected('unknown_key', `cluster "${cluster}" has no registered agent key yet`);
  const pinned = record.agentKeyid;
  const opened = openEnvelope(raw, {
    payloadType: PAYLOAD_TYPES.status,
    maxBytes: ctx.maxBytes,
    keyFor: (keyid) => (keyid === pinned ? agentKey : undefined),
  });
  const parsed = StatusReportSchema.safeParse(opened.payload);
  if (!parsed.success) throw new EnvelopeRejected('malformed_payload', firstIssue(parsed.error, '(payload)'));
  const report = parsed.data;
  if (report.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `status for "${report.cluster.slice(0, 63)}" found under cluster "${cluster}"`);
  if (report.seq <= ctx.lastSeq) throw new EnvelopeRejected('stale', `seq ${report.seq} is not newer than the accepted seq ${ctx.lastSeq}`);
  return report;
}
