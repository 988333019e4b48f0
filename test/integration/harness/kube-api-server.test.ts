// The Kubernetes API test server behaves like a real one where the agent relies on it, checked
// through @kubernetes/client-node as the agent uses it (and, where that client cannot send what is
// checked — it drops fields its models do not know — through a plain HTTPS request with the CA the
// kubeconfig carries).
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreApi,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  Metrics,
  PatchStrategy,
  PolicyApi,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeBackend } from '../../../agent/kube/backend.js';
import { loadKubeConfig } from '../../../agent/kube/config.js';
import { seedExecutorFixture, startKubeApiServer, TEST_TOKEN, type KubeApiServer } from '../../harness/kube-api-server.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let server: KubeApiServer;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const RFC3339_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

beforeEach(async () => {
  server = await startKubeApiServer({ tickMs: 10 });
  seedExecutorFixture(server);
  const file = join(tempDir(), 'kubeconfig');
  writeFileSync(file, server.kubeconfig('edge'));
  kc = loadKubeConfig({ kubeconfig: file, context: 'edge', inCluster: false });
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
});
afterEach(async () => {
  await server.close();
});
afterAll(cleanupTempDirs);

async function until(what: string, pred: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await pred()) return;
    await sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

async function refused(p: Promise<unknown>): Promise<ApiException<unknown>> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiException);
  return e as ApiException<unknown>;
}

/** The Status object of a refusal, as the client hands it over (a string or parsed JSON). */
function status(e: ApiException<unknown>): Record<string, unknown> {
  return (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as Record<string, unknown>;
}

/** A request as any HTTPS client makes it, verifying the server with the kubeconfig's CA: for what client-node cannot send, and the raw JSON. */
function raw(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Record<string, unknown> }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca: server.ca, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const configMap = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'payments' }, data, ...extra });

describe('TLS', () => {
  it('serves HTTPS with a certificate the kubeconfig CA verifies, and a client without that CA refuses it', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.getCurrentCluster()).toMatchObject({ skipTLSVerify: false });
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
    const stranger = new KubeConfig();
    stranger.loadFromOptions({ clusters: [{ name: 't', server: server.url, skipTLSVerify: false }], users: [{ name: 'u', token: TEST_TOKEN }], contexts: [{ name: 'c', cluster: 't', user: 'u' }], currentContext: 'c' });
    await expect(stranger.makeApiClient(CoreV1Api).listNamespace()).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});

describe('what every cluster has', () => {
  it('has the system namespaces, each with its default ServiceAccount and kube-root-ca.crt', async () => {
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'payments']) {
      expect((await core.readNamespacedServiceAccount({ name: 'default', namespace: ns })).metadata?.name).toBe('default');
      expect((await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: ns })).data?.['ca.crt']).toBe(server.ca);
    }
  });
});

