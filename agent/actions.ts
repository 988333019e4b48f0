// What a job may do to a cluster, whatever runs it (the simulated cluster or the Kubernetes API).
// Every method is idempotent: running it again after a crash leaves the cluster as one run would,
// which is what lets the agent's journal promise each job's effect exactly once. One executor
// contract suite (test/contract/executors.ts) runs against every implementation.
import type { JobParams } from '../core/jobs.js';

export interface ActionOutcome {
  /** One human line for the job result. */
  detail: string;
  /** Type-specific figures for the result's `output`. */
  output?: Record<string, unknown>;
}

/** A Kubernetes object as JSON (apiVersion, kind, metadata, …), the unit of backup, restore and apply. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
};

export interface ActionContext {
  /** The job id: restart stamps it so a re-run restarts nothing twice. */
  jobId: string;
  /** Aborts long actions (drain) when the agent stops; the journal resumes them on restart. */
  signal: AbortSignal;
  /** Field manager for server-side apply. */
  fieldManager: 'flotilla';
}

export interface ClusterActions {
  scale(p: JobParams<'scale'>, ctx: ActionContext): Promise<ActionOutcome>;
  /** Rollout restart: stamps `flotilla.dev/restarted-by: <jobId>` on the pod template; a second run with the same id is a no-op. */
  restart(p: JobParams<'restart'>, ctx: ActionContext): Promise<ActionOutcome>;
  cordon(p: JobParams<'cordon'>, ctx: ActionContext): Promise<ActionOutcome>;
  uncordon(p: JobParams<'uncordon'>, ctx: ActionContext): Promise<ActionOutcome>;
  /** Cordon, then evict every pod but DaemonSet and mirror pods through the eviction API, honouring PodDisruptionBudgets (a 429 is retried until timeoutSeconds). */
  drain(p: JobParams<'drain'>, ctx: ActionContext): Promise<ActionOutcome>;
  /** Replaces a Secret's data (or a ServiceAccount's token Secret) with already-decrypted values. */
  writeCredentials(p: Omit<JobParams<'rotate-credentials'>, 'sealed'>, data: Record<string, string>, ctx: ActionContext): Promise<ActionOutcome>;
  /** Every object of the namespaces (the namespace itself first), without status and server-set metadata. */
  exportObjects(namespaces: readonly string[], ctx: ActionContext): Promise<KubeObject[]>;
  /** Server-side apply of each object, namespaces first. */
  applyObjects(objects: readonly KubeObject[], ctx: ActionContext): Promise<ActionOutcome>;
  /** Deletes a namespace, the objects matching a selector, or (teardown) every namespace labelled `flotilla.dev/managed=true`. */
  cleanup(p: JobParams<'cleanup'>, ctx: ActionContext): Promise<ActionOutcome>;
}
