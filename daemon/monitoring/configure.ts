// Sets a cluster's monitoring settings (`flotilla cluster monitoring CLUSTER …`,
// POST /api/v1/clusters/:name/monitoring; docs/METRICS.md "Delivering the edge config:
// configure-monitoring"): the daemon keeps the settings in the registry (audited), generates the
// cluster's edge Prometheus files from them, signs them with the next version into
// clusters/<c>/config/monitoring.json, and submits the configure-monitoring job that names that
// envelope by version and hash. Changes are serialised per cluster, so two requests never sign the
// same version or overwrite each other's config between the write and the job.
import type { Identity } from '../../core/api.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobRecord } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import { configDigest, generateMonitoringConfig, MONITORING_CONFIG_MAX_BYTES, MONITORING_CONFIG_NAME, MonitoringConfigSchema } from '../../core/metrics/monitoring-config.js';
import type { MonitoringSettings } from '../../core/metrics/monitoring.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { VERSION } from '../../core/version.js';
import { actorOf } from '../auth/actor.js';
import { audited } from '../auth/audited.js';
import { requireAllowed } from '../auth/authorize.js';
import type { FleetService } from '../fleet/service.js';
import type { JobService } from '../jobs/service.js';
import type { Registry } from '../registry/registry.js';

export interface MonitoringDeps {
  store: ObjectStore;
  signingKey: SigningKey;
  registry: Registry;
  fleet: FleetService;
  jobs: JobService;
  /** Called once a cluster's settings are stored (the central file_sd follows them). */
  onChanged?: (cluster: string) => void;
  now?: () => Date;
}

export interface MonitoringRequest {
  cluster: string;
  settings: MonitoringSettings;
}

export interface MonitoringResponse {
  cluster: string;
  version: number;
  settings: MonitoringSettings;
  job: JobRecord;
}

/** The version of the monitoring config this daemon last signed for the cluster, 0 if none verifies. */
async function storedVersion(store: ObjectStore, key: SigningKey, cluster: string): Promise<number> {
  const obj = await store.get(storeKeys.config(cluster, MONITORING_CONFIG_NAME), MONITORING_CONFIG_MAX_BYTES);
  if (!obj) return 0;
  try {
    const { payload } = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.config, maxBytes: MONITORING_CONFIG_MAX_BYTES, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    const parsed = MonitoringConfigSchema.safeParse(payload);
    // Anything else there (forged, corrupt) is written over; the agent would refuse it anyway.
    return parsed.success && parsed.data.cluster === cluster ? parsed.data.version : 0;
  } catch {
    return 0;
  }
}

export class MonitoringService {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: MonitoringDeps) {}

  /** Stores the settings, signs the edge config generated from them and submits configure-monitoring. */
  configure(who: Identity, req: MonitoringRequest): Promise<MonitoringResponse> {
    const previous = this.chains.get(req.cluster) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.configureNow(who, req));
    const tail = run.catch(() => undefined);
    this.chains.set(req.cluster, tail);
    void tail.then(() => {
      if (this.chains.get(req.cluster) === tail) this.chains.delete(req.cluster);
    });
    return run;
  }

  private async configureNow(who: Identity, req: MonitoringRequest): Promise<MonitoringResponse> {
    const { deps } = this;
    const { cluster, settings } = req;
    // The job submission checks it again; checked first so a viewer changes nothing.
    requireAllowed(who, 'job.submit', { clusters: [cluster] }, (n) => deps.registry.clusters.get(n)?.labels);
    const entry = deps.fleet.state.get(cluster);
    if (!entry) throw new FlotillaError('not_found', `no cluster named "${cluster}"`, 'List clusters with `flotilla cluster list`.');
    const agentKeyId = entry.record.agentKeyid;
    if (entry.record.registration !== 'registered' || !agentKeyId) throw new FlotillaError('conflict', `cluster "${cluster}" has no registered agent yet`, `Start its agent with the bundle from \`flotilla cluster add ${cluster}\`, then set its monitoring again.`);
    const now = (deps.now ?? (() => new Date()))();
    const inStore = await storedVersion(deps.store, deps.signingKey, cluster);
    const body = audited(deps.registry, { actor: actorOf(who), action: 'cluster.monitoring', target: cluster, detail: { settings } }, () => {
      // Never below a version the registry or the store has seen: the agent refuses anything not newer.
      const version = Math.max(inStore, deps.registry.monitoring.get(cluster)?.configVersion ?? 0) + 1;
      const config = generateMonitoringConfig({ cluster, agentKeyId, version, now, settings, flotillaVersion: VERSION });
      deps.registry.monitoring.set({ cluster, settings, configVersion: version, updatedAt: now.toISOString() });
      return { result: { version, envelope: sealEnvelope(PAYLOAD_TYPES.config, config, deps.signingKey) }, detail: { version } };
    });
    deps.onChanged?.(cluster);
    await deps.store.put(storeKeys.config(cluster, MONITORING_CONFIG_NAME), body.envelope);
    const res = await deps.jobs.submit(who, { cluster, type: 'configure-monitoring', params: { version: body.version, sha256: configDigest(body.envelope) } });
    if (!('jobs' in res) || !res.jobs[0]) throw new FlotillaError('internal', 'the configure-monitoring job was not recorded', 'Try again; if it persists, read the daemon log.');
    return { cluster, version: body.version, settings, job: res.jobs[0] };
  }
}
