// Starts an edge agent: key and state in its data dir, registration and status reports in the store,
// optional /metrics. Returns once everything is running; the first report follows at once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config/schemas.js';
import { flotillaPaths } from '../config/paths.js';
import { FlotillaError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { countedStore } from '../core/store/counted.js';
import { openStore } from '../core/store/open.js';
import { VERSION } from '../core/version.js';
import type { ClusterActions } from './actions.js';
import { openBackend } from './backends.js';
import { bundleControlPlane, openJobRunner } from './jobs/start.js';
import type { LoggingApplier } from './logs/logging-apply.js';
import { MonitoringApplier } from './monitoring/apply.js';
import type { JobRunner } from './jobs/runner.js';
import { loadOrCreateAgentKey } from './identity.js';
import { openLogInputs } from './logs/inputs.js';
import type { LogPipeline } from './logs/pipeline.js';
import { openLoggingApplier, startLogShipping } from './logs/start.js';
import { createAgentMetrics, serveMetrics, type MetricsServer } from './metrics.js';
import { buildRegistration } from './registration.js';
import { bundleFingerprint, planIdentity, retireBundle } from './registration-scope.js';
import { StatusReporter } from './reporter.js';
import { SimBackend } from './sim/backend.js';
import { AgentStateFile, agentStatePath, readAgentState } from './state.js';

export interface AgentHandle {
  cluster: string;
  stop(): Promise<void>;
}

export function agentDataDir(config: AgentConfig, override?: string): string {
  return override ?? config.agent.dataDir ?? join(flotillaPaths().dataDir, 'agent', config.cluster);
}

function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new FlotillaError('config', `cannot create the agent data dir ${dataDir}: ${(e as Error).message}`, 'Set agent.dataDir (or FLOTILLA_AGENT_DATA) to a directory this user can write.', { cause: e });
  }
}