describe('discovery', () => {
  it('advertises every group it serves, and every advertised resource answers', async () => {
    expect((await kc.makeApiClient(CoreApi).getAPIVersions()).versions).toEqual(['v1']);
    const groups = (await kc.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.preferredVersion?.groupVersion);
    expect(groups).toEqual(expect.arrayContaining(['apps/v1', 'policy/v1', 'metrics.k8s.io/v1beta1']));
    expect((await kc.makeApiClient(PolicyApi).getAPIGroup()).preferredVersion?.groupVersion).toBe('policy/v1');
    for (const gv of ['v1', 'apps/v1', 'policy/v1']) {
      const list = (await raw('GET', gv === 'v1' ? '/api/v1' : `/apis/${gv}`)).json as { resources: { name: string; kind: string; group?: string }[] };
      for (const r of list.resources.filter((x) => !x.name.includes('/'))) {
        const items = await objects.list(gv, r.kind);
        expect(Array.isArray(items.items), `${gv} ${r.kind}`).toBe(true);
      }
      for (const r of list.resources.filter((x) => x.name.includes('/'))) expect(['pods/eviction', 'pods/log', 'deployments/scale', 'replicasets/scale', 'statefulsets/scale']).toContain(r.name);
    }
    expect((await new Metrics(kc).getNodeMetrics()).items.map((m) => m.metadata.name).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    expect((await raw('GET', '/apis/batch/v1')).status).toBe(404);
    const bare = await startKubeApiServer({ metricsServer: false });
    try {
      const kc2 = new KubeConfig();
      kc2.loadFromString(bare.kubeconfig('edge'));
      kc2.setCurrentContext('edge');
      expect((await kc2.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name)).not.toContain('metrics.k8s.io');
    } finally {
      await bare.close();
    }
  });
});

describe('timestamps', () => {
  it('keeps metav1.Time in whole seconds (a fraction sent is cut off) and an event time in microseconds', async () => {
    const sent = new Date('2026-03-01T10:20:30.456Z');
    await core.createNamespacedEvent({ namespace: 'payments', body: { metadata: { name: 'e1', namespace: 'payments' }, involvedObject: { kind: 'Pod', name: 'x', namespace: 'payments' }, reason: 'Test', message: 'm', type: 'Warning', count: 1, firstTimestamp: sent, lastTimestamp: sent } });
    const back = await core.readNamespacedEvent({ name: 'e1', namespace: 'payments' });
    expect(back.lastTimestamp?.toISOString()).toBe('2026-03-01T10:20:30.000Z');
    const rawEvent = (await raw('GET', '/api/v1/namespaces/payments/events/e1')).json as { lastTimestamp: string; metadata: { creationTimestamp: string; managedFields: { time: string }[] } };
    expect(rawEvent.lastTimestamp).toBe('2026-03-01T10:20:30Z');
    expect(rawEvent.metadata.creationTimestamp).toMatch(RFC3339_SECONDS);
    expect(rawEvent.metadata.managedFields[0]!.time).toMatch(RFC3339_SECONDS);
    const pods = (await raw('GET', '/api/v1/namespaces/payments/pods')).json as { items: { status: { startTime: string; conditions: { lastTransitionTime: string }[] } }[] };
    for (const p of pods.items) {
      expect(p.status.startTime).toMatch(RFC3339_SECONDS);
      for (const c of p.status.conditions) expect(c.lastTransitionTime).toMatch(RFC3339_SECONDS);
    }
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: 'payments' }, spec: { nodeSelector: { gpu: 'true' }, containers: [{ name: 'c', image: 'x:1' }] }, status: { phase: 'Pending' } });
    await until('FailedScheduling', () => server.list('events', 'payments').some((e) => e.reason === 'FailedScheduling'));
    const failed = ((await raw('GET', '/api/v1/namespaces/payments/events?fieldSelector=reason%3DFailedScheduling')).json as { items: { eventTime: string; lastTimestamp: unknown }[] }).items[0]!;
    expect(failed.eventTime).toMatch(RFC3339_MICRO);
    expect(failed.lastTimestamp).toBeNull();
  });
});

describe('defaults', () => {
  it('fills the defaults a real API server adds, and the deployment controller numbers revisions', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'payments',
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }, { name: 'side', image: 'registry.example/side' }] } } } },
    });
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'payments' });
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    expect(d.spec?.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler', securityContext: {} });
    expect(d.spec?.template.spec?.containers.map((c) => [c.imagePullPolicy, c.terminationMessagePath, c.terminationMessagePolicy])).toEqual([
      ['IfNotPresent', '/dev/termination-log', 'File'],
      ['Always', '/dev/termination-log', 'File'],
    ]);
    expect(d.metadata?.generation).toBe(1);
    await until('revision 1', async () => (await apps.readNamespacedDeployment({ name: 'web', namespace: 'payments' })).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1');
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'payments', body: { spec: { template: { metadata: { annotations: { rollout: '2' } } } } } }, mergePatch);
    await until('revision 2', async () => (await apps.readNamespacedDeployment({ name: 'web', namespace: 'payments' })).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2');
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'payments' })).metadata?.generation).toBe(2);
    const sets = (await apps.listNamespacedReplicaSet({ namespace: 'payments', labelSelector: 'app=web' })).items.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
    expect(sets).toEqual(['1', '2']);

    await core.createNamespacedService({ namespace: 'payments', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    const svc = await core.readNamespacedService({ name: 'web', namespace: 'payments' });
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
    await core.createNamespacedSecret({ namespace: 'payments', body: { metadata: { name: 'plain' }, data: {} } });
    expect((await core.readNamespacedSecret({ name: 'plain', namespace: 'payments' })).type).toBe('Opaque');
  });
});

