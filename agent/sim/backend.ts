// The sim as a backend: each collect advances the model to `now` by one tick and observes it, and each
// action applies its reducer to the state between ticks. The sim is its own world, so an action that
// waits (a drain for replacement pods) lets the world move on by ticking while it waits.
import type { SimConfig } from '../../config/schemas.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobParams } from '../../core/jobs.js';
import type { ActionContext, ActionOutcome, ClusterActions, KubeObject } from '../actions.js';
import type { ClusterBackend, ClusterObservation } from '../backend.js';
import type { Logger } from '../../core/log.js';
import * as act from './actions.js';
import { CpuUsage } from './cpu-usage.js';
import { renderClusterSeries } from './exposition.js';
import { SimLogFiles } from './log-files.js';
import { logSeed } from './log-lines.js';
import { createSimState } from './model.js';
import type { SimState } from './state.js';
import { observe } from './observe.js';
import { createRng, seedFromName, type Rng } from './rng.js';
import { tick } from './tick.js';

/** Time as the sim's actions see it; tests pass a manual clock so drains need no real waiting. */
export interface SimClock {
  now(): Date;
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: SimClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface SimBackendOptions {
  clock?: SimClock;
  /** Start from this state (e.g. the executor contract fixture) instead of one built from the config. */
  state?: SimState;
  /**
   * Write the pods' container logs as CRI files under this directory (`<logDir>/pods/…`, see
   * log-files.ts) while `config.logs.enabled`. Without it the sim writes no files.
   */
  logDir?: string;
  /** Where failures to write the log files are reported. */
  logger?: Logger;
}

/** How often the log files are appended to: often enough that lines arrive as a trickle, not in lumps. */
export const LOG_WRITE_INTERVAL_MS = 200;
/** A log writing failure (disk full, permissions) is reported at most this often, with the count since. */
const LOG_FAILURE_REPORT_MS = 60_000;

/** Between eviction attempts of a drain, like kubectl's retry after a 429. */
export const DRAIN_RETRY_MS = 1000;

export class SimBackend implements ClusterBackend, ClusterActions {
  readonly kind = 'sim';
  private state: SimState;
  private readonly rng: Rng;
  private readonly clock: SimClock;
  private readonly logFiles: SimLogFiles | undefined;
  private readonly logTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger | undefined;
  private logFailuresReported = 0;
  private logFailureReportedAt = -Infinity;
  /** The containers' CPU seconds for container_cpu_usage_seconds_total, following every change of the state. */
  private readonly cpu = new CpuUsage();

  /** Without a seed the cluster name seeds the sim, so each cluster differs but replays the same. */
  constructor(config: SimConfig, cluster: string, start: Date, options: SimBackendOptions = {}) {
    const seed = config.seed ?? seedFromName(cluster);
    this.rng = createRng(seed);
    this.clock = options.clock ?? realClock;
    this.logger = options.logger;
    this.state = options.state ? structuredClone(options.state) : createSimState(config, start, this.rng);
    this.cpu.observe(this.state, Date.parse(this.state.now));
    if (options.logDir !== undefined && config.logs.enabled) {
      this.logFiles = new SimLogFiles({ root: options.logDir, seed: logSeed(seed), config: config.logs, startMs: start.getTime() });
      this.logTimer = setInterval(() => this.writeLogs(), LOG_WRITE_INTERVAL_MS);
      // The agent's own loops keep the process alive; the log writer must not hold it open on its own.
      this.logTimer.unref();
    }
  }

  /** One append round; a failure is counted and reported, never thrown into the timer. */
  private writeLogs(): void {
    const files = this.logFiles;
    if (!files) return;
    files.write(this.state, this.clock.now().getTime());
    const now = Date.now();
    if (files.failures > this.logFailuresReported && now - this.logFailureReportedAt >= LOG_FAILURE_REPORT_MS) {
      this.logger?.warn({ failures: files.failures - this.logFailuresReported, total: files.failures, err: files.lastError }, 'the simulated cluster could not write some of its container log files; check the agent data dir has room and is writable');
      this.logFailuresReported = files.failures;
      this.logFailureReportedAt = now;
    }
  }

  async collect(now: Date): Promise<ClusterObservation> {
    this.advance(now);
    return observe(this.state);
  }

  /** One tick of the world to `now`; the CPU counters take the usage that held until then. */
  private advance(now: Date): void {
    this.state = tick(this.state, now, this.rng);
    this.cpu.observe(this.state, Date.parse(this.state.now));
  }

