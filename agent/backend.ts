// What the agent needs from a cluster, whatever runs it: the simulated cluster (agent/sim/) or the
// Kubernetes API (agent/kube/). Reading status is one narrow method; the job executors (scale,
// restart, cordon, drain, …) are the sibling interface ClusterActions (actions.ts), and a Backend
// implements both, so the status path does not depend on the executors.
import type { ClusterEvent, NodeStatus, PodProblem, StatusReport, WorkloadStatus } from '../core/status.js';
import type { ClusterActions } from './actions.js';

export interface PodPhaseCounts {
  running: number;
  pending: number;
  succeeded: number;
  failed: number;
  unknown: number;
  total: number;
}

/** One look at a cluster. Lists are complete; the report builder caps them to the wire limits. */
export interface ClusterObservation {
  /** When the backend took the observation (ISO). */
  observedAt: string;
  kubernetesVersion: string;
  nodes: NodeStatus[];
  workloads: WorkloadStatus[];
  pods: PodPhaseCounts;
  /** Container restarts summed over the pods that exist now. */
  restarts: number;
  podProblems: PodProblem[];
  /** Warning events still considered recent, in any order. */
  warningEvents: ClusterEvent[];
  /** Summary usage ratios when the backend has better figures than its node list (e.g. Prometheus); otherwise derived from the nodes. */
  metrics?: StatusReport['metrics'];
}

export interface ClusterBackend {
  /** "sim" or "kube": shown in logs and /metrics. */
  readonly kind: string;
  collect(now: Date): Promise<ClusterObservation>;
  /**
   * The node a pod runs on, for the `node` of its log records (a CRI file's path names namespace,
   * pod and container but not the node); undefined when the backend does not know the pod.
   */
  podNode(namespace: string, pod: string): string | undefined;
  close(): Promise<void>;
}

/** What an agent runs against: status collection and every job executor. */
export type Backend = ClusterBackend & ClusterActions;