describe('field validation', () => {
  it('Strict refuses an unknown field with the real Status, Warn drops it with a Warning header, Ignore drops it silently', async () => {
    await core.createNamespacedConfigMap({ namespace: 'payments', body: configMap('fv', { a: '1' }) });
    const strict = await refused(core.patchNamespacedConfigMap({ name: 'fv', namespace: 'payments', body: { data: { a: '2' }, spec: { x: 1 } }, fieldValidation: 'Strict' }, mergePatch));
    expect(strict.code).toBe(400);
    expect(status(strict)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'strict decoding error: unknown field "spec"', reason: 'BadRequest', code: 400 });
    expect((await core.readNamespacedConfigMap({ name: 'fv', namespace: 'payments' })).data).toEqual({ a: '1' });

    const warned = await core.patchNamespacedConfigMapWithHttpInfo({ name: 'fv', namespace: 'payments', body: { data: { a: '2' }, spec: { x: 1 } }, fieldValidation: 'Warn' }, mergePatch);
    expect(warned.headers.warning).toBe('299 - "unknown field \\"spec\\""');
    expect(warned.data.data).toEqual({ a: '2' });
    expect(warned.data).not.toHaveProperty('spec');
    const ignored = await core.patchNamespacedConfigMapWithHttpInfo({ name: 'fv', namespace: 'payments', body: { data: { a: '3' }, spec: { x: 1 } }, fieldValidation: 'Ignore' }, mergePatch);
    expect(ignored.headers.warning).toBeUndefined();
    expect(ignored.data.data).toEqual({ a: '3' });
    // The server's default is Warn.
    const byDefault = await core.patchNamespacedConfigMapWithHttpInfo({ name: 'fv', namespace: 'payments', body: { spec: { x: 1 } } }, mergePatch);
    expect(byDefault.headers.warning).toContain('unknown field');
    expect(status(await refused(core.patchNamespacedConfigMap({ name: 'fv', namespace: 'payments', body: {}, fieldValidation: 'Loose' }, mergePatch)))).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('server-side apply words a Strict refusal as the schema check does, and a create is validated too', async () => {
    const manifest = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typo', namespace: 'payments' }, spec: { replica: 2, selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 't', image: 't:1', imagePolicy: 'Always' }] } } } };
    const e = await refused(apps.patchNamespacedDeployment({ name: 'typo', namespace: 'payments', body: manifest, fieldManager: 'flotilla', fieldValidation: 'Strict' }, apply));
    expect(status(e)).toMatchObject({ code: 400, reason: 'BadRequest', message: '.spec.replica: field not declared in schema, .spec.template.spec.containers[0].imagePolicy: field not declared in schema' });
    await expect(apps.readNamespacedDeployment({ name: 'typo', namespace: 'payments' })).rejects.toMatchObject({ code: 404 });
    // client-node's typed create drops fields its models do not know before sending: the server never sees them.
    await core.createNamespacedConfigMap({ namespace: 'payments', body: configMap('typed', { a: '1' }, { spec: { x: 1 } }), fieldValidation: 'Strict' });
    const strictCreate = await raw('POST', '/api/v1/namespaces/payments/configmaps?fieldValidation=Strict', configMap('raw', { a: '1' }, { spec: { x: 1 } }));
    expect(strictCreate.status).toBe(400);
    expect(strictCreate.json).toMatchObject({ kind: 'Status', message: 'strict decoding error: unknown field "spec"' });
    const warnedCreate = await raw('POST', '/api/v1/namespaces/payments/configmaps', configMap('raw', { a: '1' }, { spec: { x: 1 } }));
    expect(warnedCreate.status).toBe(201);
    expect(warnedCreate.headers.warning).toBe('299 - "unknown field \\"spec\\""');
    const replaced = await raw('PUT', '/api/v1/namespaces/payments/configmaps/raw?fieldValidation=Strict', configMap('raw', { a: '2' }, { extra: true }));
    expect(replaced.json).toMatchObject({ code: 400, message: 'strict decoding error: unknown field "extra"' });
  });
});

describe('dry runs', () => {
  it('never persist a create, a patch, a delete or an eviction, and answer as if they had', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'payments', body: configMap('dry', { a: '1' }), dryRun: 'All' });
    expect(created.metadata).toMatchObject({ name: 'dry', namespace: 'payments' });
    expect(created.metadata?.uid).toBeDefined();
    expect(created.metadata?.resourceVersion).toBeUndefined();
    await expect(core.readNamespacedConfigMap({ name: 'dry', namespace: 'payments' })).rejects.toMatchObject({ code: 404 });

    const before = await core.readNamespacedConfigMap({ name: 'api-config', namespace: 'payments' });
    const patched = await core.patchNamespacedConfigMap({ name: 'api-config', namespace: 'payments', body: { data: { LOG_LEVEL: 'debug' } }, dryRun: 'All' }, mergePatch);
    expect(patched.data).toEqual({ LOG_LEVEL: 'debug' });
    expect(patched.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(await core.readNamespacedConfigMap({ name: 'api-config', namespace: 'payments' })).toEqual(before);

    await core.deleteNamespacedConfigMap({ name: 'api-config', namespace: 'payments', dryRun: 'All' });
    expect((await core.readNamespacedConfigMap({ name: 'api-config', namespace: 'payments' })).metadata?.uid).toBe(before.metadata?.uid);

    server.pauseKubelet();
    const [pod] = (await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app=api' })).items;
    const pdbBefore = server.get('poddisruptionbudgets', 'payments', 'api')!.status;
    await core.createNamespacedPodEviction({ name: pod!.metadata!.name!, namespace: 'payments', dryRun: 'All', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod!.metadata!.name!, namespace: 'payments' } } });
    expect(server.get('pods', 'payments', pod!.metadata!.name!)!.metadata.deletionTimestamp).toBeUndefined();
    expect(server.get('poddisruptionbudgets', 'payments', 'api')!.status).toEqual(pdbBefore);
    expect(status(await refused(core.createNamespacedConfigMap({ namespace: 'payments', body: configMap('dry', {}), dryRun: 'Some' })))).toMatchObject({ code: 422, reason: 'Invalid', message: expect.stringContaining('dryRun: Unsupported value: "Some"') as unknown });
  });
});

