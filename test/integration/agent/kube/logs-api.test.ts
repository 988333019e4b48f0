// The Kubernetes API log input against the Kubernetes API test server (pods/log with follow, as a
// real API server and kubelet answer it): what followed containers say arrives as records, the same
// ids come back after a restart from the checkpoint (no repeats, no gaps), restarted containers and
// deleted pods, a stream the server cuts, and the maxStreams cap.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../../agent/kube/config.js';
import type { LogChunk } from '../../../../agent/logs/input.js';
import { openLogInputs } from '../../../../agent/logs/inputs.js';
import { KUBE_CHECKPOINT_FILE, KubeApiInput, openKubeApiInput, type KubeApiInputOptions } from '../../../../agent/logs/kube-api-input.js';
import { AgentConfigSchema } from '../../../../config/schemas.js';
import { silentLogger } from '../../../../core/log.js';
import { LOG_ID, type LogRecord } from '../../../../core/logs/record.js';
import { startKubeApiServer, type KubeApiServer } from '../../../harness/kube-api-server.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

let server: KubeApiServer;
let kc: KubeConfig;
let dataDir: string;
let kubeconfigFile: string;
const open: KubeApiInput[] = [];

function putPod(name: string, containers: string[], node = 'node-1'): void {
  server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: `img/${c}` })) }, status: { phase: 'Pending' } });
}

beforeEach(async () => {
  server = await startKubeApiServer({ tickMs: 10 });
  for (const n of ['node-1', 'node-2']) server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  putPod('web', ['app', 'sidecar'], 'node-2');
  server.settle();
  kubeconfigFile = join(tempDir(), 'kubeconfig');
  writeFileSync(kubeconfigFile, server.kubeconfig('edge'));
  kc = loadKubeConfig({ kubeconfig: kubeconfigFile, context: 'edge', inCluster: false });
  dataDir = tempDir();
});
afterEach(async () => {
  for (const i of open.splice(0)) await i.close();
  await server.close();
});
afterAll(cleanupTempDirs);

async function start(over: Partial<KubeApiInputOptions> = {}): Promise<KubeApiInput> {
  const input = await KubeApiInput.open({ kc, cluster: 'edge-1', dataDir, namespaces: ['shop'], maxStreams: 10, scanIntervalMs: 50, hold: { records: 1000, bytes: 1 << 20 }, retry: { initialMs: 20, maxMs: 200 }, logger: silentLogger(), ...over });
  open.push(input);
  return input;
}

async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred(), what).toBe(true);
}

/** Reads (and commits, unless told not to) until `n` records came; returns them. */
async function collect(input: KubeApiInput, n: number, opts: { commit?: boolean; records?: number } = {}): Promise<{ records: LogRecord[]; chunks: LogChunk[] }> {
  const records: LogRecord[] = [];
  const chunks: LogChunk[] = [];
  for (let i = 0; i < 400 && records.length < n; i++) {
    const chunk = await input.read({ records: Math.min(opts.records ?? 1000, n - records.length), bytes: 1 << 20 }, 50);
    if (chunk.records.length === 0) continue;
    records.push(...chunk.records);
    chunks.push(chunk);
    if (opts.commit !== false) await input.commit(chunk);
  }
  expect(records.length).toBe(n);
  return { records, chunks };
}

const messages = (rs: LogRecord[]): string[] => rs.map((r) => r.message);

