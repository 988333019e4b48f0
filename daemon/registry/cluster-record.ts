// A registered cluster as the daemon keeps it. Plain data in a module of its own, so the pure rules
// that judge what agents write (sync/rules.ts) and the row builder import it without the registry.
import type { Health, RegistrationState } from '../../core/fleet.js';

export interface ClusterRecord {
  name: string;
  labels: Record<string, string>;
  createdAt: string;
  expiresAt: string | null;
  intervalSeconds: number;
  registration: RegistrationState;
  tokenHash: string;
  tokenBurned: boolean;
  agentKeyid: string | null;
  agentPublicKey: string | null;
  registeredAt: string | null;
  health: Health;
}
