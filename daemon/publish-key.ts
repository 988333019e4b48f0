// Publishes the control-plane public key in the store so agents (and operators) can find it.
import type { SigningKey } from '../core/keys.js';
import { publicKeyToBase64 } from '../core/keys.js';
import { storeKeys, type ObjectStore } from '../core/store/types.js';

export function controlPlaneIdentity(key: SigningKey): { keyid: string; publicKey: string } {
  return { keyid: key.keyid, publicKey: publicKeyToBase64(key.publicKey) };
}

/** Writes controlplane/public-key.json unless it already holds exactly this key. */
export async function publishControlPlaneKey(store: ObjectStore, key: SigningKey): Promise<void> {
  const body = Buffer.from(`${JSON.stringify(controlPlaneIdentity(key), null, 2)}\n`, 'utf8');
  const existing = await store.get(storeKeys.controlPlaneKey(), body.length);
  if (existing && existing.body.equals(body)) return;
  await store.put(storeKeys.controlPlaneKey(), body);
}
