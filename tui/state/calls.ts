// Calls to the daemon (job.submit, job.cancel, the logs view's logs.*, the metrics view's
// metrics.range) as reducer data: the reducer queues them, an I/O runner (tui/call-runner.ts) sends
// each once, and the answer comes back as a message for the user.
import { z } from 'zod';
import { JobRecordSchema } from '../frames.js';

/** The calls views make for their own data; their answers go back to the view, not to the message line. */
export const VIEW_CALL_METHODS = ['logs.search', 'logs.context', 'logs.histogram', 'metrics.range'] as const;
export type ViewCallMethod = (typeof VIEW_CALL_METHODS)[number];

export interface CallRequest {
  method: 'job.submit' | 'job.cancel' | ViewCallMethod;
  params: Record<string, unknown>;
  /** For a view's own call: the view whose `answer` takes the outcome, and the view's reference for it. */
  view?: string;
  ref?: string;
  /** Names the action on the message line when the answer comes back. */
  label: string;
  /** For a fleet job: how many clusters the user confirmed, to flag a fleet that changed since. */
  expectedClusters?: number;
}

export interface QueuedCall extends CallRequest {
  key: number;
}

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; next?: string | undefined } };

/** One cluster of a dry run's blast radius (daemon/jobs/blast-radius.ts), as the console accepts it. */
const AffectedSchema = z.object({
  cluster: z.string().min(1).max(253),
  affected: z.array(z.string().max(1024)).max(1000),
  warning: z.string().max(1024).optional(),
});
export type Affected = z.infer<typeof AffectedSchema>;

export const DryRunResultSchema = z.object({ dryRun: z.object({ clusters: z.array(AffectedSchema) }) });

const SubmitResultSchema = z.union([z.object({ jobs: z.array(JobRecordSchema) }), DryRunResultSchema]);

const short = (id: string): string => id.slice(0, 8);

/** One line for the message line: what the daemon did with the call, or its error and next step. */
export function outcomeMessage(call: Pick<CallRequest, 'method' | 'label' | 'expectedClusters'>, outcome: CallOutcome): { text: string; level: 'info' | 'error' } {
  if (!outcome.ok) {
    const next = outcome.error.next ? ` — ${outcome.error.next}` : '';
    return { text: `${call.label}: ${outcome.error.message}${next}`, level: 'error' };
  }
  const parsed = SubmitResultSchema.safeParse(outcome.result);
  if (call.method === 'job.cancel') {
    const job = parsed.success && 'jobs' in parsed.data ? parsed.data.jobs[0] : undefined;
    return { text: `${call.label}: cancellation submitted${job ? ` (job ${short(job.id)}, seq ${job.seq})` : ''}`, level: 'info' };
  }
  if (!parsed.success) {
    return { text: `${call.label}: the daemon's answer was not understood — check \`flotilla job list\` before submitting again`, level: 'error' };
  }
  if ('dryRun' in parsed.data) {
    const clusters = parsed.data.dryRun.clusters;
    return { text: `${call.label}: dry run — ${clusters.length} ${clusters.length === 1 ? 'cluster' : 'clusters'}, nothing submitted`, level: 'info' };
  }
  const jobs = parsed.data.jobs;
  const [first] = jobs;
  if (!first) return { text: `${call.label}: no cluster matched; nothing submitted`, level: 'info' };
  if (jobs.length === 1) return { text: `${call.label}: job ${short(first.id)} submitted (seq ${first.seq}) — J shows its progress`, level: 'info' };
  const fleet = first.fleetJobId ? ` (fleet ${short(first.fleetJobId)})` : '';
  if (call.expectedClusters !== undefined && call.expectedClusters !== jobs.length) {
    // The selector is resolved again at submission; a fleet that changed since the dry run must not pass unnoticed.
    return { text: `${call.label}: ${jobs.length} jobs submitted${fleet}, but the dry run showed ${call.expectedClusters} clusters — the fleet changed in between; J shows which`, level: 'error' };
  }
  return { text: `${call.label}: ${jobs.length} jobs submitted${fleet} — J shows their progress`, level: 'info' };
}