describe('field selectors', () => {
  it('answers the field labels a resource supports and refuses any other with a 400', async () => {
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-1,status.phase=Running' })).items.every((p) => p.spec?.nodeName === 'node-1')).toBe(true);
    expect((await core.listNamespacedSecret({ namespace: 'payments', fieldSelector: 'type=Opaque' })).items.map((s) => s.metadata?.name)).toEqual(['api-credentials']);
    expect((await core.listNamespacedConfigMap({ namespace: 'payments', fieldSelector: 'metadata.name=api-config' })).items).toHaveLength(1);
    expect((await core.listNode({ fieldSelector: 'spec.unschedulable=false' })).items).toHaveLength(3);
    const e = await refused(core.listPodForAllNamespaces({ fieldSelector: 'spec.containers=x' }));
    expect(status(e)).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.containers' });
    expect(status(await refused(core.listNamespacedConfigMap({ namespace: 'payments', fieldSelector: 'data.a=1' })))).toMatchObject({ code: 400 });
  });
});

describe('service-account token Secrets', () => {
  it('need the ServiceAccount annotation; the token controller fills token, ca.crt and namespace, and deletes a token of no account', async () => {
    const bare = { metadata: { name: 'api-token', namespace: 'payments' }, type: 'kubernetes.io/service-account-token' };
    const e = await refused(core.createNamespacedSecret({ namespace: 'payments', body: bare }));
    expect(status(e)).toMatchObject({ code: 422, reason: 'Invalid', message: 'Secret "api-token" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value' });
    await core.createNamespacedSecret({ namespace: 'payments', body: { ...bare, metadata: { ...bare.metadata, annotations: { 'kubernetes.io/service-account.name': 'api' } } } });
    await until('token filled in', async () => (await core.readNamespacedSecret({ name: 'api-token', namespace: 'payments' })).data?.token !== undefined);
    const s = await core.readNamespacedSecret({ name: 'api-token', namespace: 'payments' });
    const sa = await core.readNamespacedServiceAccount({ name: 'api', namespace: 'payments' });
    expect(Buffer.from(s.data!['ca.crt']!, 'base64').toString()).toBe(server.ca);
    expect(Buffer.from(s.data!.namespace!, 'base64').toString()).toBe('payments');
    expect(Buffer.from(s.data!.token!, 'base64').toString().split('.')).toHaveLength(3);
    expect(s.metadata?.annotations?.['kubernetes.io/service-account.uid']).toBe(sa.metadata?.uid);
    await core.createNamespacedSecret({ namespace: 'payments', body: { ...bare, metadata: { name: 'ghost-token', annotations: { 'kubernetes.io/service-account.name': 'ghost' } } } });
    await until('orphan token deleted', async () => (await core.listNamespacedSecret({ namespace: 'payments' })).items.every((x) => x.metadata?.name !== 'ghost-token'));
  });
});

