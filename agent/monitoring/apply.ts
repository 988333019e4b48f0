// Applies a cluster's `monitoring` config on the agent (docs/METRICS.md "Delivering the edge config:
// configure-monitoring"): a configure-monitoring job names clusters/<c>/config/monitoring.json by
// version and hash; the agent reads it, verifies it (the hash, the control plane's signature, this
// cluster and registration, a version newer than the one applied: core/metrics/monitoring-config.ts),
// writes the files it carries atomically into the edge Prometheus's config directory
// (agent config monitoring.configDir) and asks the edge Prometheus to reload (monitoring.reloadUrl,
// its /-/reload). The job succeeds only when the reload answers 200; otherwise the files written are
// put back as they were, so the directory keeps the config the edge Prometheus is running, and the job
// fails with Prometheus's own answer. The applied envelope is kept in the data dir, so the version in
// force survives a restart (the status report carries it) and an older config is never applied.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobParams } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import { configDigest, MONITORING_CONFIG_MAX_BYTES, MONITORING_CONFIG_NAME, openMonitoringConfig, verifyMonitoringConfig, type MonitoringConfig } from '../../core/metrics/monitoring-config.js';
import { PROMETHEUS_FILES } from '../../core/metrics/prometheus-config.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import type { ActionOutcome } from '../actions.js';

export const APPLIED_MONITORING_FILE = 'monitoring-config.json';
/** How long a reload may take before the job fails; a large config on a busy edge takes seconds. */
export const RELOAD_TIMEOUT_MS = 30_000;

export interface EdgePrometheus {
  /** Where the edge Prometheus reads prometheus.yml (and the rules file next to it). */
  configDir: string;
  /** Its POST /-/reload (Prometheus started with --web.enable-lifecycle). */
  reloadUrl: string;
}

export interface MonitoringApplierDeps {
  cluster: string;
  key: SigningKey;
  controlPlane: { keyid: string; publicKey: KeyObject };
  dataDir: string;
  /** The agent config's monitoring section; absent: every configure-monitoring job fails, saying what to add. */
  edge?: EdgePrometheus;
  logger: Logger;
  reloadTimeoutMs?: number;
}

interface Applied {
  config: MonitoringConfig;
  digest: string;
}

const NO_EDGE_NEXT =
  'Add `monitoring: {configDir: <the edge Prometheus config directory>, reloadUrl: http://127.0.0.1:9090/-/reload}` to the agent config (the edge Prometheus started with --web.enable-lifecycle), restart the agent, and run `flotilla cluster monitoring` again.';

/** Written before prometheus.yml, so the config never names a rules file that is not there yet. */
const WRITE_ORDER: readonly string[] = [PROMETHEUS_FILES.rules, PROMETHEUS_FILES.flags, PROMETHEUS_FILES.config];

export class MonitoringApplier {
  private applied: Applied | null = null;
  /** Serialises applies, so two jobs never interleave their writes and reloads. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly deps: MonitoringApplierDeps) {}

  /** Loads the last applied config from the data dir; the edge Prometheus keeps its files itself, so nothing is written at start. */
  static open(deps: MonitoringApplierDeps): MonitoringApplier {
    const a = new MonitoringApplier(deps);
    a.restore();
    return a;
  }

  /** The version of the config in force, for the status report; null until one has been applied. */
  appliedVersion(): number | null {
    return this.applied?.config.version ?? null;
  }

  private get path(): string {
    return join(this.deps.dataDir, APPLIED_MONITORING_FILE);
  }

  private ctx() {
    return { cluster: this.deps.cluster, agentKeyId: this.deps.key.keyid, controlPlane: this.deps.controlPlane };
  }

  private restore(): void {
    let raw: Buffer;
    try {
      raw = readFileSync(this.path);
    } catch {
      return;
    }
    try {
      this.applied = { config: openMonitoringConfig(raw, this.ctx()), digest: configDigest(raw) };
    } catch (e) {
      // An earlier registration's config (wrong_agent) or a damaged file: the next job applies afresh.
      this.deps.logger.warn({ path: this.path, err: (e as Error).message }, 'the saved monitoring config does not verify; no monitoring config counts as applied until a configure-monitoring job comes');
    }
  }

