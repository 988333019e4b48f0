// The status report this agent's own key last left in the store, if any: what it said about its
// status seq and its finished jobs survives a lost state.json or job journal. Anything else at that
// key (another key's report, tampering, garbage) says nothing about this agent and reads as null.
import { openEnvelope, PAYLOAD_TYPES } from '../core/dsse.js';
import type { SigningKey } from '../core/keys.js';
import { StatusReportSchema, type StatusReport } from '../core/status.js';
import { storeKeys, type ObjectStore } from '../core/store/types.js';

export const STATUS_MAX_BYTES = 4 * 1024 * 1024;

/** Store errors propagate; the caller retries. */
export async function readOwnStatus(store: ObjectStore, cluster: string, key: SigningKey): Promise<StatusReport | null> {
  const existing = await store.get(storeKeys.status(cluster), STATUS_MAX_BYTES);
  if (!existing) return null;
  try {
    const opened = openEnvelope(existing.body, { payloadType: PAYLOAD_TYPES.status, maxBytes: STATUS_MAX_BYTES, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    const report = StatusReportSchema.parse(opened.payload);
    return report.cluster === cluster ? report : null;
  } catch {
    return null;
  }
}
