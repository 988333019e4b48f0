// While the runner executes a job, the agent's signed status report names its seq (runningJobSeq);
// once the job is finished the field is gone and lastJobSeq has moved on.
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionContext, ActionOutcome } from '../../../agent/actions.js';
import type { ClusterBackend } from '../../../agent/backend.js';
import { JobRunner } from '../../../agent/jobs/runner.js';
import { createAgentMetrics } from '../../../agent/metrics.js';
import { buildRegistration } from '../../../agent/registration.js';
import { buildStatusReport } from '../../../agent/report.js';
import { StatusReporter } from '../../../agent/reporter.js';
import type { AgentState } from '../../../agent/state.js';
import { openEnvelope, PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { silentLogger } from '../../../core/log.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { storeKeys } from '../../../core/store/types.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { CORPUS_CLUSTER as C, CORPUS_NOW, CountingActions, fixtureKeys, MemoryStore } from '../../fixtures/jobs/helpers.js';

afterAll(() => cleanupTempDirs());
const keys = fixtureKeys();

/** Holds every scale inside the executor until released, so a report can be taken mid-job. */
class GatedActions extends CountingActions {
  entered = 0;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  open(): void {
    this.release();
  }
  override async scale(p: { name: string; replicas: number }, ctx: ActionContext): Promise<ActionOutcome> {
    this.entered += 1;
    await this.gate;
    return super.scale(p, ctx);
  }
}

const observation = {
  observedAt: CORPUS_NOW.toISOString(),
  kubernetesVersion: 'v1.31.4',
  nodes: [],
  workloads: [],
  pods: { running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 },
  restarts: 0,
  podProblems: [],
  warningEvents: [],
};

describe('runningJobSeq in status reports', () => {
  it('is built into the report only when given', () => {
    const ctx = { cluster: C, seq: 1, now: CORPUS_NOW, intervalSeconds: 10, agentVersion: '0.1.0', pipeline: { queueDepth: 0, oldestUnshippedSeconds: 0, dropped: 0 } };
    expect(buildStatusReport(observation, { ...ctx, runningJobSeq: 7 }).runningJobSeq).toBe(7);
    expect('runningJobSeq' in buildStatusReport(observation, { ...ctx, runningJobSeq: undefined })).toBe(false);
  });

  it('names the seq in flight while a job runs and drops it once the job is finished', async () => {
    const store = new MemoryStore();
    const actions = new GatedActions();
    const runner = await JobRunner.open({
      cluster: C,
      store,
      actions,
      key: keys.agent,
      encryption: keys.agentEncryption,
      controlPlane: { keyid: keys.controlPlane.keyid, publicKey: keys.controlPlane.publicKey },
      dataDir: tempDir(),
      pollIntervalMs: 1000,
      logger: silentLogger(),
      clock: () => CORPUS_NOW,
      random: () => 0,
    });
    const payload = {
      cluster: C,
      agentKeyId: keys.agent.keyid,
      seq: 1,
      id: '20000000-0000-4000-8000-000000000001',
      type: 'scale',
      params: { namespace: 'web', name: 'frontend', replicas: 3 },
      issuedAt: '2030-05-31T23:00:00.000Z',
      notAfter: '2030-06-01T01:00:00.000Z',
      destructive: false,
      issuer: { tokenId: 't', name: 'test' },
    };
    await store.put(storeKeys.job(C, 1), sealEnvelope(PAYLOAD_TYPES.job, payload, keys.controlPlane));

    let state: AgentState = { version: 1, cluster: C, keyid: keys.agent.keyid, registeredAt: CORPUS_NOW.toISOString(), lastSeq: 0 };
    const backend: ClusterBackend = { kind: 'fake', collect: () => Promise.resolve(observation), podNode: () => undefined, close: () => Promise.resolve() };
    const reporter = new StatusReporter({
      cluster: C,
      intervalSeconds: 10,
      agentVersion: '0.1.0',
      store,
      backend,
      key: keys.agent,
      registration: buildRegistration(C, 'bootstrap-token-0123456789', keys.agent, keys.agentEncryption, CORPUS_NOW.toISOString(), '0.1.0'),
      state: {
        get current() {
          return state;
        },
        save: (patch) => {
          state = { ...state, ...patch };
          return Promise.resolve();
        },
      },
      metrics: createAgentMetrics(C, 'fake', '0.1.0'),
      logger: silentLogger(),
      jobs: runner,
      clock: () => CORPUS_NOW,
    });
    const latest = async (): Promise<StatusReport> => {
      const obj = await store.get(storeKeys.status(C), 1 << 22);
      if (!obj) throw new Error('no status report in the store');
      const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.status, maxBytes: 1 << 22, keyFor: (id) => (id === keys.agent.keyid ? keys.agent.publicKey : undefined) });
      return StatusReportSchema.parse(opened.payload);
    };

    expect(await reporter.runOnce()).toBe(true);
    expect((await latest()).runningJobSeq).toBeUndefined();

    const polled = runner.pollNow();
    await waitUntil(() => actions.entered === 1);
    expect(await reporter.runOnce()).toBe(true);
    expect(await latest()).toMatchObject({ runningJobSeq: 1, lastJobSeq: 0 });

    actions.open();
    await polled;
    expect(await reporter.runOnce()).toBe(true);
    const after = await latest();
    expect(after.runningJobSeq).toBeUndefined();
    expect(after.lastJobSeq).toBe(1);
    await runner.stop();
  });
});