describe('kube API log input', () => {
  it('follows every started container and delivers appended lines as records with namespace, pod, container and node', async () => {
    server.appendLog('shop', 'web', 'app', ['history 1', '{"level":"error","msg":"boom","user":{"id":7}}']);
    const input = await start();
    const first = await collect(input, 2);
    expect(messages(first.records)).toEqual(['history 1', 'boom']);
    const boom = first.records[1]!;
    expect(boom).toMatchObject({ cluster: 'edge-1', namespace: 'shop', pod: 'web', container: 'app', node: 'node-2', stream: 'stdout', level: 'error', fields: { 'user.id': 7 } });
    expect(boom.id).toMatch(LOG_ID);
    expect(boom.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    server.appendLog('shop', 'web', 'sidecar', ['side says hi']);
    server.appendLog('shop', 'web', 'app', ['live'], { stream: 'stderr' });
    const live = await collect(input, 2);
    expect(messages(live.records).sort()).toEqual(['live', 'side says hi']);
    expect(input.figures()).toMatchObject({ linesRead: 4, sources: 2, refused: [], bytesBehind: 0, oldestUnshippedMs: null });
  });

  it('after a restart reads again from the checkpoint: the same ids, nothing committed twice, nothing uncommitted skipped', async () => {
    // Lines sharing one time (and its second): the resumed stream must skip exactly the committed ones.
    const at = '2026-03-01T10:00:00.500000000Z';
    server.appendLog('shop', 'web', 'app', ['a1', 'a2', 'a3', 'a4', 'a5'], { at });
    server.appendLog('shop', 'web', 'app', ['b1'], { at: '2026-03-01T10:00:00.700000000Z' });
    const input = await start({ namespaces: [] });
    const committed = await collect(input, 3, { records: 3 });
    const uncommitted = await collect(input, 3, { commit: false });
    expect(messages(committed.records)).toEqual(['a1', 'a2', 'a3']);
    expect(messages(uncommitted.records)).toEqual(['a4', 'a5', 'b1']);
    const cp = JSON.parse(readFileSync(join(dataDir, KUBE_CHECKPOINT_FILE), 'utf8')) as { version: number; instances: Record<string, unknown> };
    expect(cp.version).toBe(1);
    expect(Object.values(cp.instances)).toEqual([expect.objectContaining({ ts: at, n: 3, pod: 'web', container: 'app', restart: 0 })]);
    await input.close();

    server.appendLog('shop', 'web', 'app', ['c1']);
    const again = await start({ namespaces: [] });
    const resumed = await collect(again, 4);
    expect(messages(resumed.records)).toEqual(['a4', 'a5', 'b1', 'c1']);
    expect(resumed.records.slice(0, 3).map((r) => r.id)).toEqual(uncommitted.records.map((r) => r.id));
    expect(new Set([...committed.records, ...resumed.records].map((r) => r.id)).size).toBe(7);
    // The resumed request asked from the checkpoint's time (the server cut it to its second).
    expect(server.requests.some((r) => r.path.endsWith('/web/log') && r.query.sinceTime === at)).toBe(true);
  });

  it('a restarted container is a new instance read from its start; the old one is finished', async () => {
    server.appendLog('shop', 'web', 'app', ['first life']);
    const input = await start();
    const before = await collect(input, 1);
    expect(server.restartContainer('shop', 'web', 'app')).toBe(1);
    server.appendLog('shop', 'web', 'app', ['second life']);
    const after = await collect(input, 1);
    expect(messages(after.records)).toEqual(['second life']);
    expect(after.records[0]!.id).not.toBe(before.records[0]!.id);
    // Two containers followed (the sidecar and app's new instance); app's first instance is done.
    await until('old instance finished', () => input.figures().sources === 2);
    const cp = JSON.parse(readFileSync(join(dataDir, KUBE_CHECKPOINT_FILE), 'utf8')) as { instances: Record<string, { restart: number; container: string; done?: boolean }> };
    const app = Object.values(cp.instances).filter((e) => e.container === 'app');
    expect(app.map((e) => [e.restart, e.done ?? false]).sort()).toEqual([
      [0, true],
      [1, false],
    ]);
  });

  it('across an agent restart, drains an instance that restarted meanwhile through previous=true, and reports one whose log is gone', async () => {
    server.appendLog('shop', 'web', 'app', ['x1']);
    const input = await start();
    await collect(input, 1);
    await input.close();
    server.appendLog('shop', 'web', 'app', ['x2']);
    server.restartContainer('shop', 'web', 'app');
    server.appendLog('shop', 'web', 'app', ['y1']);
    const again = await start();
    expect(messages((await collect(again, 2)).records).sort()).toEqual(['x2', 'y1']);
    expect(server.requests.some((r) => r.path.endsWith('/web/log') && r.query.previous === 'true' && r.query.sinceTime !== undefined)).toBe(true);
    await again.close();

    // Down across two restarts: instance 1's unread rest is beyond the kubelet's reach.
    server.appendLog('shop', 'web', 'app', ['y2']);
    server.restartContainer('shop', 'web', 'app');
    server.restartContainer('shop', 'web', 'app');
    const third = await start();
    const chunk = await third.read({ records: 10, bytes: 1 << 20 }, 0);
    expect(chunk.drops).toEqual([expect.objectContaining({ path: 'shop/web/app', reason: 'missing_after_restart', lines: 0, bytes: 0 })]);
  });

  it('a deleted pod ends its streams after what was read is shipped, and leaves the checkpoint', async () => {
    server.appendLog('shop', 'web', 'app', ['last words']);
    const input = await start();
    await collect(input, 1);
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'web', namespace: 'shop' });
    await until('streams ended', () => input.figures().sources === 0 && server.logFollowers === 0);
    await input.commit(await input.read({ records: 10, bytes: 1 << 20 }, 0));
    const cp = JSON.parse(readFileSync(join(dataDir, KUBE_CHECKPOINT_FILE), 'utf8')) as { instances: Record<string, unknown> };
    expect(cp.instances).toEqual({});
  });

  it('reconnects a stream the server cut, from where it read, without repeats or gaps', async () => {
    const input = await start();
    server.appendLog('shop', 'web', 'app', ['one', 'two']);
    await collect(input, 2);
    await until('both following', () => server.logFollowers === 2);
    expect(server.cutLogStreams()).toBe(2);
    server.appendLog('shop', 'web', 'app', ['three']);
    const after = await collect(input, 1);
    expect(messages(after.records)).toEqual(['three']);
    await until('following again', () => server.logFollowers === 2);
    server.appendLog('shop', 'web', 'app', ['four']);
    expect(messages((await collect(input, 1)).records)).toEqual(['four']);
    expect(input.figures().linesRead).toBe(4);
  });

  it('follows at most maxStreams containers, reports the rest as refused, and admits them when a slot frees', async () => {
    putPod('api', ['app']);
    server.settle();
    const input = await start({ maxStreams: 2 });
    expect(input.figures().sources).toBe(2);
    // Pods come listed by name: api's container and web's first are followed, web's sidecar is not.
    expect(input.figures().refused).toEqual([{ path: 'shop/web/sidecar', reason: 'over logs.kubeApi.maxStreams (2 streams followed at once)' }]);
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'api', namespace: 'shop' });
    await until('sidecar admitted', () => input.figures().refused.length === 0 && input.figures().sources === 2);
    server.appendLog('shop', 'web', 'sidecar', ['admitted']);
    expect((await collect(input, 1)).records[0]).toMatchObject({ pod: 'web', container: 'sidecar', node: 'node-2', message: 'admitted' });
  });

  it('is opened from the agent config only when logs.kubeApi is enabled on the kube backend', async () => {
    const base = { apiVersion: 'flotilla/v1', kind: 'AgentBundle', cluster: 'edge-1', store: { type: 'dir', path: tempDir() }, controlPlane: { keyid: 'k', publicKey: 'p' }, bootstrapToken: 'x'.repeat(16), agent: { backend: 'kube' }, kube: { context: 'edge' } };
    const ctx = { dataDir, cluster: 'edge-1', logger: silentLogger() };
    expect(await openKubeApiInput(AgentConfigSchema.parse({ ...base }), ctx, kc)).toBeUndefined();
    expect(await openKubeApiInput(AgentConfigSchema.parse({ ...base, agent: { backend: 'sim' }, logs: { kubeApi: { enabled: true } } }), ctx, kc)).toBeUndefined();
    const input = await openKubeApiInput(AgentConfigSchema.parse({ ...base, logs: { kubeApi: { enabled: true, namespaces: ['shop'] } } }), ctx, kc);
    expect(input).toBeInstanceOf(KubeApiInput);
    open.push(input!);
    expect(input!.figures().sources).toBe(2);
    await input!.close();
    // Through openLogInputs, as the agent opens its inputs: the API input alone (no node files to default to).
    const all = await openLogInputs(AgentConfigSchema.parse({ ...base, kube: { context: 'edge', kubeconfig: kubeconfigFile }, logs: { kubeApi: { enabled: true, namespaces: ['shop'] } } }), { ...ctx, backendKind: 'kube', podNode: () => undefined });
    open.push(...(all as KubeApiInput[]));
    expect(all.map((i) => i.name)).toEqual(['kube-api']);
  });
});