export async function startAgent(config: AgentConfig, opts: { logger?: Logger; dataDir?: string; actions?: ClusterActions } = {}): Promise<AgentHandle> {
  const dataDir = agentDataDir(config, opts.dataDir);
  prepareDataDir(dataDir);
  const logger = (opts.logger ?? createLogger({ name: 'flotilla-agent', level: config.log.level, file: config.log.file ?? join(dataDir, 'agent.log') })).child({ cluster: config.cluster });

  const saved = readAgentState(dataDir);
  if (saved && saved.cluster !== config.cluster) {
    throw new FlotillaError('config', `agent data dir ${dataDir} belongs to cluster "${saved.cluster}", not "${config.cluster}"`, 'Give each cluster its own agent.dataDir.');
  }
  const bundle = bundleFingerprint(config.bootstrapToken);
  const plan = planIdentity(saved, bundle);
  if (plan.kind === 'retired_bundle') {
    throw new FlotillaError(
      'config',
      `this bundle for "${config.cluster}" belongs to an earlier registration of the cluster; the agent data dir ${dataDir} has moved on to a newer registration (key ${plan.keyid})`,
      'Start the agent with the newest bundle from `flotilla cluster add`; the old bundle’s token is spent.',
    );
  }
  const identity = loadOrCreateAgentKey(dataDir, { replace: plan.kind === 'new_registration' });
  const key = identity.key;
  if (plan.kind === 'new_registration') {
    logger.warn({ previousKeyid: plan.previousKeyid, keyid: key.keyid }, 'a new bundle for this cluster (it was removed and added again): new agent keys, a new registration and a fresh job journal');
  } else if (saved && saved.keyid !== key.keyid) {
    throw new FlotillaError('config', `agent state ${agentStatePath(dataDir)} was written for key ${saved.keyid}, but ${identity.path} is ${key.keyid}`, `Restore the original ${identity.path}; or, to start over as a new agent, delete both files and add the cluster again with \`flotilla cluster add\`.`);
  }
  const now = new Date();
  const kept = plan.kind === 'same' || plan.kind === 'adopt' ? saved : null;
  // A new registration keeps counting status seqs where the old one stopped: harmless, and never a repeat.
  const state = new AgentStateFile(
    dataDir,
    kept
      ? { ...kept, bundle }
      : { version: 1, cluster: config.cluster, keyid: key.keyid, registeredAt: now.toISOString(), lastSeq: saved?.lastSeq ?? 0, bundle, ...(saved ? { retiredBundles: retireBundle(saved) } : {}) },
  );
  // Written before anything is published under the new key, so a crash before this line starts over with new keys again.
  if (plan.kind !== 'same') {
    try {
      await state.save({});
    } catch (e) {
      throw new FlotillaError('config', `cannot write agent state in ${dataDir}: ${(e as Error).message}`, 'Make the agent data dir writable by this user.', { cause: e });
    }
  }

  const backend = openBackend(config, now, dataDir, logger);
  const metrics = createAgentMetrics(config.cluster, backend.kind, VERSION);
  const store = countedStore(openStore(config.store), (op, area) => metrics.storeRequests.inc({ op, area }));
  let server: MetricsServer | undefined;
  try {
    // The sim renders its cluster's series itself; a real cluster's come from its own exporters.
    if (config.agent.metricsPort !== undefined) server = await serveMetrics(metrics.registry, config.agent.metricsPort, undefined, backend instanceof SimBackend ? backend : null);
  } catch (e) {
    await backend.close();
    throw e;
  }

  let jobs: JobRunner;
  let logging: LoggingApplier | null = null;
  let monitoring: MonitoringApplier | undefined;
  try {
    logging = openLoggingApplier(config, { key, encryption: identity.encryption, controlPlane: bundleControlPlane(config), store, dataDir, logger });
    // Always there: without a monitoring section its jobs fail saying what to add.
    monitoring = MonitoringApplier.open({ cluster: config.cluster, key, controlPlane: bundleControlPlane(config), dataDir, ...(config.monitoring ? { edge: config.monitoring } : {}), logger: logger.child({ part: 'monitoring-config' }) });
    jobs = await openJobRunner({ config, store, actions: opts.actions ?? backend, key, encryption: identity.encryption, dataDir, metrics, logger, ...(logging ? { logging } : {}), monitoring });
  } catch (e) {
    logging?.stop();
    await logging?.shipper.close();
    await backend.close();
    await server?.close();
    throw e;
  }

  let logs: LogPipeline | null;
  try {
    logs = await startLogShipping(config, { dataDir, cluster: config.cluster, backendKind: backend.kind, podNode: backend.podNode.bind(backend), logger, key, metrics, openInputs: openLogInputs, ...(logging ? { logging } : {}) });
  } catch (e) {
    logging?.stop();
    await logging?.shipper.close();
    await jobs.stop();
    await backend.close();
    await server?.close();
    throw e;
  }

  const reporter = new StatusReporter({
    cluster: config.cluster,
    intervalSeconds: config.status.intervalSeconds,
    agentVersion: VERSION,
    store,
    backend,
    key,
    registration: buildRegistration(config.cluster, config.bootstrapToken, key, identity.encryption, state.current.registeredAt, VERSION),
    state,
    metrics,
    logger,
    jobs,
    ...(logs ? { pipeline: logs } : {}),
    ...(logging ? { logging } : {}),
    ...(monitoring ? { monitoring } : {}),
  });
  reporter.start();
  jobs.start();
  logger.info(
    { keyid: key.keyid, newKey: identity.created, store: store.description, backend: backend.kind, dataDir, intervalSeconds: config.status.intervalSeconds, metricsPort: server?.port, logs: logs?.transport ?? 'off' },
    'agent started',
  );

  let stopping: Promise<void> | undefined;
  return {
    cluster: config.cluster,
    stop() {
      stopping ??= (async () => {
        await jobs.stop();
        logging?.stop();
        // Before the reporter: the last report then carries where shipping stopped.
        await logs?.stop();
        await reporter.stop();
        await backend.close();
        await server?.close();
        logger.info('agent stopped');
      })();
      return stopping;
    },
  };
}
