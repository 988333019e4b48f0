// The kube backend against the Kubernetes API test server: status collection and every executor.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../../agent/actions.js';
import { KubeBackend, RESTARTED_BY } from '../../../../agent/kube/backend.js';
import { loadKubeConfig } from '../../../../agent/kube/config.js';
import { FlotillaError } from '../../../../core/errors.js';
import { seedExecutorFixture, startKubeApiServer, type KubeApiServer } from '../../../harness/kube-api-server.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

let server: KubeApiServer;
let backend: KubeBackend;
const ctx = (jobId = '6f1c2b7e-0000-4000-8000-000000000001'): ActionContext => ({ jobId, signal: new AbortController().signal, fieldManager: 'flotilla' });

beforeEach(async () => {
  server = await startKubeApiServer({ tickMs: 10 });
  seedExecutorFixture(server);
  const file = join(tempDir(), 'kubeconfig');
  writeFileSync(file, server.kubeconfig('edge'));
  backend = new KubeBackend(loadKubeConfig({ kubeconfig: file, context: 'edge', inCluster: false }), { evictionBackoff: { baseMs: 20, capMs: 100 }, drainPollMs: 20 });
});
afterEach(async () => {
  await backend.close();
  await server.close();
});
afterAll(cleanupTempDirs);

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
}

describe('kube config', () => {
  it('refuses a context the kubeconfig does not have, naming the ones it has', () => {
    const file = join(tempDir(), 'kubeconfig');
    writeFileSync(file, server.kubeconfig('edge'));
    const err = (() => {
      try {
        loadKubeConfig({ kubeconfig: file, context: 'prod', inCluster: false });
      } catch (e) {
        return e as FlotillaError;
      }
    })();
    expect(err?.kind).toBe('config');
    expect(err?.next).toContain('edge');
  });

  it('uses the explicit context, not current-context', async () => {
    // current-context points at a user with no token: only the explicit context authenticates.
    const obs = await backend.collect(new Date());
    expect(obs.kubernetesVersion).toBe('v1.31.4');
  });
});

