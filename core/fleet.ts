// What the daemon serves about clusters: REST (/api/v1/clusters), the `fleet` and `cluster:<name>`
// WebSocket topics, and `flotilla cluster list --json` all share these shapes.
import type { LogDrop } from './logs/batch.js';
import type { ClusterEvent, NodeStatus, PodProblem, StatusReport, WorkloadStatus } from './status.js';

export const HEALTH_STATES = ['healthy', 'degraded', 'critical', 'unreachable', 'unknown'] as const;
export type Health = (typeof HEALTH_STATES)[number];

/** pending: added, agent not yet registered; registered: key pinned; expired: TTL ran out. */
export type RegistrationState = 'pending' | 'registered' | 'expired';

export interface ClusterRow {
  name: string;
  labels: Record<string, string>;
  registration: RegistrationState;
  health: Health;
  reasons: string[];
  /** ISO time of the latest accepted status report, or null if none yet. */
  reportedAt: string | null;
  /** Seconds between reportedAt and the daemon's clock when this row was produced. */
  dataAgeSeconds: number | null;
  intervalSeconds: number;
  kubernetesVersion: string | null;
  agentVersion: string | null;
  nodes: { ready: number; total: number };
  pods: { running: number; total: number };
  restarts: number;
  /** ISO expiry from `cluster add --ttl`, or null. */
  expiresAt: string | null;
}

export interface HealthTransition {
  at: string;
  from: Health;
  to: Health;
  reasons: string[];
}

export interface StoreRejection {
  at: string;
  cluster: string | null;
  key: string;
  reason: string;
}

export interface ClusterDetail {
  row: ClusterRow;
  nodes: NodeStatus[];
  workloads: WorkloadStatus[];
  podProblems: PodProblem[];
  events: ClusterEvent[];
  pipeline: StatusReport['pipeline'] | null;
  metrics: StatusReport['metrics'] | null;
  transitions: HealthTransition[];
  rejections: StoreRejection[];
  /** Log lines the agent reported lost before it could ship them: totals since the cluster was added, and the newest reports. */
  logDrops: { lines: number; bytes: number; recent: LogDrop[] };
}

export type FleetChange = { op: 'upsert'; row: ClusterRow } | { op: 'remove'; name: string };
