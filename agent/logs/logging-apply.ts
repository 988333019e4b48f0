// Applies a cluster's `logging` config on the agent (docs/LOGS.md "Switching a cluster's transport"):
// a configure-logging job names clusters/<c>/config/logging.json by version and hash; the agent reads
// it, verifies it (the control plane's signature, this cluster and registration, the hash, a version
// newer than the one applied), opens the sealed central password, declares the outbox topology on its
// own edge broker and sets the shovel to the center through the edge's management API, then switches
// the pipeline's shipper. The applied envelope is kept in the data dir, so after a restart the agent
// ships on the same chain at once, and declares the edge again in the background until the edge
// answers, without the store or the daemon.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentLogsConfig } from '../../config/logs-schema.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { jitteredBackoffMs } from '../../core/backoff.js';
import { applyTopology } from '../../core/brokers/apply-topology.js';
import { rabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { FlotillaError } from '../../core/errors.js';
import type { EdgeFigures } from '../../core/status.js';
import type { JobParams } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import { configDigest, edgePlan, LOGGING_CONFIG_MAX_BYTES, LOGGING_CONFIG_NAME, LoggingConfigRejected, loggingSealContext, openLoggingConfig, type LoggingConfig } from '../../core/logs/logging-config.js';
import { open, type EncryptionKey } from '../../core/secrets.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import type { ActionOutcome } from '../actions.js';
import { AmqpShipper } from './amqp-shipper.js';
import { EdgeProbe } from './edge-probe.js';
import type { Shipper } from './shipper.js';
import { SwitchingShipper } from './switching-shipper.js';

export const APPLIED_LOGGING_FILE = 'logging-config.json';

export interface EdgeBroker {
  url: string;
  managementUrl: string;
  vhost: string;
  username: string;
  password: string;
  /** From logs.edge.caFile: trusted for amqps:// and the https:// management API. */
  ca?: Buffer;
}

export interface LoggingApplierDeps {
  cluster: string;
  key: SigningKey;
  encryption: EncryptionKey;
  controlPlane: { keyid: string; publicKey: KeyObject };
  store: ObjectStore;
  dataDir: string;
  /** The agent config's logs.edge with its password read; absent: a rabbitmq config fails its job. */
  edge?: EdgeBroker;
  /** The embedded chain's shipper (HTTP to the daemon), made afresh on each switch back. */
  daemonShipper: () => Shipper;
  logger: Logger;
  retry?: { initialMs: number; maxMs: number };
  random?: () => number;
  /** How often the edge's outbox and shovel are read for the status report (the status interval); default 10 s. */
  edgeSampleMs?: number;
}

interface Applied {
  config: LoggingConfig;
  digest: string;
}

/** The edge user's password from logs.edge.passwordFile (one line; a trailing newline is not part of it). */
export function readEdgeBroker(edge: NonNullable<AgentLogsConfig['edge']>): EdgeBroker {
  let password: string;
  try {
    password = readFileSync(edge.passwordFile, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new FlotillaError('config', `cannot read logs.edge.passwordFile ${edge.passwordFile}: ${(e as Error).message}`, 'Point logs.edge.passwordFile at a file holding the edge broker user\'s password.', { cause: e });
  }
  let ca: Buffer | undefined;
  if (edge.caFile !== undefined) {
    try {
      ca = readFileSync(edge.caFile);
    } catch (e) {
      throw new FlotillaError('config', `cannot read logs.edge.caFile ${edge.caFile}: ${(e as Error).message}`, 'Point logs.edge.caFile at the PEM CA bundle that signed the edge broker\'s certificates, or remove it.', { cause: e });
    }
  }
  return { url: edge.url, managementUrl: edge.managementUrl, vhost: edge.vhost, username: edge.username, password, ...(ca ? { ca } : {}) };
}

function edgeManagement(edge: EdgeBroker) {
  return rabbitManagement({ url: edge.managementUrl, username: edge.username, password: edge.password, ...(edge.ca ? { ca: edge.ca } : {}) });
}

function edgeAmqpUrl(edge: EdgeBroker): string {
  const u = new URL(edge.url);
  u.username = encodeURIComponent(edge.username);
  u.password = encodeURIComponent(edge.password);
  u.pathname = `/${encodeURIComponent(edge.vhost)}`;
  return u.toString();
}

export class LoggingApplier {
  readonly shipper: SwitchingShipper;
  private applied: Applied | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private probe: EdgeProbe | null = null;
  /** Serialises applies: a job and the restart's background re-declare never interleave. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly deps: LoggingApplierDeps) {
    this.shipper = new SwitchingShipper(deps.daemonShipper());
  }

  /** Loads the last applied config from the data dir; a rabbitmq one switches the shipper at once and declares the edge in the background. */
  static open(deps: LoggingApplierDeps): LoggingApplier {
    const a = new LoggingApplier(deps);
    a.restore();
    return a;
  }

  /** The version of the config in force, for the status report; null until one has been applied. */
  appliedVersion(): number | null {
    return this.applied?.config.version ?? null;
  }

  /** The edge's outbox and shovel as last read, for the status report; null on the embedded chain. */
  edgeFigures(): EdgeFigures | null {
    return this.probe?.figures() ?? null;
  }

  /**
   * Reads the edge from now on. A switch back to the daemon keeps the probe: the shovel stays and the
   * outbox still drains to the center, which the pipeline view should show until it is empty.
   */
  private watchEdge(rabbitmq: NonNullable<LoggingConfig['rabbitmq']>, edge: EdgeBroker): void {
    this.probe?.stop();
    this.probe = new EdgeProbe({
      management: edgeManagement(edge),
      vhost: edge.vhost,
      outbox: rabbitmq.edge.outbox,
      shovelName: rabbitmq.shovel.name,
      outboxMaxBytes: rabbitmq.edge.outboxMaxBytes,
      intervalMs: this.deps.edgeSampleMs ?? 10_000,
      logger: this.deps.logger,
      onStuck: (state, forMs) => this.resetShovel(state, forMs),
    });
    if (!this.stopped) this.probe.start();
  }

  /** Sets the applied config's shovel again (the same definition), which restarts a stuck one. */
  private resetShovel(state: string, forMs: number): void {
    const config = this.applied?.config;
    const edge = this.deps.edge;
    if (this.stopped || !config?.rabbitmq || !edge) return;
    this.deps.logger.warn({ state, forSeconds: Math.round(forMs / 1000) }, 'the shovel to the center has not been running for a while though the edge answers; setting it again');
    this.chain = this.chain
      .then(() => this.declareEdge(config, edge))
      .catch((e: unknown) => this.deps.logger.warn({ err: (e as Error).message }, 'cannot set the shovel again; tried again if it stays so'));
  }

  private get path(): string {
    return join(this.deps.dataDir, APPLIED_LOGGING_FILE);
  }

  private restore(): void {
    let raw: Buffer;
    try {
      raw = readFileSync(this.path);
    } catch {
      return;
    }
    let config: LoggingConfig;
    try {
      config = openLoggingConfig(raw, this.ctx());
    } catch (e) {
      this.deps.logger.warn({ path: this.path, err: (e as Error).message }, 'the saved logging config does not verify; shipping to the daemon until a configure-logging job comes');
      return;
    }
    this.applied = { config, digest: configDigest(raw) };
    if (config.transport === 'rabbitmq' && !this.deps.edge) this.deps.logger.warn({ version: config.version }, 'the saved logging config ships to an edge broker, but this agent config has no logs.edge; shipping to the daemon');
    if (config.transport === 'rabbitmq' && this.deps.edge) {
      void this.shipper.switchTo(this.rabbitShipper(this.deps.edge));
      if (config.rabbitmq) this.watchEdge(config.rabbitmq, this.deps.edge);
      this.deps.logger.info({ version: config.version }, 'shipping logs to the edge broker as the saved logging config says; declaring the edge');
      this.redeclare(config, 1);
    }
  }

  /** After a restart: the edge may still be starting; declare it again with backoff until it answers. */
  private redeclare(config: LoggingConfig, attempt: number): void {
    if (this.stopped) return;
    const edge = this.deps.edge;
    if (!edge) return;
    this.chain = this.chain
      .then(() => this.declareEdge(config, edge))
      .then(
        () => this.deps.logger.info({ version: config.version }, 'edge broker declared for the saved logging config'),
        (e: unknown) => {
          if (this.stopped || this.applied?.config.version !== config.version) return;
          const retry = this.deps.retry ?? { initialMs: 1000, maxMs: 30_000 };
          const delay = jitteredBackoffMs(attempt, (this.deps.random ?? Math.random)(), { capMs: retry.maxMs, baseMs: retry.initialMs });
          if (attempt === 1 || attempt % 10 === 0) this.deps.logger.warn({ err: (e as Error).message, attempt, retryInMs: delay }, 'cannot declare the edge broker for the saved logging config; retrying');
          this.retryTimer = setTimeout(() => this.redeclare(config, attempt + 1), delay);
        },
      );
  }

  private ctx() {
    return { cluster: this.deps.cluster, agentKeyId: this.deps.key.keyid, controlPlane: this.deps.controlPlane };
  }

  /** Runs a configure-logging job; throws (the job fails with the message) when the config cannot be applied. */
  applyJob(params: JobParams<'configure-logging'>): Promise<ActionOutcome> {
    const run = this.chain.then(() => this.applyJobNow(params));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyJobNow(params: JobParams<'configure-logging'>): Promise<ActionOutcome> {
    const key = storeKeys.config(this.deps.cluster, LOGGING_CONFIG_NAME);
    const obj = await this.deps.store.get(key, LOGGING_CONFIG_MAX_BYTES);
    if (!obj) throw new FlotillaError('not_found', `no logging config at ${key}`, 'Write the config again with `flotilla cluster logging`.');
    const digest = configDigest(obj.body);
    if (digest !== params.sha256) throw new LoggingConfigRejected('digest_mismatch', `the logging config at ${key} is not the one the job names (sha256 ${digest.slice(0, 12)}…, job ${params.sha256.slice(0, 12)}…)`);
    const config = openLoggingConfig(obj.body, this.ctx());
    if (config.version !== params.version) throw new LoggingConfigRejected('digest_mismatch', `the logging config is version ${config.version}, the job names ${params.version}`);
    const current = this.applied;
    // The same config again (a job resumed after a crash) is applied again: every step is idempotent.
    if (current && (config.version < current.config.version || (config.version === current.config.version && digest !== current.digest))) {
      throw new LoggingConfigRejected('stale', `logging config version ${config.version} is not newer than the applied version ${current.config.version}`);
    }
    if (config.transport === 'rabbitmq') {
      const edge = this.deps.edge;
      if (!edge) throw new FlotillaError('config', 'this agent has no edge broker (logs.edge) to ship to', 'Add logs.edge {url, managementUrl, vhost, username, passwordFile} to the agent config, restart the agent, and switch the cluster again.');
      await this.declareEdge(config, edge);
      await writeFileAtomic(this.path, obj.body);
      this.applied = { config, digest };
      await this.shipper.switchTo(this.rabbitShipper(edge));
      if (config.rabbitmq) this.watchEdge(config.rabbitmq, edge);
    } else {
      await writeFileAtomic(this.path, obj.body);
      this.applied = { config, digest };
      // The shovel stays: what the outbox still holds goes on to the center.
      if (this.shipper.transport !== 'daemon') await this.shipper.switchTo(this.deps.daemonShipper());
    }
    this.deps.logger.info({ version: config.version, transport: config.transport }, 'logging config applied');
    return { detail: `logging config version ${config.version} applied: shipping to ${config.transport === 'rabbitmq' ? 'the edge broker' : 'the daemon'}`, output: { version: config.version, transport: config.transport } };
  }

  private async declareEdge(config: LoggingConfig, edge: EdgeBroker): Promise<void> {
    const r = config.rabbitmq;
    if (!r) return;
    let password: string;
    try {
      password = open(r.central.password, this.deps.encryption, loggingSealContext(config.cluster, config.version)).toString('utf8');
    } catch (e) {
      throw new FlotillaError('rejected', 'the sealed central password does not open with this agent\'s key for this config', 'Switch the cluster again with `flotilla cluster logging`; the daemon seals a fresh password to the registered key.', { cause: e });
    }
    const plan = edgePlan(r, config.cluster, edge.vhost, password);
    const m = edgeManagement(edge);
    await applyTopology(m, edge.vhost, plan.topology);
    await m.putShovel(plan.shovel.vhost, plan.shovel.name, plan.shovel.value);
  }

  private rabbitShipper(edge: EdgeBroker): AmqpShipper {
    return new AmqpShipper({ url: edgeAmqpUrl(edge), ...(edge.ca ? { ca: edge.ca } : {}), key: this.deps.key, cluster: this.deps.cluster, logger: this.deps.logger.child({ part: 'amqp' }), ...(this.deps.retry ? { reconnect: this.deps.retry } : {}) });
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.probe?.stop();
  }
}