describe('status collection', () => {
  it('maps nodes, workloads, pods, problems and warning events', async () => {
    // The API server keeps metav1.Time in whole seconds.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-4' }, spec: { unschedulable: true }, status: { capacity: { cpu: '2', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } });
    const crash = { phase: 'Running', startTime: now.toISOString(), containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date(now.getTime() - 30_000).toISOString() } } }] };
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'worker', namespace: 'payments' }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'x' }] }, status: crash });
    const oom = { ...crash, containerStatuses: [{ ...crash.containerStatuses[0], restartCount: 2, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: now.toISOString() } } }] };
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hog', namespace: 'payments' }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'x' }] }, status: oom });
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'puller', namespace: 'checkout' }, spec: { nodeName: 'node-3', containers: [{ name: 'c', image: 'nope' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'c', image: 'nope', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] } });
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: 'checkout' }, spec: { nodeSelector: { gpu: 'true' }, containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }], containerStatuses: [] } });
    server.put({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'worker.1', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'worker', namespace: 'payments' }, reason: 'BackOff', message: 'Back-off restarting failed container', type: 'Warning', count: 7, lastTimestamp: now.toISOString() });
    server.put({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'old.1', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'worker', namespace: 'payments' }, reason: 'BackOff', message: 'old', type: 'Warning', count: 1, lastTimestamp: new Date(now.getTime() - 3 * 3600_000).toISOString() });
    server.put({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'normal.1', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'worker', namespace: 'payments' }, reason: 'Pulled', message: 'ok', type: 'Normal', count: 1, lastTimestamp: now.toISOString() });

    // The scheduler reports why it cannot place "stuck" in an event of its own.
    await until(() => server.list('events', 'checkout').some((e) => e.reason === 'FailedScheduling'));

    const obs = await backend.collect(now);
    const n4 = obs.nodes.find((n) => n.name === 'node-4');
    expect(n4).toMatchObject({ ready: false, unschedulable: true, reason: 'KubeletNotReady', capacity: { cpuMillis: 2000, memoryBytes: 8 * 2 ** 30, pods: 110 } });
    const n1 = obs.nodes.find((n) => n.name === 'node-1')!;
    expect(n1).toMatchObject({ ready: true, unschedulable: false, capacity: { cpuMillis: 4000, memoryBytes: 16318956 * 1024 } });
    expect(n1.usage.cpuMillis).toBe(server.list('pods').filter((p) => p.spec.nodeName === 'node-1' && p.status.phase === 'Running').length * 100);
    expect(obs.workloads).toEqual(expect.arrayContaining([
      { namespace: 'payments', name: 'api', kind: 'Deployment', desired: 3, ready: 3 },
      { namespace: 'checkout', name: 'db', kind: 'StatefulSet', desired: 2, ready: 2 },
    ]));
    const all = server.list('pods');
    expect(obs.pods).toMatchObject({ running: all.filter((p) => p.status.phase === 'Running').length, pending: 2, total: all.length });
    expect(obs.restarts).toBe(9);
    const problems = Object.fromEntries(obs.podProblems.map((p) => [p.pod, p]));
    expect(problems.worker).toMatchObject({ reason: 'CrashLoopBackOff', restarts: 7, sinceSeconds: 30 });
    expect(problems.hog?.reason).toBe('OOMKilled');
    expect(problems.puller?.reason).toBe('ImagePullBackOff');
    expect(problems.stuck?.reason).toBe('Pending');
    expect(Object.keys(problems).sort()).toEqual(['hog', 'puller', 'stuck', 'worker']);
    expect(obs.warningEvents).toHaveLength(2);
    expect(obs.warningEvents).toEqual(
      expect.arrayContaining([
        { ts: now.toISOString(), namespace: 'payments', object: 'pod/worker', reason: 'BackOff', message: 'Back-off restarting failed container', count: 7 },
        expect.objectContaining({ namespace: 'checkout', object: 'pod/stuck', reason: 'FailedScheduling', count: 1, message: expect.stringMatching(/^0\/4 nodes are available: .*3 node\(s\) didn't match Pod's node affinity\/selector/) as unknown }),
      ]),
    );
  });

  it('leaves usage at zero when metrics-server is absent', async () => {
    const bare = await startKubeApiServer({ metricsServer: false });
    seedExecutorFixture(bare);
    const file = join(tempDir(), 'kubeconfig');
    writeFileSync(file, bare.kubeconfig('edge'));
    const obs = await new KubeBackend(loadKubeConfig({ kubeconfig: file, context: 'edge', inCluster: false })).collect(new Date());
    await bare.close();
    expect(obs.nodes.every((n) => n.usage.cpuMillis === 0 && n.usage.memoryBytes === 0)).toBe(true);
    expect(obs.nodes.reduce((s, n) => s + n.usage.pods, 0)).toBe(8);
  });
});