describe('managedFields', () => {
  it('lists items with their managedFields, and an Update takes the fields it changes from the apply manager', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', namespace: 'payments' }, data: { a: '1', b: '2' } };
    await core.patchNamespacedConfigMap({ name: 'owned', namespace: 'payments', body: cm, fieldManager: 'flotilla' }, apply);
    const managers = async (): Promise<Record<string, unknown>> => {
      const item = (await core.listNamespacedConfigMap({ namespace: 'payments', fieldSelector: 'metadata.name=owned' })).items[0]!;
      return Object.fromEntries((item.metadata?.managedFields ?? []).map((m) => [`${m.manager}/${m.operation}`, m.fieldsV1]));
    };
    expect(await managers()).toEqual({ 'flotilla/Apply': { 'f:data': { 'f:a': {}, 'f:b': {} } } });
    await core.patchNamespacedConfigMap({ name: 'owned', namespace: 'payments', body: { data: { a: 'edited' } }, fieldManager: 'kubectl-edit' }, mergePatch);
    expect(await managers()).toEqual({ 'flotilla/Apply': { 'f:data': { 'f:b': {} } }, 'kubectl-edit/Update': { 'f:data': { 'f:a': {} } } });
    const conflict = await refused(core.patchNamespacedConfigMap({ name: 'owned', namespace: 'payments', body: cm, fieldManager: 'flotilla' }, apply));
    expect(status(conflict)).toMatchObject({ code: 409, reason: 'Conflict', details: { causes: [{ type: 'FieldManagerConflict', field: '.data.a', message: 'conflict with "kubectl-edit" using v1' }] } });
    await core.patchNamespacedConfigMap({ name: 'owned', namespace: 'payments', body: cm, fieldManager: 'flotilla', force: true }, apply);
    expect(await managers()).toEqual({ 'flotilla/Apply': { 'f:data': { 'f:a': {}, 'f:b': {} } } });
    expect((await core.readNamespacedConfigMap({ name: 'owned', namespace: 'payments' })).data).toEqual({ a: '1', b: '2' });
    // A field the applier drops goes, unless someone else owns it too.
    await core.patchNamespacedConfigMap({ name: 'owned', namespace: 'payments', body: { ...cm, data: { a: '1' } }, fieldManager: 'flotilla' }, apply);
    expect((await core.readNamespacedConfigMap({ name: 'owned', namespace: 'payments' })).data).toEqual({ a: '1' });
    await apps.patchNamespacedDeploymentScale({ name: 'api', namespace: 'payments', body: { spec: { replicas: 4 } }, fieldManager: 'hpa' }, mergePatch);
    const deployment = (await apps.listNamespacedDeployment({ namespace: 'payments' })).items.find((d: V1Deployment) => d.metadata?.name === 'api')!;
    expect(deployment.metadata?.managedFields?.find((m) => m.manager === 'hpa')).toMatchObject({ operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });
});

describe('evictions', () => {
  const evict = (name: string) => core.createNamespacedPodEviction({ name, namespace: 'payments', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'payments' } } });

  it('are judged by the budget status: of two in parallel one is booked, the other gets the 429 a real server sends', async () => {
    server.pauseKubelet();
    expect(server.get('poddisruptionbudgets', 'payments', 'api')!.status).toMatchObject({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });
    const names = (await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app=api' })).items.map((p) => p.metadata!.name!);
    const outcomes = await Promise.allSettled([evict(names[0]!), evict(names[1]!)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    const e = rejected!.reason as ApiException<unknown>;
    expect(e.code).toBe(429);
    // Until the disruption controller's next pass the status still counts 3 healthy: the booked eviction took the allowed disruption only.
    expect(status(e)).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: expect.stringMatching(/^The disruption budget api needs 2 healthy pods and has [23] currently$/) as unknown }] } });
    const untouched = names.slice(0, 2).filter((n) => {
      const pod = server.get('pods', 'payments', n);
      return pod !== undefined && pod.metadata.deletionTimestamp === undefined;
    });
    expect(untouched).toHaveLength(1);
  });

  it('answer 429 with Retry-After while the budget status is stale, and go ahead once the disruption controller caught up', async () => {
    const [name] = (await core.listNamespacedPod({ namespace: 'payments', labelSelector: 'app=api' })).items.map((p) => p.metadata!.name!);
    // A spec change lands right before the eviction: its generation is ahead of the status.
    server.beforeRequest(
      (r) => r.path.endsWith('/eviction'),
      () => server.modify('poddisruptionbudgets', 'payments', 'api', (p) => (p.spec.minAvailable = 1)),
    );
    const e = await refused(evict(name!));
    expect(e.code).toBe(429);
    expect(e.headers['retry-after']).toBe('10');
    expect(status(e)).toMatchObject({ details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget api is still being processed by the server.' }] } });
    await until('status caught up', () => server.get('poddisruptionbudgets', 'payments', 'api')!.status.observedGeneration === server.get('poddisruptionbudgets', 'payments', 'api')!.metadata.generation);
    // Held terminating, so the next controller tick cannot remove the pod before it is read.
    server.pauseKubelet();
    await evict(name!);
    const evicted = server.get('pods', 'payments', name!)!;
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(evicted.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'DisruptionTarget', reason: 'EvictionByEvictionAPI' })]));
    server.pauseKubelet(false);
  });
});

