// Every interval: collect from the backend, build and check a StatusReport, seal it with the agent key
// and put it in the store. Before the first report it makes sure the registration is published and
// that seq continues past the last report this key left in the store. A failing store is logged,
// counted and retried with jittered backoff (never longer than the interval); nothing here throws
// out of the loop, so the agent outlives any outage.
import type { Logger } from '../core/log.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../core/dsse.js';
import { isFlotillaError } from '../core/errors.js';
import type { SigningKey } from '../core/keys.js';
import type { Registration } from '../core/registration.js';
import type { AgentRejection, EdgeFigures, StatusReport } from '../core/status.js';
import { storeOp, StoreFailure } from '../core/store/failure.js';
import { storeKeys, type ObjectStore } from '../core/store/types.js';
import { readOwnStatus } from './own-status.js';
import type { ClusterBackend } from './backend.js';
import { jitteredBackoffMs } from '../core/backoff.js';
import type { AgentMetrics } from './metrics.js';
import { publishRegistration } from './registration.js';
import { buildStatusReport, validateStatusReport } from './report.js';
import type { AgentStateFile } from './state.js';
import { offFigures, withEdge } from './logs/figures.js';


export interface ReporterDeps {
  cluster: string;
  intervalSeconds: number;
  agentVersion: string;
  store: ObjectStore;
  backend: ClusterBackend;
  key: SigningKey;
  registration: Registration;
  state: Pick<AgentStateFile, 'current' | 'save'>;
  metrics: AgentMetrics;
  logger: Logger;
  /** The job runner, when one runs: its refusals and progress ride along in each report. */
  /** The log pipeline, when logs ship: its figures ride along in each report (transport 'off' without one). */
  pipeline?: { figures(): StatusReport['pipeline'] };
  jobs?: { pendingRejections(): AgentRejection[]; rejectionsReported(sent: readonly AgentRejection[]): void; lastJobSeq(): number; runningJobSeq?(): number | undefined };
  /** The logging config applier: the version in force rides along in each report. */
  logging?: { appliedVersion(): number | null; edgeFigures?(): EdgeFigures | null };
  /** The monitoring config applier: the version the edge Prometheus runs rides along in each report. */
  monitoring?: { appliedVersion(): number | null };
  clock?: () => Date;
  random?: () => number;
}

export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private registered = false;
  private seqReconciled = false;
  private failures = 0;
  private readonly clock: () => Date;
  private readonly random: () => number;

  constructor(private readonly deps: ReporterDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  /** The first attempt runs at once; later ones follow the interval or the backoff. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Lets a write in flight finish, then stops; no timer is left behind. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = Date.now();
      this.inFlight = this.runOnce().then((ok) => {
        const intervalMs = this.deps.intervalSeconds * 1000;
        this.schedule(ok ? Math.max(0, intervalMs - (Date.now() - started)) : jitteredBackoffMs(this.failures, this.random(), { capMs: intervalMs }));
      });
    }, delayMs);
  }

  private storeOp<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return storeOp(op, fn, () => this.deps.metrics.storeErrors.inc({ op }));
  }

  /** One attempt; resolves true when a report reached the store. Never rejects. */
  async runOnce(): Promise<boolean> {
    const { deps } = this;
    try {
      if (!this.registered) await this.ensureRegistered();
      if (!this.seqReconciled) await this.reconcileSeq();
      const now = this.clock();
      const observation = await deps.backend.collect(now);
      const seq = deps.state.current.lastSeq + 1;
      const rejections = deps.jobs?.pendingRejections().slice(0, 100);
      const report = validateStatusReport(
        buildStatusReport(observation, {
          cluster: deps.cluster,
          seq,
          now,
          intervalSeconds: deps.intervalSeconds,
          agentVersion: deps.agentVersion,
          pipeline: withEdge(deps.pipeline?.figures() ?? offFigures(), deps.logging?.edgeFigures?.() ?? null),
          ...(deps.jobs ? { rejections, lastJobSeq: deps.jobs.lastJobSeq(), runningJobSeq: deps.jobs.runningJobSeq?.() } : {}),
          ...(deps.logging?.appliedVersion() ? { loggingConfigVersion: deps.logging.appliedVersion() ?? undefined } : {}),
          ...(deps.monitoring?.appliedVersion() ? { monitoringConfigVersion: deps.monitoring.appliedVersion() ?? undefined } : {}),
        }),
      );
      const body = sealEnvelope(PAYLOAD_TYPES.status, report, deps.key);
      await this.storeOp('put_status', () => deps.store.put(storeKeys.status(deps.cluster), body));
      if (rejections) deps.jobs?.rejectionsReported(rejections);
      deps.metrics.reportsWritten.inc();
      deps.metrics.lastReportTimestamp.set(now.getTime() / 1000);
      deps.metrics.statusSeq.set(seq);
      if (this.failures > 0) deps.logger.info({ failures: this.failures, seq }, 'status reports flowing again');
      this.failures = 0;
      await this.persistSeq(seq);
      return true;
    } catch (e) {
      this.failures += 1;
      deps.metrics.reportFailures.inc();
      this.logFailure(e);
      return false;
    }
  }

  private async ensureRegistered(): Promise<void> {
    const { deps } = this;
    const outcome = await this.storeOp('registration', () => publishRegistration(deps.store, deps.registration, deps.key, deps.logger));
    if (outcome.action === 'kept' && outcome.registeredAt !== deps.state.current.registeredAt) {
      // Our key's registration is already there (state.json was lost): keep its time so re-publishing stays byte-identical.
      deps.registration.registeredAt = outcome.registeredAt;
      await deps.state.save({ registeredAt: outcome.registeredAt });
    }
    this.registered = true;
  }

  /** If state.json lagged behind the store (crash after a write, or state lost), continue past the store's seq. */
  private async reconcileSeq(): Promise<void> {
    const { deps } = this;
    const stored = await this.storeOp('get_status', () => readOwnStatus(deps.store, deps.cluster, deps.key));
    this.seqReconciled = true;
    if (stored && stored.seq > deps.state.current.lastSeq) {
      deps.logger.warn({ stateSeq: deps.state.current.lastSeq, storeSeq: stored.seq }, 'continuing status seq from the store');
      await this.persistSeq(stored.seq);
    }
  }

  private async persistSeq(seq: number): Promise<void> {
    try {
      await this.deps.state.save({ lastSeq: seq });
    } catch (e) {
      // The in-memory seq has moved on, so the sequence stays monotonic while this process lives.
      this.deps.logger.error({ err: e }, 'cannot save agent state; the next start may repeat a seq the daemon will ignore');
    }
  }

  private logFailure(e: unknown): void {
    const { logger } = this.deps;
    if (e instanceof StoreFailure) {
      logger.warn({ ...e.logFields, failures: this.failures }, 'store unavailable; retrying');
      return;
    }
    logger.error({ failures: this.failures, err: e instanceof Error ? e.message : String(e), next: isFlotillaError(e) ? e.next : undefined }, 'status report failed');
  }
}
