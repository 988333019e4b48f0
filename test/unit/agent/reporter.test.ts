import { generateEncryptionKey } from '../../../core/secrets.js';
import { describe, expect, it } from 'vitest';
import type { ClusterBackend, ClusterObservation } from '../../../agent/backend.js';
import { createAgentMetrics } from '../../../agent/metrics.js';
import { buildRegistration } from '../../../agent/registration.js';
import { StatusReporter } from '../../../agent/reporter.js';
import type { AgentState } from '../../../agent/state.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { FlotillaError } from '../../../core/errors.js';
import { generateSigningKey } from '../../../core/keys.js';
import { silentLogger } from '../../../core/log.js';
import { StatusReportSchema, type StatusReport } from '../../../core/status.js';
import { offFigures } from '../../../agent/logs/figures.js';
import type { ObjectStore, StoreEntry, StoreObject } from '../../../core/store/types.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');

class MemoryStore implements ObjectStore {
  readonly description = 'memory';
  readonly objects = new Map<string, Buffer>();
  failNext = 0;
  private fail(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new FlotillaError('unavailable', 'store is down', 'Bring it back.');
    }
  }
  async get(key: string): Promise<StoreObject | null> {
    this.fail();
    const body = this.objects.get(key);
    return body ? { body, etag: String(body.length), size: body.length } : null;
  }
  async put(key: string, body: Buffer): Promise<StoreEntry> {
    this.fail();
    this.objects.set(key, body);
    return { key, etag: String(body.length), size: body.length };
  }
  async head(key: string): Promise<StoreEntry | null> {
    const body = this.objects.get(key);
    return body ? { key, etag: String(body.length), size: body.length } : null;
  }
  async headMany(keys: readonly string[]): Promise<(StoreEntry | null)[]> {
    return Promise.all(keys.map((k) => this.head(k)));
  }
  async list(): Promise<StoreEntry[]> {
    return [];
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

function observation(restarts = 0): ClusterObservation {
  return {
    observedAt: NOW.toISOString(),
    kubernetesVersion: 'v1.31.4',
    nodes: [],
    workloads: [],
    pods: { running: 0, pending: 0, succeeded: 0, failed: 0, unknown: 0, total: 0 },
    restarts,
    podProblems: [],
    warningEvents: [],
  };
}

function setup(obs: () => ClusterObservation | Promise<ClusterObservation> = () => observation(), intervalSeconds = 10, pipeline?: { figures(): StatusReport['pipeline'] }) {
  const key = generateSigningKey();
  const store = new MemoryStore();
  let state: AgentState = { version: 1, cluster: 'c1', keyid: key.keyid, registeredAt: NOW.toISOString(), lastSeq: 0 };
  const saved: number[] = [];
  const backend: ClusterBackend = { kind: 'fake', collect: async () => obs(), podNode: () => undefined, close: async () => undefined };
  const metrics = createAgentMetrics('c1', 'fake', '0.1.0');
  const reporter = new StatusReporter({
    cluster: 'c1',
    intervalSeconds,
    agentVersion: '0.1.0',
    store,
    backend,
    key,
    registration: buildRegistration('c1', 'bootstrap-token-0123456789', key, generateEncryptionKey(), NOW.toISOString(), '0.1.0'),
    state: {
      get current() {
        return state;
      },
      save: async (patch) => {
        state = { ...state, ...patch };
        saved.push(state.lastSeq);
      },
    },
    metrics,
    logger: silentLogger(),
    clock: () => NOW,
    ...(pipeline ? { pipeline } : {}),
  });
  const reportInStore = () => {
    const body = store.objects.get('clusters/c1/status.json');
    if (!body) return null;
    const opened = openEnvelope(body, { payloadType: PAYLOAD_TYPES.status, maxBytes: 1 << 20, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
    return StatusReportSchema.parse(opened.payload);
  };
  const seqInStore = () => reportInStore()?.seq ?? null;
  const metric = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);
  return { store, reporter, seqInStore, reportInStore, metric, saved };
}

describe('status reporter', () => {
  it('registers first, then writes seq 1, 2, 3 and persists each', async () => {
    const { store, reporter, seqInStore, metric, saved } = setup();
    expect(await reporter.runOnce()).toBe(true);
    expect(store.objects.has('clusters/c1/registration.json')).toBe(true);
    expect(seqInStore()).toBe(1);
    expect(await reporter.runOnce()).toBe(true);
    expect(await reporter.runOnce()).toBe(true);
    expect(seqInStore()).toBe(3);
    expect(saved.at(-1)).toBe(3);
    expect(await metric('flotilla_agent_reports_written_total')).toBe(3);
  });

  it('takes the log pipeline figures fresh for each report, and reports transport off without a pipeline', async () => {
    let queued = 5;
    const figures = (): StatusReport['pipeline'] => ({ ...offFigures(), transport: 'daemon', queueDepth: queued, lastError: queued > 5 ? 'cannot reach the daemon: ECONNREFUSED' : null });
    const { reporter, reportInStore } = setup(undefined, 10, { figures });
    await reporter.runOnce();
    expect(reportInStore()?.pipeline).toMatchObject({ transport: 'daemon', queueDepth: 5, lastError: null });
    queued = 9;
    await reporter.runOnce();
    expect(reportInStore()?.pipeline).toMatchObject({ transport: 'daemon', queueDepth: 9, lastError: 'cannot reach the daemon: ECONNREFUSED' });
    const off = setup();
    await off.reporter.runOnce();
    expect(off.reportInStore()?.pipeline).toEqual(offFigures());
  });

  it('counts store failures, does not skip a seq, and recovers', async () => {
    const { store, reporter, seqInStore, metric } = setup();
    expect(await reporter.runOnce()).toBe(true);
    store.failNext = 2;
    expect(await reporter.runOnce()).toBe(false);
    expect(await reporter.runOnce()).toBe(false);
    expect(await metric('flotilla_agent_store_errors_total')).toBe(2);
    expect(await metric('flotilla_agent_report_failures_total')).toBe(2);
    expect(await reporter.runOnce()).toBe(true);
    expect(seqInStore()).toBe(2);
  });

  it('never writes a report that fails the schema', async () => {
    let bad = true;
    const { reporter, seqInStore, metric } = setup(() => observation(bad ? -5 : 1));
    expect(await reporter.runOnce()).toBe(false);
    expect(seqInStore()).toBeNull();
    expect(await metric('flotilla_agent_report_failures_total')).toBe(1);
    expect(await metric('flotilla_agent_store_errors_total')).toBe(0);
    bad = false;
    expect(await reporter.runOnce()).toBe(true);
    expect(seqInStore()).toBe(1);
  });

  it('stop() lets the report in flight reach the store and starts no more', async () => {
    let release: (() => void) | undefined;
    let collects = 0;
    const { reporter, seqInStore } = setup(() => {
      collects += 1;
      return new Promise<ClusterObservation>((resolve) => {
        release = () => resolve(observation());
      });
    }, 0.001);
    reporter.start();
    while (!release) await new Promise((r) => setTimeout(r, 5));
    const stopped = reporter.stop();
    release();
    await stopped;
    expect(seqInStore()).toBe(1);
    // With a 1 ms interval a leftover timer would have collected again by now.
    await new Promise((r) => setTimeout(r, 50));
    expect(collects).toBe(1);
  });
});
