// The runner's exactly-once machinery against an in-memory store and counting actions: crash between
// executor and result write, results lost from the store, a torn journal line, a lost journal with
// old envelopes written back, cancels, store outages, what one poll asks of the store, and backup →
// restore through the store with the manifest hash as the chain of trust.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../../agent/actions.js';
import { JOURNAL_FILE } from '../../../../agent/jobs/journal.js';
import { openOwnResult } from '../../../../agent/jobs/result.js';
import { JobRunner } from '../../../../agent/jobs/runner.js';
import { sealEnvelope, PAYLOAD_TYPES } from '../../../../core/dsse.js';
import type { JobResult } from '../../../../core/jobs.js';
import { silentLogger } from '../../../../core/log.js';
import { seal, sealContext } from '../../../../core/secrets.js';
import { storeKeys } from '../../../../core/store/types.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';
import { waitUntil } from '../../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { CORPUS_CLUSTER as C, CORPUS_NOW, CountingActions, fixtureKeys, MemoryStore } from '../../../fixtures/jobs/helpers.js';

afterAll(() => cleanupTempDirs());
const keys = fixtureKeys();
let n = 0;

function job(seq: number, type: string, params: Record<string, unknown>, cluster = C) {
  n += 1;
  const id = `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const payload = { cluster, agentKeyId: keys.agent.keyid, seq, id, type, params, issuedAt: '2030-05-31T23:00:00.000Z', notAfter: '2030-06-01T01:00:00.000Z', destructive: false, issuer: { tokenId: 't', name: 'test' } };
  return { id, body: sealEnvelope(PAYLOAD_TYPES.job, payload, keys.controlPlane) };
}

function open(store: MemoryStore, actions: CountingActions, dataDir: string, cluster = C) {
  return JobRunner.open({
    cluster,
    store,
    actions,
    key: keys.agent,
    encryption: keys.agentEncryption,
    controlPlane: { keyid: keys.controlPlane.keyid, publicKey: keys.controlPlane.publicKey },
    dataDir,
    pollIntervalMs: 1000,
    logger: silentLogger(),
    clock: () => CORPUS_NOW,
    random: () => 0,
  });
}

async function result(store: MemoryStore, seq: number, cluster = C): Promise<JobResult | null> {
  const obj = await store.get(storeKeys.result(cluster, seq), 1 << 20);
  return obj ? openOwnResult(obj.body, keys.agent, cluster, seq) : null;
}

const scale = (replicas: number) => ({ namespace: 'web', name: 'frontend', replicas });

/** A status report as this agent signs it, saying it finished up to lastJobSeq. */
function ownReport(lastJobSeq: number, cluster = C): Buffer {
  return sealEnvelope(PAYLOAD_TYPES.status, { ...makeStatusReport(cluster, 7), lastJobSeq }, keys.agent);
}

/** What the daemon's retention does to a collected job: envelope first, then result. */
async function collect(store: MemoryStore, seq: number): Promise<void> {
  await store.delete(storeKeys.job(C, seq));
  await store.delete(storeKeys.result(C, seq));
}

describe('JobRunner', () => {
  it('runs jobs in seq order, waits at a gap, and never runs a seq twice', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await open(store, actions, tempDir());
    await store.put(storeKeys.job(C, 2), job(2, 'scale', scale(2)).body);
    await runner.pollNow();
    expect(actions.calls).toBe(0);
    await store.put(storeKeys.job(C, 1), job(1, 'scale', scale(1)).body);
    await runner.pollNow();
    expect(actions.calls).toBe(2);
    expect((await result(store, 1))?.state).toBe('succeeded');
    expect((await result(store, 2))?.state).toBe('succeeded');
    expect(runner.lastJobSeq()).toBe(2);
    await runner.stop();
  });

  it('resumes a job interrupted between executor and result write: one effect, one result', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const first = await open(store, actions, dataDir);
    await first.pollNow(); // start-up recovery reads results/ while the store is fine
    const j = job(1, 'scale', scale(4));
    await store.put(storeKeys.job(C, 1), j.body);
    store.failing = [storeKeys.resultsPrefix(C)];
    await first.pollNow();
    expect(actions.calls).toBe(1);
    expect(first.lastJobSeq()).toBe(0);
    await first.stop(); // the "crash": the journal says started, no result exists
    expect(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8')).toContain('"t":"started"');

    store.failing = [];
    await store.delete(storeKeys.job(C, 1)); // even a job that vanished is finished, never undone
    const second = await open(store, actions, dataDir);
    await second.pollNow();
    expect(actions.calls).toBe(2);
    expect(actions.effects.get(j.id)).toBe(1);
    expect(actions.totalEffects).toBe(1);
    expect((await result(store, 1))?.state).toBe('succeeded');
    expect(second.lastJobSeq()).toBe(1);
    await second.stop();
  });

  it('adopts a result written before a crash instead of running the job again', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const first = await open(store, actions, dataDir);
    await store.put(storeKeys.job(C, 1), job(1, 'scale', scale(1)).body);
    await first.pollNow();
    await first.stop();
    // Lose the journal's finished record: keep only the started line, as if the crash came after the result PUT.
    const lines = readFileSync(join(dataDir, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l.includes('"t":"started"'));
    writeFileSync(join(dataDir, JOURNAL_FILE), `${lines.join('\n')}\n`);
    const second = await open(store, actions, dataDir);
    await second.pollNow();
    expect(actions.calls).toBe(1);
    expect(second.lastJobSeq()).toBe(1);
    await second.stop();
  });

  it('finds a result written before a crash by asking for the keys above its journal, without listing results/', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const first = await open(store, actions, dataDir);
    for (const seq of [1, 2]) await store.put(storeKeys.job(C, seq), job(seq, 'scale', scale(seq)).body);
    await first.pollNow();
    await first.stop();
    // Lose seq 2's finished record, as if the crash came after its result PUT.
    const lines = readFileSync(join(dataDir, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l !== '' && !(l.includes('"t":"finished"') && l.includes('"seq":2,')));
    writeFileSync(join(dataDir, JOURNAL_FILE), `${lines.join('\n')}\n`);
    const second = await open(store, actions, dataDir);
    const lists = store.ops.list;
    await second.pollNow();
    expect(store.ops.list).toBe(lists);
    expect(second.lastJobSeq()).toBe(2);
    expect(actions.calls).toBe(2);
    await second.stop();
  });

  it('re-writes a finished job’s missing result from the journal and ignores a torn last line', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const first = await open(store, actions, dataDir);
    await store.put(storeKeys.job(C, 1), job(1, 'scale', scale(1)).body);
    await first.pollNow();
    await first.stop();
    const before = await store.get(storeKeys.result(C, 1), 1 << 20);
    await store.delete(storeKeys.result(C, 1));
    appendFileSync(join(dataDir, JOURNAL_FILE), '{"t":"finished","seq":2,"id":"torn');
    const second = await open(store, actions, dataDir);
    await second.pollNow();
    const after = await store.get(storeKeys.result(C, 1), 1 << 20);
    expect(after?.body.equals(before?.body ?? Buffer.alloc(0))).toBe(true);
    expect(second.lastJobSeq()).toBe(1);
    expect(actions.calls).toBe(1);
    await second.stop();
  });

  it('with its journal lost and its key kept, continues above its own last report: an old envelope written back never runs', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const first = await open(store, actions, tempDir());
    const old = [1, 2, 3].map((seq) => job(seq, 'scale', scale(seq)));
    for (const [i, j] of old.entries()) await store.put(storeKeys.job(C, i + 1), j.body);
    await first.pollNow();
    await first.stop();
    expect(actions.calls).toBe(3);
    await store.put(storeKeys.status(C), ownReport(3));
    for (const seq of [1, 2, 3]) await collect(store, seq);

    // Someone with store access puts jobs 1 and 2 back; the agent starts with an empty journal.
    await store.put(storeKeys.job(C, 1), old[0]!.body);
    await store.put(storeKeys.job(C, 2), old[1]!.body);
    const second = await open(store, actions, tempDir());
    await second.pollNow();
    expect(second.lastJobSeq()).toBe(3);
    expect(actions.calls).toBe(3);
    await store.put(storeKeys.job(C, 4), job(4, 'scale', scale(4)).body);
    await second.pollNow();
    expect(actions.calls).toBe(4);
    expect((await result(store, 4))?.state).toBe('succeeded');
    await second.stop();
  });

  it('with its journal lost and no report of its own, continues above its newest result in the store', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const first = await open(store, actions, tempDir());
    const old = [1, 2, 3].map((seq) => job(seq, 'scale', scale(seq)));
    for (const [i, j] of old.entries()) await store.put(storeKeys.job(C, i + 1), j.body);
    await first.pollNow();
    await first.stop();
    // Retention removed the older jobs; the newest result always stays.
    for (const seq of [1, 2]) await collect(store, seq);
    await store.put(storeKeys.job(C, 1), old[0]!.body);
    const second = await open(store, actions, tempDir());
    await second.pollNow();
    expect(second.lastJobSeq()).toBe(3);
    expect(actions.calls).toBe(3);
    await second.stop();
  });

  it('does not write back a result the daemon collected and deleted with its envelope', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const first = await open(store, actions, dataDir);
    for (const seq of [1, 2]) await store.put(storeKeys.job(C, seq), job(seq, 'cordon', { node: 'n1' }).body);
    await first.pollNow();
    await first.stop();
    await collect(store, 1);
    const second = await open(store, actions, dataDir);
    await second.pollNow();
    expect(await store.get(storeKeys.result(C, 1), 1 << 20)).toBeNull();
    expect(await result(store, 2)).toMatchObject({ state: 'succeeded' });
    expect(second.lastJobSeq()).toBe(2);
    await second.stop();
  });

  it('asks the store only for the keys above its high-water seq: one HEAD when idle, however many jobs finished', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await open(store, actions, tempDir());
    await runner.pollNow();
    const idle = async () => {
      const before = { ...store.ops };
      await runner.pollNow();
      return Object.fromEntries(Object.entries(store.ops).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
    };
    const none = { get: 0, put: 0, head: 1, list: 0, delete: 0 };
    expect(await idle()).toEqual(none);
    for (let seq = 1; seq <= 300; seq += 1) await store.put(storeKeys.job(C, seq), job(seq, 'cordon', { node: 'n1' }).body);
    await runner.pollNow();
    expect(runner.lastJobSeq()).toBe(300);
    expect(await idle()).toEqual(none);
    // A backlog costs a HEAD per waiting job (in doubling windows) and a GET to read each one.
    for (let seq = 301; seq <= 310; seq += 1) await store.put(storeKeys.job(C, seq), job(seq, 'cordon', { node: 'n1' }).body);
    const before = { ...store.ops };
    await runner.pollNow();
    expect(store.ops.list - before.list).toBe(0);
    expect(store.ops.head - before.head).toBeLessThanOrEqual(2 * 10);
    expect(runner.lastJobSeq()).toBe(310);
    await runner.stop();
  });

  it('honours a cancel found before the job starts, and settles the cancel itself', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await open(store, actions, tempDir());
    const target = job(1, 'drain', { node: 'node-1' });
    await store.put(storeKeys.job(C, 1), target.body);
    await store.put(storeKeys.job(C, 2), job(2, 'cancel', { targetSeq: 1, targetId: target.id }).body);
    await runner.pollNow();
    expect(actions.calls).toBe(0);
    expect(await result(store, 1)).toMatchObject({ state: 'cancelled' });
    expect(await result(store, 2)).toMatchObject({ state: 'succeeded', output: { targetSeq: 1, targetId: target.id } });
    // A cancel arriving after its target ran is too late.
    const ran = job(3, 'scale', scale(1));
    await store.put(storeKeys.job(C, 3), ran.body);
    await runner.pollNow();
    await store.put(storeKeys.job(C, 4), job(4, 'cancel', { targetSeq: 3, targetId: ran.id }).body);
    await runner.pollNow();
    expect(await result(store, 4)).toMatchObject({ state: 'failed' });
    expect(actions.calls).toBe(1);
    await runner.stop();
  });

  it('keeps its place through a store outage and carries on when it returns', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await open(store, actions, tempDir());
    await store.put(storeKeys.job(C, 1), job(1, 'scale', scale(1)).body);
    store.failing = ['clusters/'];
    await runner.pollNow();
    expect(actions.calls).toBe(0);
    store.failing = [];
    await runner.pollNow();
    // The failed attempt backs off (jittered) and then retries on its own.
    const done = await waitUntil(() => result(store, 1), { what: 'the result after the outage', intervalMs: 20 });
    expect(done.state).toBe('succeeded');
    expect(actions.calls).toBe(1);
    await runner.stop();
  });

  it('opens sealed credentials only for this cluster and job, and never puts them in the result', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const runner = await open(store, actions, tempDir());
    const id = '20000000-0000-4000-8000-000000000001';
    const sealed = seal(Buffer.from(JSON.stringify({ password: 's3cret-value' })), keys.agentEncryption.publicKey, sealContext(C, id));
    const payload = { cluster: C, agentKeyId: keys.agent.keyid, seq: 1, id, type: 'rotate-credentials', params: { namespace: 'web', target: 'secret', name: 'db', sealed }, issuedAt: '2030-05-31T23:00:00.000Z', notAfter: '2030-06-01T01:00:00.000Z', destructive: true, issuer: { tokenId: 't', name: 'test' } };
    await store.put(storeKeys.job(C, 1), sealEnvelope(PAYLOAD_TYPES.job, payload, keys.controlPlane));
    await runner.pollNow();
    expect(actions.credentials.get('web/db')).toEqual({ password: 's3cret-value' });
    const raw = (await store.get(storeKeys.result(C, 1), 1 << 20))?.body.toString('utf8') ?? '';
    expect(Buffer.from(JSON.parse(raw).payload, 'base64').toString('utf8')).not.toContain('s3cret-value');
    await runner.stop();
  });

  it('backs up to the store and restores on another cluster only with the accepted manifest hash', async () => {
    const store = new MemoryStore();
    const source = new CountingActions();
    source.exported = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'web' }, spec: { replicas: 2 } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'ops' } },
    ];
    const a = await open(store, source, tempDir());
    await store.put(storeKeys.job(C, 1), job(1, 'backup', { backupId: 'daily-1', namespaces: ['web', 'ops'] }).body);
    await a.pollNow();
    const backup = await result(store, 1);
    expect(backup?.state).toBe('succeeded');
    const manifestSha256 = String(backup?.output?.manifestSha256);
    await a.stop();

    const B = 'corpus-b';
    const target = new CountingActions();
    const b = await open(store, target, tempDir(), B);
    await store.put(storeKeys.job(B, 1), job(1, 'restore', { backupId: 'daily-1', sourceCluster: C, manifestSha256, namespaces: ['web'] }, B).body);
    await b.pollNow();
    expect((await result(store, 1, B))?.state).toBe('succeeded');
    expect(target.applied.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/web', 'Deployment/frontend']);

    // A tampered object breaks the chain: the restore fails and applies nothing.
    const objKey = [...store.objects.keys()].find((k) => k.includes('Deployment'));
    await store.put(objKey ?? '', Buffer.from('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: evil, namespace: web}\n'));
    target.applied = [];
    await store.put(storeKeys.job(B, 2), job(2, 'restore', { backupId: 'daily-1', sourceCluster: C, manifestSha256 }, B).body);
    await b.pollNow();
    expect(await result(store, 2, B)).toMatchObject({ state: 'failed' });
    expect(target.applied).toEqual([]);
    await b.stop();
  });

  it('stops a running executor without writing a result; the next start finishes it', async () => {
    const store = new MemoryStore();
    const actions = new CountingActions();
    const dataDir = tempDir();
    const runner = await open(store, actions, dataDir);
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const inside = new Promise<void>((r) => (entered = r));
    actions.drain = async (p: { node: string }, ctx: ActionContext) => {
      actions.calls += 1;
      entered();
      await Promise.race([gate, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted'))))]);
      actions.effects.set(ctx.jobId, 1);
      return { detail: `drained ${p.node}` };
    };
    await store.put(storeKeys.job(C, 1), job(1, 'drain', { node: 'n1' }).body);
    const polled = runner.pollNow();
    await inside;
    await runner.stop();
    await polled;
    expect(await result(store, 1)).toBeNull();
    release();
    const next = await open(store, actions, dataDir);
    await next.pollNow();
    expect((await result(store, 1))?.state).toBe('succeeded');
    expect(actions.totalEffects).toBe(1);
    await next.stop();
  });
});