  /**
   * The cluster's kube-state-metrics- and cAdvisor-shaped series (exposition.ts) as of `now`, for
   * /metrics/cluster. A scrape does not tick the world: it sees the state of the last tick, with the
   * CPU counters run on to `now` at the usage that state holds.
   */
  clusterMetrics(now: Date = this.clock.now()): string {
    this.cpu.observe(this.state, now.getTime());
    return renderClusterSeries(this.state, this.cpu);
  }

  podNode(namespace: string, pod: string): string | undefined {
    const found = this.state.pods.find((p) => p.namespace === namespace && p.name === pod);
    return found ? (found.node ?? '') : undefined;
  }

  async close(): Promise<void> {
    if (this.logTimer) clearInterval(this.logTimer);
  }

  /** Runs a reducer on a copy: a reducer that throws leaves the cluster untouched. */
  private change<T>(reduce: (draft: SimState) => T): T {
    const draft = structuredClone(this.state);
    const result = reduce(draft);
    this.state = draft;
    // A restart or a scale changes which containers run from now on.
    this.cpu.observe(this.state, this.clock.now().getTime());
    return result;
  }

  async scale(p: JobParams<'scale'>): Promise<ActionOutcome> {
    return this.change((d) => act.scale(d, p));
  }

  async restart(p: JobParams<'restart'>, ctx: ActionContext): Promise<ActionOutcome> {
    return this.change((d) => act.restart(d, p, ctx.jobId));
  }

  async cordon(p: JobParams<'cordon'>): Promise<ActionOutcome> {
    return this.change((d) => act.setUnschedulable(d, p.node, true));
  }

  async uncordon(p: JobParams<'uncordon'>): Promise<ActionOutcome> {
    return this.change((d) => act.setUnschedulable(d, p.node, false));
  }

  async drain(p: JobParams<'drain'>, ctx: ActionContext): Promise<ActionOutcome> {
    const deadline = this.clock.now().getTime() + p.timeoutSeconds * 1000;
    let evicted = 0;
    let refusals = 0;
    for (;;) {
      if (ctx.signal.aborted) throw interrupted(p.node, evicted, ctx.signal.reason);
      const step = this.change((d) => act.drainStep(d, p.node, this.rng));
      evicted += step.evicted.length;
      refusals += step.blocked.length;
      if (step.remaining === 0) return { detail: `node ${p.node} drained: ${evicted} pod(s) evicted`, output: { evicted, refusals } };
      if (this.clock.now().getTime() >= deadline) {
        const blocked = step.blocked.map((b) => `${b.pod} (PodDisruptionBudget ${b.budget})`).join(', ');
        throw new FlotillaError('retry', `drain of node ${p.node} timed out after ${p.timeoutSeconds}s with ${step.remaining} pod(s) left: evictions refused for ${blocked}`, `node ${p.node} stays cordoned; make room for the replacement pods (uncordon or add nodes) and drain again, or uncordon it`, { details: { evicted, refusals, remaining: step.remaining } });
      }
      try {
        await this.clock.sleep(DRAIN_RETRY_MS, ctx.signal);
      } catch (err) {
        throw interrupted(p.node, evicted, err);
      }
      this.advance(this.clock.now());
    }
  }

  async writeCredentials(p: Omit<JobParams<'rotate-credentials'>, 'sealed'>, data: Record<string, string>, ctx: ActionContext): Promise<ActionOutcome> {
    return this.change((d) => act.writeCredentials(d, p, data, ctx.fieldManager));
  }

  async exportObjects(namespaces: readonly string[]): Promise<KubeObject[]> {
    return act.exportObjects(this.state, namespaces);
  }

  async applyObjects(objects: readonly KubeObject[], ctx: ActionContext): Promise<ActionOutcome> {
    return this.change((d) => act.applyObjects(d, objects, ctx.fieldManager));
  }

  async cleanup(p: JobParams<'cleanup'>): Promise<ActionOutcome> {
    return this.change((d) => act.cleanup(d, p));
  }
}

function interrupted(node: string, evicted: number, cause: unknown): FlotillaError {
  return new FlotillaError('retry', `drain of node ${node} was interrupted after ${evicted} eviction(s)`, 'the node stays cordoned; the agent resumes the drain when it runs the job again', { cause });
}
