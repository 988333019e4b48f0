// Switches a cluster's log transport (`flotilla cluster logging CLUSTER --transport …`, docs/JOBS.md
// configure-logging): for rabbitmq the daemon creates or updates the cluster's own central user with
// a fresh random password and the permissions topology.ts gives it (publish to the ingest exchange,
// nothing else), seals the password to the agent's encryption key, signs the cluster's logging
// config with the next version into clusters/<c>/config/logging.json, and submits the
// configure-logging job that names it by version and hash. The password lives only in memory here,
// at the center, and sealed in the store.
import { randomBytes } from 'node:crypto';
import type { Identity } from '../../core/api.js';
import { applyTopology, applyUser } from '../../core/brokers/apply-topology.js';
import type { RabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { centralTopology, clusterPublisher } from '../../core/brokers/topology.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobRecord } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import { configDigest, generateLoggingConfig, LOGGING_CONFIG_MAX_BYTES, LOGGING_CONFIG_NAME, LoggingConfigSchema, loggingSealContext, type LoggingTransport } from '../../core/logs/logging-config.js';
import { encryptionKeyFromBase64, seal } from '../../core/secrets.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { requireAllowed } from '../auth/authorize.js';
import type { FleetService } from '../fleet/service.js';
import type { JobService } from '../jobs/service.js';
import type { Registry } from '../registry/registry.js';

export interface CentralBroker {
  management: RabbitManagement;
  vhost: string;
  /** What edge shovels dial (logs.rabbitmq.advertisedUrl, default its url), without credentials. */
  advertisedUrl: string;
}

export interface LoggingSwitchDeps {
  store: ObjectStore;
  signingKey: SigningKey;
  registry: Registry;
  fleet: FleetService;
  jobs: JobService;
  /** logs.rabbitmq of the daemon config; absent: only the daemon transport can be chosen. */
  central?: CentralBroker;
  now?: () => Date;
}

export interface SwitchRequest {
  cluster: string;
  transport: LoggingTransport;
  outboxMaxBytes?: number;
}

export interface SwitchResponse {
  cluster: string;
  version: number;
  transport: LoggingTransport;
  job: JobRecord;
}

/** The version of the config this daemon last signed for the cluster, 0 if none verifies. */
async function currentVersion(store: ObjectStore, key: SigningKey, cluster: string): Promise<number> {
  const obj = await store.get(storeKeys.config(cluster, LOGGING_CONFIG_NAME), LOGGING_CONFIG_MAX_BYTES);
  if (!obj) return 0;
  try {
    const { payload } = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.config, maxBytes: LOGGING_CONFIG_MAX_BYTES, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    const parsed = LoggingConfigSchema.safeParse(payload);
    // Anything else there (forged, corrupt) is written over; the agent would refuse it anyway.
    return parsed.success && parsed.data.cluster === cluster ? parsed.data.version : 0;
  } catch {
    return 0;
  }
}

export async function switchLogging(deps: LoggingSwitchDeps, who: Identity, req: SwitchRequest): Promise<SwitchResponse> {
  const { cluster, transport } = req;
  // The job submission checks it again; checked first so a viewer changes nothing at the center.
  requireAllowed(who, 'job.submit', { clusters: [cluster] }, (n) => deps.registry.clusters.get(n)?.labels);
  const entry = deps.fleet.state.get(cluster);
  if (!entry) throw new FlotillaError('not_found', `no cluster named "${cluster}"`, 'List clusters with `flotilla cluster list`.');
  const agentKeyId = entry.record.agentKeyid;
  if (entry.record.registration !== 'registered' || !agentKeyId) throw new FlotillaError('conflict', `cluster "${cluster}" has no registered agent yet`, `Start its agent with the bundle from \`flotilla cluster add ${cluster}\`, then switch again.`);
  const now = (deps.now ?? (() => new Date()))();
  const version = (await currentVersion(deps.store, deps.signingKey, cluster)) + 1;
  let config;
  if (transport === 'rabbitmq') {
    const central = deps.central;
    if (!central) throw new FlotillaError('config', 'the daemon has no central RabbitMQ broker (logs.rabbitmq in its config)', 'Add logs.rabbitmq {url, managementUrl, username, passwordFile} to the daemon config and restart it, then switch again.');
    const pinned = deps.registry.jobs.encryptionKey(cluster);
    if (!pinned || pinned.keyid !== agentKeyId) throw new FlotillaError('conflict', `cluster "${cluster}" has no pinned encryption key for its agent`, 'Upgrade and re-register the agent so it publishes an encryption key, then switch again.');
    const password = randomBytes(32).toString('base64url');
    await applyTopology(central.management, central.vhost, centralTopology());
    await applyUser(central.management, central.vhost, clusterPublisher(cluster), password);
    const sealedPassword = seal(Buffer.from(password, 'utf8'), encryptionKeyFromBase64(pinned.encryptionKey), loggingSealContext(cluster, version));
    config = generateLoggingConfig({ cluster, agentKeyId, version, now, transport, rabbitmq: { centralUrl: central.advertisedUrl, sealedPassword, ...(req.outboxMaxBytes ? { outboxMaxBytes: req.outboxMaxBytes } : {}) } });
  } else {
    config = generateLoggingConfig({ cluster, agentKeyId, version, now, transport });
  }
  const body = sealEnvelope(PAYLOAD_TYPES.config, config, deps.signingKey);
  await deps.store.put(storeKeys.config(cluster, LOGGING_CONFIG_NAME), body);
  const res = await deps.jobs.submit(who, { cluster, type: 'configure-logging', params: { version, sha256: configDigest(body) } });
  if (!('jobs' in res) || !res.jobs[0]) throw new FlotillaError('internal', 'the configure-logging job was not recorded', 'Try again; if it persists, read the daemon log.');
  return { cluster, version, transport, job: res.jobs[0] };
}
