// The daemon's job pipeline in-process, without HTTP: a registry in a temp dir, the fleet service, a
// JobService, and agents registered the way the store sync would register them. For tests of the
// parts around JobService (result collection, retention) that need real jobs, seqs and results.
import { join } from 'node:path';
import type { AgentConfig } from '../../config/schemas.js';
import type { Identity } from '../../core/api.js';
import type { JobRecord } from '../../core/jobs.js';
import { generateSigningKey, type SigningKey } from '../../core/keys.js';
import { silentLogger } from '../../core/log.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { FleetService } from '../../daemon/fleet/service.js';
import { FleetState } from '../../daemon/fleet/state.js';
import { JobService, type JobServiceOptions } from '../../daemon/jobs/service.js';
import { DaemonMetrics } from '../../daemon/metrics.js';
import { Registry } from '../../daemon/registry/registry.js';
import { makeStatusReport } from './fake-agent.js';
import { FakeJobAgent } from './fake-job-agent.js';
import { tempDir } from './tmp.js';

export const PIPELINE_ADMIN: Identity = { provider: 'token', subject: 'tok_admin', name: 'admin', role: 'admin' };

export interface JobPipeline {
  registry: Registry;
  fleet: FleetService;
  jobs: JobService;
  metrics: DaemonMetrics;
  controlPlane: SigningKey;
  /** Adds the cluster and registers a fake agent for it, as an accepted registration would. */
  addRegistered(name: string): FakeJobAgent;
  /** Submits `count` cordon jobs to the cluster and returns their records. */
  submit(cluster: string, count: number): Promise<JobRecord[]>;
  /** Stores an accepted status report of the cluster saying its agent finished up to lastJobSeq. */
  report(cluster: string, lastJobSeq: number): void;
  close(): void;
}

export function startJobPipeline(store: ObjectStore, opts: Partial<Pick<JobServiceOptions, 'storeGate'>> = {}): JobPipeline {
  const registry = Registry.open(join(tempDir('flotilla-pipeline-'), 'registry.db'));
  const state = new FleetState(3);
  const metrics = new DaemonMetrics(() => state.healthCounts(Date.now()));
  const fleet = new FleetService(registry, state, metrics, silentLogger());
  const controlPlane = generateSigningKey();
  const jobs = new JobService({ registry, fleet, store, signingKey: controlPlane, log: silentLogger(), ...opts });
  let reportSeq = 0;
  return {
    registry,
    fleet,
    jobs,
    metrics,
    controlPlane,
    addRegistered(name) {
      fleet.addCluster({ id: 'admin', name: 'admin' }, { name, labels: {}, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
      const agent = new FakeJobAgent({ cluster: name, bootstrapToken: 't', status: { intervalSeconds: 10 } } as AgentConfig, store, { keyid: controlPlane.keyid, key: controlPlane.publicKey });
      fleet.applyRegistration(name, agent.registration(), storeKeys.registration(name), 'etag');
      return agent;
    },
    async submit(cluster, count) {
      const out: JobRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const res = await jobs.submit(PIPELINE_ADMIN, { cluster, type: 'cordon', params: { node: `node-${i}` } });
        if (!('jobs' in res)) throw new Error('expected jobs, got a dry run');
        out.push(...res.jobs);
      }
      return out;
    },
    report(cluster, lastJobSeq) {
      reportSeq += 1;
      fleet.applyBatch([{ cluster, report: { ...makeStatusReport(cluster, reportSeq), lastJobSeq }, etag: `report-${reportSeq}` }], []);
    },
    close() {
      registry.close();
    },
  };
}