describe('executors', () => {
  it('scales through the scale subresource with a merge patch, idempotently', async () => {
    const first = await backend.scale({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 5 }, ctx());
    expect(first.output).toEqual({ from: 3, to: 5, changed: true });
    const patch = server.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/api/scale'));
    expect(patch?.contentType).toBe('application/merge-patch+json');
    await until(() => server.list('pods', 'payments').filter((p) => p.status.phase === 'Running').length === 5);
    expect((await backend.scale({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 5 }, ctx())).output).toMatchObject({ changed: false });
    await backend.scale({ namespace: 'checkout', name: 'db', kind: 'StatefulSet', replicas: 1 }, ctx());
    await until(() => server.list('pods', 'checkout').map((p) => String(p.metadata.name)).join() === 'db-0');
  });

  it('restarts by stamping the job id on the pod template, once', async () => {
    const before = server.list('pods', 'payments').map((p) => String(p.metadata.uid));
    expect((await backend.restart({ namespace: 'payments', name: 'api', kind: 'Deployment' }, ctx('job-a'))).output).toEqual({ restarted: true });
    expect(server.get('deployments', 'payments', 'api')!.spec.template.metadata.annotations[RESTARTED_BY]).toBe('job-a');
    await until(() => {
      const pods = server.list('pods', 'payments');
      return pods.length === 3 && pods.every((p) => !before.includes(p.metadata.uid) && p.status.phase === 'Running');
    });
    // A re-run writes nothing (not judged by the resourceVersion, which the controllers keep moving).
    expect((await backend.restart({ namespace: 'payments', name: 'api', kind: 'Deployment' }, ctx('job-a'))).output).toEqual({ restarted: false });
    expect(server.get('deployments', 'payments', 'api')!.spec.template.metadata.annotations[RESTARTED_BY]).toBe('job-a');
    expect(server.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/api'))).toHaveLength(1);
  });

  it('cordons and uncordons', async () => {
    expect((await backend.cordon({ node: 'node-2' }, ctx())).output).toEqual({ changed: true });
    expect(server.get('nodes', undefined, 'node-2')!.spec.unschedulable).toBe(true);
    expect((await backend.cordon({ node: 'node-2' }, ctx())).output).toEqual({ changed: false });
    await backend.uncordon({ node: 'node-2' }, ctx());
    expect(server.get('nodes', undefined, 'node-2')!.spec.unschedulable).toBeUndefined();
    await expect(backend.cordon({ node: 'node-9' }, ctx())).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('drains a node through evictions that respect the PodDisruptionBudget, skipping DaemonSet and mirror pods', async () => {
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etcd-node-1', namespace: 'payments', annotations: { 'kubernetes.io/config.mirror': 'x' } }, spec: { nodeName: 'node-1', containers: [{ name: 'etcd', image: 'etcd' }] }, status: { phase: 'Running', containerStatuses: [] } });
    // Put two api pods on node-1 so the second eviction must wait for a replacement to become ready.
    await backend.cordon({ node: 'node-2' }, ctx());
    await backend.cordon({ node: 'node-3' }, ctx());
    await backend.restart({ namespace: 'payments', name: 'api', kind: 'Deployment' }, ctx('pack'));
    await until(() => server.list('pods', 'payments', 'app=api').filter((p) => p.spec.nodeName === 'node-1' && p.status.phase === 'Running').length === 3 && server.list('pods', 'payments', 'app=api').length === 3);
    await backend.uncordon({ node: 'node-2' }, ctx());
    await backend.uncordon({ node: 'node-3' }, ctx());

    // Replacements stay Pending until the budget has refused an eviction, then start.
    const evictable = server.list('pods').filter((p) => p.spec.nodeName === 'node-1' && !p.metadata.annotations?.['kubernetes.io/config.mirror'] && !p.metadata.ownerReferences?.some((r: { kind: string }) => r.kind === 'DaemonSet')).length;
    server.pauseKubelet();
    const draining = backend.drain({ node: 'node-1', timeoutSeconds: 30 }, ctx());
    await until(() => server.requests.some((r) => r.path.endsWith('/eviction') && r.status === 429));
    server.pauseKubelet(false);
    const out = await draining;
    expect(out.output).toMatchObject({ evicted: evictable, skippedDaemonSet: 1, skippedMirror: 1 });
    expect(evictable).toBeGreaterThanOrEqual(3);
    expect(out.output!.retries).toBeGreaterThan(0);
    const left = server.list('pods').filter((p) => p.spec.nodeName === 'node-1').map((p) => String(p.metadata.name)).sort();
    expect(left).toEqual(['etcd-node-1', 'log-agent-node-1']);
    expect(server.get('nodes', undefined, 'node-1')!.spec.unschedulable).toBe(true);
    expect((await backend.drain({ node: 'node-1', timeoutSeconds: 5 }, ctx())).output).toMatchObject({ evicted: 0 });
  });

  it('fails a drain the PodDisruptionBudget blocks past its timeout, naming the budget', async () => {
    server.put({ ...server.get('poddisruptionbudgets', 'payments', 'api')!, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable: 3, selector: { matchLabels: { app: 'api' } } } });
    const err = await backend.drain({ node: 'node-1', timeoutSeconds: 1 }, ctx()).catch((e: unknown) => e as FlotillaError);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).message).toContain('disruption budget');
  });

  it('stops a drain when the agent stops', async () => {
    server.put({ ...server.get('poddisruptionbudgets', 'payments', 'api')!, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable: 3, selector: { matchLabels: { app: 'api' } } } });
    const ac = new AbortController();
    const running = backend.drain({ node: 'node-1', timeoutSeconds: 60 }, { ...ctx(), signal: ac.signal }).catch((e: unknown) => e);
    await until(() => server.requests.some((r) => r.path.endsWith('/eviction') && r.status === 429));
    ac.abort();
    expect(await running).toMatchObject({ kind: 'retry' });
  });

  it('replaces Secret data and a ServiceAccount token Secret', async () => {
    await backend.writeCredentials({ namespace: 'payments', target: 'secret', name: 'api-credentials' }, { user: 'svc', token: 's3cr3t' }, ctx());
    const s = server.get('secrets', 'payments', 'api-credentials')!;
    expect(Object.keys(s.data).sort()).toEqual(['token', 'user']);
    expect(Buffer.from(s.data.token, 'base64').toString()).toBe('s3cr3t');
    const first = await backend.writeCredentials({ namespace: 'payments', target: 'service-account-token', name: 'api' }, { token: 'jwt-1' }, ctx());
    const again = await backend.writeCredentials({ namespace: 'payments', target: 'service-account-token', name: 'api' }, { token: 'jwt-2' }, ctx());
    expect(first.output!.secret).toBe(again.output!.secret);
    const tok = server.get('secrets', 'payments', String(first.output!.secret))!;
    expect(tok.type).toBe('kubernetes.io/service-account-token');
    expect(tok.metadata.annotations['kubernetes.io/service-account.name']).toBe('api');
    expect(Buffer.from(tok.data.token, 'base64').toString()).toBe('jwt-2');
    expect(JSON.stringify(first) + JSON.stringify(again)).not.toContain('jwt');
    // The token controller fills the CA and namespace in; a rotation keeps them.
    await until(() => server.get('secrets', 'payments', String(first.output!.secret))!.data['ca.crt'] !== undefined);
    let raced = false;
    server.beforeRequest(
      (r) => r.method !== 'GET' && r.path === `/api/v1/namespaces/payments/secrets/${String(first.output!.secret)}`,
      () => {
        raced = server.modify('secrets', 'payments', String(first.output!.secret), (o) => (o.metadata.labels = { touched: 'by-a-controller' }));
      },
    );
    await backend.writeCredentials({ namespace: 'payments', target: 'service-account-token', name: 'api' }, { token: 'jwt-3' }, ctx());
    expect(raced).toBe(true);
    const rotated = server.get('secrets', 'payments', String(first.output!.secret))!;
    expect(Object.keys(rotated.data).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(Buffer.from(rotated.data.token, 'base64').toString()).toBe('jwt-3');
    await expect(backend.writeCredentials({ namespace: 'payments', target: 'secret', name: 'missing' }, { a: 'b' }, ctx())).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('exports portable objects and applies them to another namespace with server-side apply', async () => {
    server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'payments' }, data: { mode: 'live' } });
    const objs = await backend.exportObjects(['payments'], ctx());
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/payments', 'ServiceAccount/api', 'Secret/api-credentials', 'ConfigMap/api-config', 'ConfigMap/settings', 'Service/api', 'Deployment/api', 'PodDisruptionBudget/api']);
    for (const o of objs) {
      expect(o).not.toHaveProperty('status');
      for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'ownerReferences']) expect(o.metadata).not.toHaveProperty(k);
    }
    expect((objs.find((o) => o.kind === 'Service') as unknown as { spec: object }).spec).not.toHaveProperty('clusterIP');

    const moved = objs.map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { ...o.metadata, name: 'payments-copy' } } : { ...o, metadata: { ...o.metadata, namespace: 'payments-copy' } }));
    const res = await backend.applyObjects([...moved].reverse(), ctx());
    expect(res.output).toMatchObject({ applied: 8, unchanged: 0 });
    const applies = server.requests.filter((r) => r.contentType === 'application/apply-patch+yaml');
    expect(applies[0]!.path).toBe('/api/v1/namespaces/payments-copy');
    expect(applies.every((r) => r.query.fieldManager === 'flotilla' && r.query.force === 'true' && r.query.fieldValidation === 'Strict' && r.status < 300)).toBe(true);
    expect(server.get('configmaps', 'payments-copy', 'settings')!.data).toEqual({ mode: 'live' });
    // Again at once, while the controllers are still rolling the copy out and writing its status.
    expect((await backend.applyObjects(moved, ctx())).output).toMatchObject({ applied: 8, unchanged: 8 });
    await until(() => server.list('pods', 'payments-copy').filter((p) => p.status.phase === 'Running').length === 3);
  });

  it('refuses a manifest with a field the API does not declare, naming it, as written and not silently trimmed', async () => {
    const typo = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typo', namespace: 'payments' }, spec: { replica: 2, selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 't', image: 't:1' }] } } } };
    const err = await backend.applyObjects([typo], ctx()).catch((e: unknown) => e as FlotillaError);
    expect(err).toMatchObject({ kind: 'usage' });
    expect((err as FlotillaError).message).toContain('.spec.replica: field not declared in schema');
    expect(server.get('deployments', 'payments', 'typo')).toBeUndefined();
    const sent = server.requests.find((r) => r.path.endsWith('/deployments/typo') && r.method === 'PATCH');
    expect(sent?.body).toMatchObject({ spec: { replica: 2 } });
  });

  describe('an apply counts unchanged from the content the manifest manages', () => {
    const manifests = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'release' }, data: { MODE: 'blue', LEVEL: 'info' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'release', labels: { app: 'web' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:2.0', resources: { requests: { cpu: '100m' } } }] } } } },
    ];
    const applyOf = (plural: string, name: string) => (r: { method: string; path: string; query: Record<string, string> }) => r.method === 'PATCH' && r.path.endsWith(`/namespaces/release/${plural}/${name}`) && r.query.fieldManager === 'flotilla';

    it('still unchanged when a controller writes the object between the read and the apply', async () => {
      await backend.applyObjects(manifests, ctx());
      let moved = false;
      // The deployment controller's status and revision annotation, landing right after the agent's read.
      server.beforeRequest(applyOf('deployments', 'web'), () => {
        moved = server.modify('deployments', 'release', 'web', (d) => {
          d.metadata.annotations = { ...d.metadata.annotations, 'deployment.kubernetes.io/revision': '7' };
          d.status = { ...d.status, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'written between the read and the apply' }] };
        });
      });
      const before = server.get('deployments', 'release', 'web')!.metadata.resourceVersion as string;
      expect((await backend.applyObjects(manifests, ctx())).output).toMatchObject({ applied: 2, unchanged: 2 });
      expect(moved).toBe(true);
      expect(Number(server.get('deployments', 'release', 'web')!.metadata.resourceVersion)).toBeGreaterThan(Number(before));
    });

    it('changed when the manifest sets another value, drops a field, or takes back a hand edit', async () => {
      await backend.applyObjects(manifests, ctx());
      const [cm, deploy] = manifests as [(typeof manifests)[0], (typeof manifests)[1]];
      expect((await backend.applyObjects([{ ...cm, data: { MODE: 'green', LEVEL: 'info' } }, deploy], ctx())).output).toMatchObject({ unchanged: 1 });
      expect((await backend.applyObjects([{ ...cm, data: { MODE: 'green' } }, deploy], ctx())).output).toMatchObject({ unchanged: 1 });
      expect(server.get('configmaps', 'release', 'web-config')!.data).toEqual({ MODE: 'green' });
      server.modify('configmaps', 'release', 'web-config', (o) => (o.data.MODE = 'edited'));
      expect((await backend.applyObjects([{ ...cm, data: { MODE: 'green' } }, deploy], ctx())).output).toMatchObject({ unchanged: 1 });
      expect(server.get('configmaps', 'release', 'web-config')!.data).toEqual({ MODE: 'green' });
    });
  });

  it('cleans up by selector, by namespace and by teardown', async () => {
    server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tmp', namespace: 'payments', labels: { purpose: 'test' } }, data: {} });
    server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'payments' }, data: {} });
    const sel = await backend.cleanup({ selector: 'purpose=test', teardown: false }, ctx());
    expect(sel.output).toMatchObject({ deleted: 1 });
    expect(server.get('configmaps', 'payments', 'tmp')).toBeUndefined();
    expect(server.get('configmaps', 'payments', 'keep')).toBeDefined();

    await backend.cleanup({ namespace: 'checkout', teardown: false }, ctx());
    await until(() => server.get('namespaces', undefined, 'checkout') === undefined && server.list('pods', 'checkout').length === 0);
    expect((await backend.cleanup({ namespace: 'checkout', teardown: false }, ctx())).output).toMatchObject({ deleted: false });

    server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'preview-1', labels: { 'flotilla.dev/managed': 'true' } } });
    const td = await backend.cleanup({ teardown: true }, ctx());
    expect(td.output).toEqual({ namespaces: ['preview-1'] });
    await until(() => server.get('namespaces', undefined, 'preview-1') === undefined);
    expect(server.get('namespaces', undefined, 'payments')).toBeDefined();
  });

  it('turns a 403 into a forbidden error naming the verb and resource', async () => {
    server.deny({ verb: 'patch', resource: 'nodes' });
    const err = await backend.cordon({ node: 'node-1' }, ctx()).catch((e: unknown) => e as FlotillaError);
    expect(err).toMatchObject({ kind: 'forbidden' });
    expect((err as FlotillaError).next).toContain('"patch" on resource "nodes"');
  });
});
