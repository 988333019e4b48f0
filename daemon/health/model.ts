// The health model of DESIGN.md §3.5, as pure functions. The rules are documented in docs/HEALTH.md;
// keep the two in step. A report is judged on its content (assessReport) and then on its age and the
// cluster's registration (deriveHealth), so stale data is never shown as healthy.
import { ageSince, formatAge, formatLag } from '../../core/duration.js';
import { formatBytes } from '../../core/units.js';
import type { Health, RegistrationState } from '../../core/fleet.js';
import type { PipelineFigures, StatusReport } from '../../core/status.js';

export interface HealthResult {
  health: Health;
  reasons: string[];
}

/** The daemon config's logs.health.lagSeconds default: logs older than this waiting to ship are a lag. */
export const DEFAULT_LOGS_LAG_SECONDS = 60;

/** What the log rules compare a report with: the previous report's pipeline figures, and the lag threshold. */
export interface AssessOptions {
  logsLagSeconds: number;
  /** The pipeline of the report before this one, or null when the daemon holds none (first report, or after its own restart). */
  previousPipeline?: Pick<PipelineFigures, 'dropped' | 'droppedBytes' | 'lastError'> | null;
}

const DEFAULT_ASSESS: AssessOptions = { logsLagSeconds: DEFAULT_LOGS_LAG_SECONDS };
/** lastError is cut to this in a reason, so a long error does not push the others off a row. */
const REASON_ERROR_CHARS = 120;
export const CRITICAL_NAMESPACE = 'kube-system';

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** How much a since-start counter grew; a smaller value means the agent restarted, so all of it is new. */
function growth(now: number, before: number | undefined): number {
  if (before === undefined) return now;
  return now >= before ? now - before : now;
}

/** The log pipeline rules (docs/HEALTH.md): a lag past the threshold, new drops, shipping failing for a second report. */
function pipelineReasons(pipeline: StatusReport['pipeline'], opts: AssessOptions): string[] {
  const reasons: string[] = [];
  const prev = opts.previousPipeline ?? null;
  if (pipeline.oldestUnshippedSeconds > opts.logsLagSeconds) reasons.push(`logs lag ${formatLag(pipeline.oldestUnshippedSeconds)} behind`);
  const lines = growth(pipeline.dropped, prev?.dropped);
  const bytes = growth(pipeline.droppedBytes ?? 0, prev ? (prev.droppedBytes ?? 0) : undefined);
  // A file truncated or lost before it was read has bytes but no countable lines.
  if (lines > 0) reasons.push(`dropped ${lines} log ${plural(lines, 'line')} (${formatBytes(bytes)})`);
  else if (bytes > 0) reasons.push(`dropped ${formatBytes(bytes)} of log lines (lines uncounted)`);
  if (pipeline.lastError && prev?.lastError) reasons.push(`log shipping failing: ${pipeline.lastError.slice(0, REASON_ERROR_CHARS)}`);
  return reasons;
}

/**
 * Judges a report's content: critical, degraded or healthy, with reasons (critical ones first).
 * The log rules also look at the previous report's pipeline (opts), since drops and errors count
 * from the agent's start and only their change says something happened now.
 */
export function assessReport(report: StatusReport, opts: AssessOptions = DEFAULT_ASSESS): HealthResult {
  const critical: string[] = [];
  const degraded: string[] = [];

  const total = report.nodes.length;
  const notReady = report.nodes.filter((n) => !n.ready).length;
  if (total === 0) critical.push('no nodes reported');
  else if (notReady * 2 > total) critical.push(`${notReady}/${total} nodes NotReady`);
  else if (notReady > 0) degraded.push(`${notReady}/${total} nodes NotReady`);

  const down = report.workloads.filter((w) => w.namespace === CRITICAL_NAMESPACE && w.desired > 0 && w.ready === 0);
  for (const w of down.slice(0, 3)) critical.push(`${w.namespace}/${w.name} 0/${w.desired} ready`);
  if (down.length > 3) critical.push(`${down.length - 3} more ${CRITICAL_NAMESPACE} workloads down`);

  const downSet = new Set(down);
  const short = report.workloads.filter((w) => w.ready < w.desired && !downSet.has(w)).length;
  if (short > 0) degraded.push(`${short} ${plural(short, 'workload')} not fully ready`);

  const byReason = new Map<string, number>();
  for (const p of report.podProblems) byReason.set(p.reason, (byReason.get(p.reason) ?? 0) + 1);
  for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    degraded.push(`${n} ${plural(n, 'pod')} ${reason}`);
  }

  degraded.push(...pipelineReasons(report.pipeline, opts));

  if (critical.length > 0) return { health: 'critical', reasons: [...critical, ...degraded] };
  if (degraded.length > 0) return { health: 'degraded', reasons: degraded };
  return { health: 'healthy', reasons: [] };
}

export interface HealthInput {
  registration: RegistrationState;
  /** The latest accepted report, or null if none. */
  report: StatusReport | null;
  /** When the daemon accepted that report (ms since epoch), or null. */
  receivedAtMs: number | null;
  nowMs: number;
  /** The cluster's report interval; a report's own intervalSeconds wins over the configured one. */
  intervalSeconds: number;
  unreachableAfterIntervals: number;
  /** The log rules' threshold and previous report (default: the default lag, no previous report). */
  assess?: AssessOptions;
}

export interface AssessedInput extends Omit<HealthInput, 'report' | 'assess'> {
  /** assessReport's verdict on the latest report, or null if none. */
  assessment: HealthResult | null;
}

/** How long a cluster may stay silent before it is unreachable, in ms. */
export function unreachableAfterMs(intervalSeconds: number, intervals: number): number {
  return intervalSeconds * intervals * 1000;
}

/** deriveHealth for callers that keep assessReport's verdict instead of the whole report. */
export function deriveFromAssessment(input: AssessedInput): HealthResult {
  if (input.registration === 'expired') return { health: 'unknown', reasons: ['cluster TTL expired'] };
  if (input.registration === 'pending') return { health: 'unknown', reasons: ['agent not registered'] };
  if (input.assessment === null || input.receivedAtMs === null) return { health: 'unknown', reasons: ['awaiting first report'] };
  const ageMs = ageSince(input.receivedAtMs, input.nowMs);
  if (ageMs > unreachableAfterMs(input.intervalSeconds, input.unreachableAfterIntervals)) {
    return { health: 'unreachable', reasons: [`no report for ${formatAge(ageMs)}`] };
  }
  return input.assessment;
}

export function deriveHealth(input: HealthInput): HealthResult {
  const { report, assess, ...rest } = input;
  return deriveFromAssessment({
    ...rest,
    intervalSeconds: report?.intervalSeconds ?? input.intervalSeconds,
    assessment: report ? assessReport(report, assess) : null,
  });
}
