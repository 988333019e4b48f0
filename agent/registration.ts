// Announces the agent's key in the store (clusters/<c>/registration.json). The proof shows the agent
// holds the bootstrap token without putting the token in the untrusted store; the envelope is signed
// by the announced key itself. The same key, token and registeredAt always give the same bytes, so
// publishing again is harmless to the daemon that pinned the key.
import type { Logger } from '../core/log.js';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../core/dsse.js';
import { publicKeyToBase64, type SigningKey } from '../core/keys.js';
import { encryptionKeyToBase64, type EncryptionKey } from '../core/secrets.js';
import { registrationProof, RegistrationSchema, tokenHash, type Registration } from '../core/registration.js';
import type { ObjectStore } from '../core/store/types.js';
import { storeKeys } from '../core/store/types.js';

const REGISTRATION_MAX_BYTES = 64 * 1024;

export function buildRegistration(cluster: string, bootstrapToken: string, key: SigningKey, encryption: EncryptionKey, registeredAt: string, agentVersion: string): Registration {
  const publicKey = publicKeyToBase64(key.publicKey);
  const encryptionKey = encryptionKeyToBase64(encryption.publicKey);
  return {
    cluster,
    keyid: key.keyid,
    publicKey,
    encryptionKey,
    proof: registrationProof(tokenHash(bootstrapToken), cluster, key.keyid, publicKey, encryptionKey),
    agentVersion,
    registeredAt,
  };
}

export function sealRegistration(reg: Registration, key: SigningKey): Buffer {
  return sealEnvelope(PAYLOAD_TYPES.registration, RegistrationSchema.parse(reg), key);
}

/** What is at the registration key now, as far as this agent is concerned. */
function classify(body: Buffer, mine: Registration, key: SigningKey): { ours: true; registeredAt: string } | { ours: false; why: string } {
  try {
    const opened = openEnvelope(body, { payloadType: PAYLOAD_TYPES.registration, maxBytes: REGISTRATION_MAX_BYTES, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    const parsed = RegistrationSchema.safeParse(opened.payload);
    if (!parsed.success) return { ours: false, why: 'malformed_payload' };
    const r = parsed.data;
    if (r.cluster !== mine.cluster || r.keyid !== mine.keyid || r.publicKey !== mine.publicKey || r.encryptionKey !== mine.encryptionKey || r.proof !== mine.proof) return { ours: false, why: 'different_registration' };
    return { ours: true, registeredAt: r.registeredAt };
  } catch (e) {
    if (e instanceof EnvelopeRejected) return { ours: false, why: e.reason };
    throw e;
  }
}

export type PublishOutcome = { action: 'kept'; registeredAt: string } | { action: 'written' } | { action: 'replaced'; why: string };

/**
 * Leaves our own registration in place, writes it when it is missing, and writes it over anything
 * else found there (a stale object from an earlier install, or tampering): the daemon decides which
 * key it trusts, this only makes sure ours is on offer. Store errors propagate to the caller's retry.
 */
export async function publishRegistration(store: ObjectStore, mine: Registration, key: SigningKey, logger: Logger): Promise<PublishOutcome> {
  const storeKey = storeKeys.registration(mine.cluster);
  const existing = await store.get(storeKey, REGISTRATION_MAX_BYTES);
  if (existing) {
    const found = classify(existing.body, mine, key);
    if (found.ours) return { action: 'kept', registeredAt: found.registeredAt };
    await store.put(storeKey, sealRegistration(mine, key));
    logger.warn({ key: storeKey, why: found.why }, 'replaced a registration object that was not this agent’s');
    return { action: 'replaced', why: found.why };
  }
  await store.put(storeKey, sealRegistration(mine, key));
  logger.info({ key: storeKey, keyid: key.keyid }, 'registration published');
  return { action: 'written' };
}
