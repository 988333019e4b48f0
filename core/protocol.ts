// The WebSocket protocol of DESIGN.md §3.8. Client frames are untrusted and parsed with zod; server
// frames are typed so the TUI's reducer and the daemon agree on them at compile time.
import { z } from 'zod';
import type { ClusterDetail, FleetChange } from './fleet.js';
import type { ErrorBody } from './errors.js';

export const TOPIC = /^(fleet|jobs|audit|pipeline|logs|metrics|(cluster|metrics):[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/;

export const ClientFrameSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number().int().nonnegative(), op: z.literal('subscribe'), topic: z.string().regex(TOPIC), query: z.string().max(2048).optional(), after: z.string().max(128).optional() }),
  z.object({ id: z.number().int().nonnegative(), op: z.literal('unsubscribe'), topic: z.string().regex(TOPIC) }),
  z.object({ id: z.number().int().nonnegative(), op: z.literal('call'), method: z.string().min(1).max(128), params: z.record(z.string(), z.unknown()).optional() }),
  z.object({ id: z.number().int().nonnegative(), op: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export interface FleetSnapshotFrame {
  topic: 'fleet';
  kind: 'snapshot';
  rev: number;
  data: import('./fleet.js').ClusterRow[];
}

/** fromRev is the rev the client must hold for this patch to apply; a gap means resubscribe. */
export interface FleetPatchFrame {
  topic: 'fleet';
  kind: 'patch';
  rev: number;
  fromRev: number;
  changes: FleetChange[];
}

export interface ClusterSnapshotFrame {
  topic: `cluster:${string}`;
  kind: 'snapshot';
  rev: number;
  data: ClusterDetail | null;
}

/** `jobs` topic: the newest jobs, then every change as a patch (jobs the token may see). */
export interface JobsSnapshotFrame {
  topic: 'jobs';
  kind: 'snapshot';
  rev: number;
  data: import('./jobs.js').JobRecord[];
}

export interface JobsPatchFrame {
  topic: 'jobs';
  kind: 'patch';
  rev: number;
  changes: import('./jobs.js').JobRecord[];
}

/** `audit` topic (docs/ACCESS.md): the newest records on subscribe (oldest first), then each new record; a fleet-wide admin's of everyone, anyone else's of their own actions. */
export interface AuditSnapshotFrame {
  topic: 'audit';
  kind: 'snapshot';
  rev: number;
  data: import('./api.js').AuditRecord[];
}

export interface AuditRecordsFrame {
  topic: 'audit';
  kind: 'records';
  rev: number;
  records: import('./api.js').AuditRecord[];
}

/** `pipeline` topic: the whole PipelineSnapshot on subscribe and every couple of seconds after (docs/LOGS.md, "The pipeline"). */
export interface PipelineSnapshotFrame {
  topic: 'pipeline';
  kind: 'snapshot';
  rev: number;
  data: import('./pipeline.js').PipelineSnapshot;
}

/** `metrics:<cluster>`: the last hour of its embedded series on subscribe, then each report's values. `metrics`: every cluster's values, live only (docs/METRICS.md). */
export interface MetricsSnapshotFrame {
  topic: string;
  kind: 'snapshot';
  rev: number;
  data: import('./metrics/api.js').MetricsRange | null;
}

export interface MetricsPointsFrame {
  topic: string;
  kind: 'points';
  rev: number;
  data: import('./metrics/api.js').LivePoint[];
}

export interface DroppedFrame {
  topic: string;
  kind: 'dropped';
  count: number;
}

export interface ReplyFrame {
  id: number;
  result?: unknown;
  error?: ErrorBody;
}

/** Sent once after the upgrade so the client knows who it is and what it may do. */
export interface HelloFrame {
  kind: 'hello';
  server: { version: string; now: string };
  identity: import('./api.js').Identity;
}

export type { LogsLinesFrame, LogsSnapshotFrame } from './logs/api.js';

export type ServerFrame =
  | FleetSnapshotFrame
  | FleetPatchFrame
  | ClusterSnapshotFrame
  | JobsSnapshotFrame
  | JobsPatchFrame
  | import('./logs/api.js').LogsSnapshotFrame
  | import('./logs/api.js').LogsLinesFrame
  | PipelineSnapshotFrame
  | AuditSnapshotFrame
  | AuditRecordsFrame
  | MetricsSnapshotFrame
  | MetricsPointsFrame
  | DroppedFrame
  | ReplyFrame
  | HelloFrame;

export const WS_LIMITS = {
  maxFrameBytes: 64 * 1024,
  /** A client this many bytes behind gets coalesced patches instead of every one. */
  slowClientBytes: 1024 * 1024,
  pingIntervalMs: 15_000,
  /** Bad frames tolerated before the connection is closed (1008). */
  maxBadFrames: 20,
};