  /** Runs a configure-monitoring job, reading the config from `store`; throws (the job fails with the message) when it cannot be applied. */
  applyJob(params: JobParams<'configure-monitoring'>, store: ObjectStore): Promise<ActionOutcome> {
    const run = this.chain.then(() => this.applyJobNow(params, store));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyJobNow(params: JobParams<'configure-monitoring'>, store: ObjectStore): Promise<ActionOutcome> {
    const edge = this.deps.edge;
    if (!edge) throw new FlotillaError('config', 'this agent has no edge Prometheus to configure (no `monitoring` section in its config)', NO_EDGE_NEXT);
    const key = storeKeys.config(this.deps.cluster, MONITORING_CONFIG_NAME);
    const obj = await store.get(key, MONITORING_CONFIG_MAX_BYTES);
    if (!obj) throw new FlotillaError('not_found', `no monitoring config at ${key}`, 'Write the config again with `flotilla cluster monitoring`.');
    const { config, digest } = verifyMonitoringConfig(obj.body, params, this.ctx(), this.applied ? { version: this.applied.config.version, digest: this.applied.digest } : null);

    const files = [...config.files].sort((a, b) => WRITE_ORDER.indexOf(a.name) - WRITE_ORDER.indexOf(b.name));
    const before = new Map<string, string | null>();
    for (const f of files) before.set(f.name, await readOrNull(join(edge.configDir, f.name)));
    const flagsChanged = files.some((f) => f.name === PROMETHEUS_FILES.flags && before.get(f.name) !== f.content);
    try {
      for (const f of files) await writeInto(edge.configDir, f.name, f.content);
      await this.reload(edge);
    } catch (e) {
      await this.putBack(edge, before);
      throw e;
    }
    await writeFileAtomic(this.path, obj.body);
    this.applied = { config, digest };
    const names = files.map((f) => f.name);
    this.deps.logger.info({ version: config.version, mode: config.settings.mode, files: names, flagsChanged }, 'monitoring config applied; the edge Prometheus reloaded');
    const restart = flagsChanged ? `; ${PROMETHEUS_FILES.flags} changed: its flags (retention, listen address, agent mode) take effect when the edge Prometheus restarts` : '';
    return {
      detail: `monitoring config version ${config.version} applied: ${names.join(', ')} written to ${edge.configDir} and the edge Prometheus reloaded (${config.settings.mode}, scrape every ${config.settings.scrapeInterval})${restart}`,
      output: { version: config.version, mode: config.settings.mode, files: names, restartNeeded: flagsChanged },
    };
  }

  /** POST /-/reload: Prometheus answers 200 once the new config is in force, 500 with the reason when it refuses it (and keeps the old one). */
  private async reload(edge: EdgePrometheus): Promise<void> {
    let res: Response;
    try {
      res = await fetch(edge.reloadUrl, { method: 'POST', signal: AbortSignal.timeout(this.deps.reloadTimeoutMs ?? RELOAD_TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${(this.deps.reloadTimeoutMs ?? RELOAD_TIMEOUT_MS) / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new FlotillaError('unavailable', `the edge Prometheus did not answer its reload at ${edge.reloadUrl} (${why}); its config files were put back as they were`, 'Check that the edge Prometheus runs and that monitoring.reloadUrl in the agent config is its /-/reload, then run `flotilla cluster monitoring` again.', { cause: e });
    }
    if (res.status === 200) {
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    const text = (await res.text().catch(() => '')).trim().replace(/\s+/g, ' ').slice(0, 1000);
    if (res.status === 403) {
      throw new FlotillaError('config', `the edge Prometheus at ${edge.reloadUrl} refused the reload (403: ${text || 'forbidden'}); its config files were put back as they were`, 'Start the edge Prometheus with --web.enable-lifecycle, then run `flotilla cluster monitoring` again.');
    }
    throw new FlotillaError('config', `the edge Prometheus refused the new config (HTTP ${res.status} from ${edge.reloadUrl}: ${text || 'no reason given'}); it keeps running its previous config, and the files were put back as they were`, 'Fix the monitoring settings the error points at (`flotilla cluster monitoring`), or the edge Prometheus (its version, its files), and set the monitoring again.');
  }

  /** Restores each file as it was before the job wrote it (or removes it if there was none). */
  private async putBack(edge: EdgePrometheus, before: Map<string, string | null>): Promise<void> {
    for (const [name, content] of before) {
      const path = join(edge.configDir, name);
      try {
        if (content === null) await unlink(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
        else await writeFileAtomic(path, content, 0o644);
      } catch (e) {
        this.deps.logger.error({ path, err: (e as Error).message }, 'cannot put an edge Prometheus config file back as it was');
      }
    }
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new FlotillaError('config', `cannot read ${path}: ${(e as Error).message}`, 'Make monitoring.configDir in the agent config a directory this user may read and write.', { cause: e });
  }
}

async function writeInto(dir: string, name: string, content: string): Promise<void> {
  try {
    // Readable by the edge Prometheus, which may run as another user.
    await writeFileAtomic(join(dir, name), content, 0o644);
  } catch (e) {
    throw new FlotillaError('config', `cannot write ${join(dir, name)}: ${(e as Error).message}`, 'Make monitoring.configDir in the agent config an existing directory this user may write (where the edge Prometheus reads its config).', { cause: e });
  }
}
