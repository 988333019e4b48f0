// pods/log on the Kubernetes API test server answers as a real API server and kubelet do
// (kube-api/pod-logs.ts says which behaviours and where they come from), over plain HTTP with the
// test token, and through @kubernetes/client-node's Log as the agent reads it.
import { Writable } from 'node:stream';
import { CoreV1Api, KubeConfig, Log } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, TEST_TOKEN, type KubeApiServer } from '../../harness/kube-api-server.js';

let server: KubeApiServer;

function pod(name: string, containers: string[], nodeName = 'node-1'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, containers: containers.map((c) => ({ name: c, image: `img/${c}` })) }, status: { phase: 'Pending' } };
}

beforeEach(async () => {
  server = await startKubeApiServer({ tickMs: 10, tls: false });
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  server.put(pod('one', ['app']));
  server.put(pod('two', ['app', 'sidecar']));
  server.settle();
});
afterEach(async () => {
  await server.close();
});

async function get(path: string): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred(), what).toBe(true);
}

const base = '/api/v1/namespaces/default/pods';

describe('pods/log', () => {
  it('serves the only container without a name, and needs one (with the real 400) when there are several', async () => {
    server.appendLog('default', 'one', 'app', ['hello', 'world']);
    expect(await get(`${base}/one/log`)).toMatchObject({ status: 200, text: 'hello\nworld\n', type: 'text/plain' });
    const several = await get(`${base}/two/log`);
    expect(several.status).toBe(400);
    expect(JSON.parse(several.text)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400, message: 'a container name must be specified for pod two, choose one of: [app sidecar]' });
    expect(JSON.parse((await get(`${base}/two/log?container=nope`)).text)).toMatchObject({ code: 400, message: 'container nope is not valid for pod two' });
    const missing = await get(`${base}/ghost/log`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "ghost" not found', details: { name: 'ghost', kind: 'pods' } });
  });

  it('prefixes RFC3339Nano timestamps, filters sinceTime at whole-second precision inclusively, and honours tailLines, sinceSeconds and limitBytes', async () => {
    server.appendLog('default', 'one', 'app', ['a'], { at: '2026-01-02T03:04:04.9Z' });
    server.appendLog('default', 'one', 'app', ['b', 'c'], { at: '2026-01-02T03:04:05.25Z' });
    server.appendLog('default', 'one', 'app', ['d'], { at: '2026-01-02T03:04:06Z' });
    expect((await get(`${base}/one/log?timestamps=true`)).text).toBe('2026-01-02T03:04:04.900000000Z a\n2026-01-02T03:04:05.250000000Z b\n2026-01-02T03:04:05.250000000Z c\n2026-01-02T03:04:06.000000000Z d\n');
    // 05.5 is cut to 05: b and c (at 05.25) still come.
    expect((await get(`${base}/one/log?sinceTime=${encodeURIComponent('2026-01-02T03:04:05.5Z')}`)).text).toBe('b\nc\nd\n');
    expect((await get(`${base}/one/log?sinceTime=2026-01-02T03:04:06Z`)).text).toBe('d\n');
    expect((await get(`${base}/one/log?tailLines=2`)).text).toBe('c\nd\n');
    expect((await get(`${base}/one/log?limitBytes=3`)).text).toBe('a\nb');
    expect((await get(`${base}/one/log?sinceSeconds=60`)).text).toBe('');
    const both = await get(`${base}/one/log?sinceSeconds=60&sinceTime=2026-01-02T03:04:06Z`);
    expect(both.status).toBe(422);
    expect((await get(`${base}/one/log?tailLines=x`)).status).toBe(400);
    expect((await get(`${base}/one/log?sinceTime=yesterday`)).status).toBe(400);
  });

  it('says a container that has not started is waiting, and a pod with no node has no log yet', async () => {
    server.pauseKubelet();
    server.put(pod('late', ['app']));
    const waiting = await get(`${base}/late/log`);
    expect(waiting.status).toBe(400);
    expect(JSON.parse(waiting.text).message).toBe('container "app" in pod "late" is waiting to start: ContainerCreating');
    // A node selector nothing matches keeps the pod unscheduled.
    server.put({ ...pod('unplaced', ['app'], ''), spec: { nodeSelector: { disk: 'none' }, containers: [{ name: 'app', image: 'img/app' }] } });
    expect(await get(`${base}/unplaced/log`)).toMatchObject({ status: 200, text: '' });
  });

  it('follows: appended lines stream out, a restart ends the stream and previous serves the old instance', async () => {
    server.appendLog('default', 'two', 'app', ['before']);
    const r = await fetch(`${server.url}${base}/two/log?container=app&follow=true`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let got = '';
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        got += decoder.decode(value);
      }
    })();
    await until('history', () => got === 'before\n');
    server.appendLog('default', 'two', 'app', ['live 1', 'live 2'], { stream: 'stderr' });
    server.appendLog('default', 'two', 'sidecar', ['not mine']);
    await until('live lines', () => got === 'before\nlive 1\nlive 2\n');
    expect(server.restartContainer('default', 'two', 'app')).toBe(1);
    await pump;
    expect(got).toBe('before\nlive 1\nlive 2\n');
    server.appendLog('default', 'two', 'app', ['second life']);
    expect((await get(`${base}/two/log?container=app`)).text).toBe('second life\n');
    expect((await get(`${base}/two/log?container=app&previous=true&follow=true`)).text).toBe('before\nlive 1\nlive 2\n');
    expect(JSON.parse((await get(`${base}/one/log?previous=true`)).text).message).toBe('previous terminated container "app" in pod "one" not found');
  });

  it('ends a follow stream when the pod is deleted, and a cut breaks it mid-response (seen through client-node Log)', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig('edge'));
    kc.setCurrentContext('edge');
    const seen = (): { text: string; finished: boolean; broken: boolean } => state;
    const state = { text: '', finished: false, broken: false };
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        state.text += chunk.toString();
        cb();
      },
    });
    sink.on('finish', () => (state.finished = true));
    sink.on('pipe', (src: NodeJS.ReadableStream) => src.on('error', () => (state.broken = true)));
    await new Log(kc).log('default', 'one', 'app', sink, { follow: true, timestamps: false });
    server.appendLog('default', 'one', 'app', ['x']);
    await until('line', () => seen().text === 'x\n');
    expect(server.logFollowers).toBe(1);
    expect(server.cutLogStreams()).toBe(1);
    await until('broken', () => seen().broken);
    expect(seen().finished).toBe(false);

    const sink2 = new Writable({ write: (_c, _e, cb) => cb() });
    let finished = false;
    sink2.on('finish', () => (finished = true));
    await new Log(kc).log('default', 'one', 'app', sink2, { follow: true });
    await until('following', () => server.logFollowers === 1);
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'one', namespace: 'default' });
    await until('ended with the pod', () => finished);
  });
});
