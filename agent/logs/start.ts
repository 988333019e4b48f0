// Starts the embedded chain for an agent config: the inputs, the HTTP shipper to `server` and the
// pipeline between them. Logs disabled, or no `server` to ship to, means no pipeline: the status
// report then says transport 'off' (the second with a warning, since the operator asked for logs).
import type { AgentConfig } from '../../config/schemas.js';
import type { Logger } from '../../core/log.js';
import type { SigningKey } from '../../core/keys.js';
import type { AgentMetrics } from '../metrics.js';
import type { KeyObject } from 'node:crypto';
import type { EncryptionKey } from '../../core/secrets.js';
import type { ObjectStore } from '../../core/store/types.js';
import { openHttpShipper } from './http-shipper.js';
import { LoggingApplier, readEdgeBroker } from './logging-apply.js';
import type { LogInput } from './input.js';
import { LogPipeline } from './pipeline.js';

export interface LogInputContext {
  dataDir: string;
  cluster: string;
  backendKind: string;
  podNode: (namespace: string, pod: string) => string | undefined;
  logger: Logger;
}

/** agent/logs/inputs.ts openLogInputs: the file and Kubernetes API inputs of the config. */
export type OpenLogInputs = (config: AgentConfig, ctx: LogInputContext) => LogInput[] | Promise<LogInput[]>;

export interface StartLogsDeps extends LogInputContext {
  key: SigningKey;
  metrics: AgentMetrics;
  openInputs: OpenLogInputs;
  /** The shipper to use (the logging applier's, which configure-logging jobs switch); default: HTTP to `server`. */
  logging?: LoggingApplier;
}

export interface LoggingSetup {
  key: SigningKey;
  encryption: EncryptionKey;
  controlPlane: { keyid: string; publicKey: KeyObject };
  store: ObjectStore;
  dataDir: string;
  logger: Logger;
}

/** The applier of configure-logging jobs, with the last applied config restored; null when the agent ships no logs. */
export function openLoggingApplier(config: AgentConfig, s: LoggingSetup): LoggingApplier | null {
  if (!config.logs.enabled || config.server === undefined) return null;
  const server = config.server;
  const edge = config.logs.edge ? readEdgeBroker(config.logs.edge) : undefined;
  // The applier builds the HTTP shipper at once: a bad `server` or CA file is a config error at start, not at a switch.
  return LoggingApplier.open({
    cluster: config.cluster,
    key: s.key,
    encryption: s.encryption,
    controlPlane: s.controlPlane,
    store: s.store,
    dataDir: s.dataDir,
    ...(edge ? { edge } : {}),
    daemonShipper: () => openHttpShipper(server, s.key, config.logs.daemonCaFile),
    logger: s.logger.child({ part: 'logging-config' }),
    retry: config.logs.retry,
    edgeSampleMs: config.status.intervalSeconds * 1000,
  });
}

export async function startLogShipping(config: AgentConfig, deps: StartLogsDeps): Promise<LogPipeline | null> {
  const { logger } = deps;
  if (!config.logs.enabled) {
    logger.info('container log collection is disabled (logs.enabled: false)');
    return null;
  }
  if (config.server === undefined) {
    logger.warn('container logs are not shipped: the agent config has no `server` (the daemon URL to ship to); set it to enable log shipping');
    return null;
  }
  // Built first: a bad `server` or CA file is a config error before any file is opened.
  const shipper = deps.logging?.shipper ?? openHttpShipper(config.server, deps.key, config.logs.daemonCaFile);
  let inputs: LogInput[];
  try {
    inputs = await deps.openInputs(config, { dataDir: deps.dataDir, cluster: deps.cluster, backendKind: deps.backendKind, podNode: deps.podNode, logger: deps.logger });
  } catch (e) {
    await shipper.close();
    throw e;
  }
  const pipeline = new LogPipeline({ cluster: config.cluster, inputs, shipper, batch: config.logs.batch, retry: config.logs.retry, logger: logger.child({ part: 'logs' }), metrics: deps.metrics.logs });
  pipeline.start();
  logger.info({ inputs: inputs.map((i) => i.name), transport: shipper.transport, ...(deps.logging?.appliedVersion() ? { loggingConfigVersion: deps.logging.appliedVersion() } : {}) }, 'shipping container logs');
  return pipeline;
}
