// Which registration an agent data dir belongs to. A bundle from `flotilla cluster add` carries a
// one-time bootstrap token, so a bundle with another token is another registration of the cluster
// name (after `cluster rm` and `cluster add`), even in the same data dir. A new registration gets new
// keys: jobs are bound to the agent key id they were issued for, so the old registration's envelopes
// (still validly signed, naming the right cluster) can never run under the new one, and the job
// journal, scoped by that key id, starts at seq 0 again.
import { createHash } from 'node:crypto';
import { RETIRED_BUNDLES_KEPT, type AgentState } from './state.js';

/** Names the bundle without revealing its token (the daemon's proof key is sha256(token); this is domain-separated from it). */
export function bundleFingerprint(bootstrapToken: string): string {
  return createHash('sha256').update(`flotilla-agent-bundle\n${bootstrapToken}`).digest('hex').slice(0, 32);
}

export type IdentityPlan =
  /** No state yet: create or load the keys and record this bundle. */
  | { kind: 'first' }
  /** The state belongs to this bundle: keep everything. */
  | { kind: 'same' }
  /** State written before bundles were recorded: it has only ever had this registration, so adopt it. */
  | { kind: 'adopt' }
  /** Another bundle's state: new keys, new registration, a fresh journal scope. */
  | { kind: 'new_registration'; previousKeyid: string }
  /** The bundle of a registration this data dir already left behind: starting on it would throw away the current keys. */
  | { kind: 'retired_bundle'; keyid: string };

export function planIdentity(saved: AgentState | null, fingerprint: string): IdentityPlan {
  if (!saved) return { kind: 'first' };
  if (saved.bundle === undefined) return { kind: 'adopt' };
  if (saved.bundle === fingerprint) return { kind: 'same' };
  if (saved.retiredBundles?.includes(fingerprint)) return { kind: 'retired_bundle', keyid: saved.keyid };
  return { kind: 'new_registration', previousKeyid: saved.keyid };
}

/** The state's list of earlier bundles once it moves on from its current one. */
export function retireBundle(saved: AgentState): string[] {
  return [...(saved.bundle ? [saved.bundle] : []), ...(saved.retiredBundles ?? [])].slice(0, RETIRED_BUNDLES_KEPT);
}