describe('Warning events from the controllers', () => {
  it('the scheduler reports FailedScheduling and the kubelet Evicted, and the agent collects both', async () => {
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gpu-job', namespace: 'checkout' }, spec: { nodeSelector: { gpu: 'true' }, containers: [{ name: 'c', image: 'x:1' }] }, status: { phase: 'Pending' } });
    server.nodePressure('node-2', 'MemoryPressure');
    await until('both events', () => ['FailedScheduling', 'Evicted'].every((r) => server.list('events').some((e) => e.reason === r)));
    const warnings = (await core.listEventForAllNamespaces({ fieldSelector: 'type=Warning' })).items;
    expect(warnings.find((e) => e.reason === 'FailedScheduling')).toMatchObject({ reportingComponent: 'default-scheduler', action: 'Scheduling', involvedObject: { kind: 'Pod', name: 'gpu-job', namespace: 'checkout' }, message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling." });
    const evicted = warnings.find((e) => e.reason === 'Evicted')!;
    expect(evicted).toMatchObject({ source: { component: 'kubelet', host: 'node-2' }, count: 1, message: 'The node was low on resource: memory. ' });
    // The first pod on the node by namespace and name: db-1, which its StatefulSet makes again off the pressured node.
    expect(evicted.involvedObject).toMatchObject({ namespace: 'checkout', name: 'db-1' });
    await until('db-1 made again elsewhere', () => {
      const db1 = server.get('pods', 'checkout', 'db-1');
      return db1 !== undefined && db1.metadata.uid !== evicted.involvedObject.uid && db1.spec.nodeName !== 'node-2';
    });
    const obs = await new KubeBackend(kc).collect(new Date());
    expect(obs.warningEvents.map((e) => `${e.reason} ${e.object}`).sort()).toEqual([`Evicted pod/${String(evicted.involvedObject.name)}`, 'FailedScheduling pod/gpu-job']);
  });
});
