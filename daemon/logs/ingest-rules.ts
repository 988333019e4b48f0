// What the daemon accepts on POST /api/v1/ingest/logs, decided without I/O: the size, the DSSE
// envelope, the key that signed it (an agent key pinned at registration, which is the whole of the
// authentication), the signature, the batch schema, and that every name in it is the signer's
// cluster. Each refusal names one reason (counted, recorded) and the HTTP status the agent acts on:
// 4xx says "this batch will never be accepted", 503 (not decided here) says "retry".
import type { KeyObject } from 'node:crypto';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES, type RejectionReason } from '../../core/dsse.js';
import { FlotillaError, type ErrorKind } from '../../core/errors.js';
import type { LogBatch } from '../../core/logs/batch.js';
import { parseLogBatch } from '../../core/logs/batch-fast.js';
import { firstIssue } from '../../core/schema-issue.js';

/** The cluster a pinned agent key belongs to. */
export interface PinnedKey {
  cluster: string;
  key: KeyObject;
}

export type IngestRefusalReason = Extract<RejectionReason, 'oversize' | 'invalid_utf8' | 'malformed_json' | 'malformed_envelope' | 'wrong_payload_type' | 'unknown_key' | 'bad_signature' | 'malformed_payload' | 'wrong_cluster'>;

const KIND: Record<IngestRefusalReason, { kind: ErrorKind; status: number; next: string }> = {
  oversize: { kind: 'usage', status: 413, next: 'Ship smaller batches (logs.batch.maxRecords and maxBytes in the agent bundle), or raise logs.ingest.maxBatchBytes in daemon.yaml.' },
  invalid_utf8: { kind: 'usage', status: 400, next: 'Send the batch as a UTF-8 DSSE envelope, as the Flotilla agent does.' },
  malformed_json: { kind: 'usage', status: 400, next: 'Send the batch as a JSON DSSE envelope, as the Flotilla agent does.' },
  malformed_envelope: { kind: 'usage', status: 400, next: 'Send a DSSE envelope {payloadType, payload, signatures[{keyid, sig}]}; see docs/API.md.' },
  wrong_payload_type: { kind: 'usage', status: 400, next: `Sign the batch with payload type ${PAYLOAD_TYPES.logBatch}.` },
  malformed_payload: { kind: 'usage', status: 400, next: 'Send a log batch as core/logs/batch.ts defines it (docs/LOGS.md, "Ingest").' },
  unknown_key: { kind: 'unauthenticated', status: 401, next: 'Sign with the key the agent registered (its data dir holds agent.key); a cluster added again needs its agent to register again.' },
  bad_signature: { kind: 'unauthenticated', status: 401, next: "Sign the batch with the agent's own registered key." },
  wrong_cluster: { kind: 'conflict', status: 409, next: "An agent ships only its own cluster's records; check the agent's bundle (cluster) and the records' cluster." },
};

/** A refused batch: the reason is recorded and counted, the status answered. */
export class IngestRefused extends FlotillaError {
  constructor(
    readonly reason: IngestRefusalReason,
    message: string,
    /** The cluster of the key that signed it, once known. */
    readonly cluster: string | null = null,
  ) {
    super(KIND[reason].kind, message, KIND[reason].next, { details: { reason } });
    this.name = 'IngestRefused';
  }

  override get httpStatus(): number {
    return KIND[this.reason].status;
  }
}

export interface IngestInput {
  body: Buffer;
  maxBytes: number;
  /** The pinned key with this key id, of a registered cluster. */
  keyFor(keyid: string): PinnedKey | undefined;
}

export interface AcceptedBatch {
  cluster: string;
  keyid: string;
  batch: LogBatch;
}

/** Opens and checks one posted batch, in the order of docs/API.md; throws IngestRefused. */
export function checkLogBatch(input: IngestInput): AcceptedBatch {
  let opened;
  try {
    opened = openEnvelope(input.body, { payloadType: PAYLOAD_TYPES.logBatch, maxBytes: input.maxBytes, keyFor: (keyid) => input.keyFor(keyid)?.key });
  } catch (e) {
    if (e instanceof EnvelopeRejected) throw new IngestRefused(asIngestReason(e.reason), e.message);
    throw e;
  }
  // the signature under this key id verified, so this is the signer's cluster
  const cluster = input.keyFor(opened.keyid)?.cluster;
  if (cluster === undefined) throw new IngestRefused('unknown_key', `signed by unknown key ${opened.keyid.slice(0, 48)}`);
  const parsed = parseLogBatch(opened.payload);
  if (!parsed.success) throw new IngestRefused('malformed_payload', `log batch is malformed: ${firstIssue(parsed.error)}`, cluster);
  const batch = parsed.data;
  if (batch.cluster !== cluster) {
    throw new IngestRefused('wrong_cluster', `batch names cluster "${batch.cluster}" but is signed by the key of "${cluster}"`, cluster);
  }
  const foreign = batch.records.findIndex((r) => r.cluster !== cluster);
  if (foreign >= 0) {
    throw new IngestRefused('wrong_cluster', `record ${foreign} names cluster "${batch.records[foreign]!.cluster}" in a batch of "${cluster}"`, cluster);
  }
  return { cluster, keyid: opened.keyid, batch };
}

function asIngestReason(reason: RejectionReason): IngestRefusalReason {
  switch (reason) {
    case 'oversize':
    case 'invalid_utf8':
    case 'malformed_json':
    case 'malformed_envelope':
    case 'wrong_payload_type':
    case 'unknown_key':
    case 'bad_signature':
    case 'malformed_payload':
    case 'wrong_cluster':
      return reason;
    default:
      // openEnvelope names none of the others; should it one day, the batch is still malformed
      return 'malformed_envelope';
  }
}
