// What the daemon accepts from the central ingest queue, decided without I/O: exactly the HTTP
// ingest's checks (ingest-rules.ts: size, envelope, pinned key, signature, schema, cluster), and
// then that the user_id the shovel stamped names the batch's cluster. The center refuses a user_id
// other than the publishing connection's user, so this ties each batch to the credentials of the
// cluster whose edge sent it: a cluster holding another cluster's signed batch cannot replay it.
import { clusterUserName } from '../../../core/brokers/topology.js';
import { checkLogBatch, IngestRefused, type AcceptedBatch, type IngestRefusalReason, type PinnedKey } from '../ingest-rules.js';

/**
 * Why a delivery (or one record of it) was dead-lettered: the HTTP ingest's reasons, wrong_user for a
 * user_id that is absent or another cluster's, and store_rejected for a record the sink refused for
 * good (an Elasticsearch item 4xx) while it stored the rest of the batch.
 */
export type DeadLetterReason = IngestRefusalReason | 'wrong_user' | 'store_rejected';

export type DeliveryVerdict = { ok: true; accepted: AcceptedBatch } | { ok: false; reason: DeadLetterReason; message: string; cluster: string | null };

export interface DeliveryInput {
  content: Buffer;
  /** The AMQP user_id property, as the shovel stamped it. */
  userId: string | undefined;
  maxBytes: number;
  keyFor(keyid: string): PinnedKey | undefined;
}

export function checkDelivery(input: DeliveryInput): DeliveryVerdict {
  let accepted: AcceptedBatch;
  try {
    accepted = checkLogBatch({ body: input.content, maxBytes: input.maxBytes, keyFor: (keyid) => input.keyFor(keyid) });
  } catch (e) {
    if (e instanceof IngestRefused) return { ok: false, reason: e.reason, message: e.message, cluster: e.cluster };
    throw e;
  }
  const expected = clusterUserName(accepted.cluster);
  if (input.userId !== expected) {
    const got = input.userId === undefined ? 'no user_id' : `user_id "${input.userId.slice(0, 80)}"`;
    return { ok: false, reason: 'wrong_user', message: `batch of cluster "${accepted.cluster}" arrived with ${got}, not "${expected}"`, cluster: accepted.cluster };
  }
  return { ok: true, accepted };
}
