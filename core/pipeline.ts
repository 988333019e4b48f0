// The log pipeline per cluster, as the daemon serves it (GET /api/v1/pipeline, `flotilla pipeline`;
// docs/LOGS.md, "The pipeline"): what the agent reports of its shipping, and what the center saw
// arrive, side by side, with a health of its own so a lag or a loss shows before it costs lines.
import type { Health } from './fleet.js';
import type { PipelineTransport } from './status.js';

/** The pipeline's health: the fleet's states but `unreachable` (a silent agent's figures are `unknown`). */
export type PipelineHealth = Exclude<Health, 'unreachable'>;

export interface PipelineRow {
  cluster: string;
  health: PipelineHealth;
  /** Why it is not healthy, most serious first; empty when healthy. */
  reasons: string[];
  /** How the agent ships (its last report); null before its first report. */
  transport: PipelineTransport | null;
  /** Seconds since the agent's last report arrived; null before the first. */
  reportAgeSeconds: number | null;
  /** From the agent's last report; null before the first. */
  agent: {
    /** Records read and not yet acked by the next hop. */
    queueDepth: number;
    /** Bytes of the followed sources past their checkpoints: what waits in the files. */
    bytesBehind: number;
    oldestUnshippedSeconds: number;
    linesReadPerSecond: number | null;
    linesShippedPerSecond: number | null;
    lastError: string | null;
  } | null;
  /** The edge broker on the RabbitMQ chain, from the agent's last report; null on the embedded chain or before the agent has read it. */
  edge: {
    outboxMessages: number | null;
    outboxBytes: number | null;
    /** What the cap counts: the ready messages' bytes (the shovel's unacked deliveries are not). */
    outboxReadyBytes: number | null;
    outboxMaxBytes: number;
    /** running, starting, terminated (RabbitMQ's words), or 'absent' when the edge runs no shovel. */
    shovelState: string;
    shovelReason: string | null;
    /** Seconds since the agent read the edge (now minus its sampledAt). */
    sampledAgeSeconds: number;
    error: string | null;
  } | null;
  /** Records the center stored for this cluster per second, over the last minute. */
  ingestLinesPerSecond: number;
  /** ts of the newest record the center stored for this cluster since the daemon started; null for none. */
  newestIngestedTs: string | null;
  /** Now minus newestIngestedTs, in seconds; null for none. */
  lagSeconds: number | null;
  /** Batches or records of this cluster refused (dead-lettered on the RabbitMQ chain) since the daemon started. */
  deadLetters: number;
  /** Lines the agent reported lost (rotated or deleted unread), all time, from the registry. */
  dropped: { lines: number; bytes: number };
}

export interface PipelineTotals {
  clusters: number;
  byHealth: Record<PipelineHealth, number>;
  ingestLinesPerSecond: number;
  queueDepth: number;
  bytesBehind: number;
  /** Messages and bytes waiting in every edge outbox that reported one. */
  outboxMessages: number;
  outboxBytes: number;
  deadLetters: number;
  droppedLines: number;
  /** The largest lag of any cluster; null when nothing was ingested. */
  maxLagSeconds: number | null;
}

/** GET /api/v1/pipeline: every cluster the token may see, worst health first, then by name. */
export interface PipelineSnapshot {
  at: string;
  rows: PipelineRow[];
  totals: PipelineTotals;
}
