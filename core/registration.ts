// Agent registration through the store (issue: foundation §6). The agent proves it holds the one-time
// bootstrap token without writing the token into the untrusted store: it sends
// HMAC-SHA256(key = sha256(token), message = cluster \n keyid \n publicKey \n encryptionKey), which the
// daemon can check from the token hash it keeps. The envelope is signed by the new key itself (proof
// of possession). encryptionKey is the agent's X25519 key that secrets are sealed to (core/secrets.ts).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const RegistrationSchema = z.object({
  cluster: z.string().min(1).max(63),
  keyid: z.string().min(1).max(128),
  publicKey: z.string().min(1).max(512),
  encryptionKey: z.string().min(1).max(512),
  proof: z.string().regex(/^[0-9a-f]{64}$/),
  agentVersion: z.string().max(64),
  registeredAt: z.string().max(40),
});
export type Registration = z.infer<typeof RegistrationSchema>;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function registrationProof(tokenHashHex: string, cluster: string, keyid: string, publicKey: string, encryptionKey: string): string {
  return createHmac('sha256', Buffer.from(tokenHashHex, 'hex')).update(`${cluster}\n${keyid}\n${publicKey}\n${encryptionKey}`).digest('hex');
}

export function proofMatches(tokenHashHex: string, reg: Registration): boolean {
  const expected = Buffer.from(registrationProof(tokenHashHex, reg.cluster, reg.keyid, reg.publicKey, reg.encryptionKey), 'hex');
  const given = Buffer.from(reg.proof, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
