// The cluster backend over the Kubernetes API (@kubernetes/client-node 1.4): status collection and
// every job executor. Each executor is idempotent — a re-run after a crash finds the work done and
// changes nothing — which the agent's journal relies on for exactly-once effects.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  Metrics,
  PatchStrategy,
  VersionApi,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { jitteredBackoffMs } from '../../core/backoff.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobParams } from '../../core/jobs.js';
import type { ActionContext, ActionOutcome, ClusterActions, KubeObject } from '../actions.js';
import type { ClusterBackend, ClusterObservation } from '../backend.js';
import { applyOrder, EXPORTED_KINDS, isClusterGenerated, portable } from './export.js';
import { httpCode, kubeError } from './errors.js';
import { applyUnchanged } from './managed.js';
import { ManifestApi } from './manifests.js';
import { observeSnapshot } from './observe.js';
import { bytes, cpuMillis } from './quantity.js';

export const RESTARTED_BY = 'flotilla.dev/restarted-by';
export const MANAGED_LABEL = 'flotilla.dev/managed';
const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
/** The keys of a token Secret that the token controller fills in, not the credentials. */
const TOKEN_CONTROLLER_KEYS = ['ca.crt', 'namespace'];
/** Kinds a selector cleanup deletes, in reverse apply order so workloads go before what they use. */
const CLEANUP_KINDS = [...EXPORTED_KINDS].reverse();

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export interface KubeBackendOptions {
  /** Bounds the drain's eviction retry backoff (ms); tests shorten it. */
  evictionBackoff?: { baseMs: number; capMs: number };
  /** How often a drain looks whether the evicted pods are gone (ms). */
  drainPollMs?: number;
}

function aborted(what: string): FlotillaError {
  return new FlotillaError('retry', `${what} was interrupted because the agent is stopping`, 'Nothing to do: the agent resumes the job when it starts again.');
}

export class KubeBackend implements ClusterBackend, ClusterActions {
  readonly kind = 'kube';
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly manifests: ManifestApi;
  private readonly version: VersionApi;
  private readonly metrics: Metrics;

  constructor(
    kc: KubeConfig,
    private readonly opts: KubeBackendOptions = {},
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.version = kc.makeApiClient(VersionApi);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.manifests = ManifestApi.forConfig(kc);
    this.metrics = new Metrics(kc);
  }

  async close(): Promise<void> {}

  // ---- status ----

  /** Pod → node from the latest status collection, for log records. */
  private podNodes = new Map<string, string>();

  podNode(namespace: string, pod: string): string | undefined {
    return this.podNodes.get(`${namespace}/${pod}`);
  }

  async collect(now: Date): Promise<ClusterObservation> {
    const call = <T>(verb: string, resource: string, p: Promise<T>): Promise<T> => p.catch((e: unknown) => Promise.reject(kubeError(e, verb, resource, resource)));
    const [version, nodes, pods, deployments, statefulSets, daemonSets, events, nodeUsage] = await Promise.all([
      call('get', 'version', this.version.getCode()),
      call('list', 'nodes', this.core.listNode()),
      call('list', 'pods', this.core.listPodForAllNamespaces()),
      call('list', 'deployments', this.apps.listDeploymentForAllNamespaces()),
      call('list', 'statefulsets', this.apps.listStatefulSetForAllNamespaces()),
      call('list', 'daemonsets', this.apps.listDaemonSetForAllNamespaces()),
      call('list', 'events', this.core.listEventForAllNamespaces({ fieldSelector: 'type=Warning' })),
      this.nodeUsage(),
    ]);
    this.podNodes = new Map(pods.items.map((p) => [`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p.spec?.nodeName ?? '']));
    return observeSnapshot(
      { gitVersion: version.gitVersion, nodes: nodes.items, pods: pods.items, deployments: deployments.items, statefulSets: statefulSets.items, daemonSets: daemonSets.items, warningEvents: events.items, ...(nodeUsage ? { nodeUsage } : {}) },
      now,
    );
  }

  /** metrics-server is optional: without it usage stays at zero rather than failing the report. */
  private async nodeUsage(): Promise<Map<string, { cpuMillis: number; memoryBytes: number }> | undefined> {
    try {
      const list = await this.metrics.getNodeMetrics();
      return new Map(list.items.map((m) => [m.metadata.name, { cpuMillis: cpuMillis(m.usage.cpu), memoryBytes: bytes(m.usage.memory) }]));
    } catch {
      return undefined;
    }
  }

  // ---- workloads ----

  async scale(p: JobParams<'scale'>, _ctx: ActionContext): Promise<ActionOutcome> {
    const what = `${p.kind} ${p.namespace}/${p.name}`;
    const resource = p.kind === 'Deployment' ? 'deployments/scale' : 'statefulsets/scale';
    try {
      const req = { name: p.name, namespace: p.namespace };
      const before = p.kind === 'Deployment' ? await this.apps.readNamespacedDeploymentScale(req) : await this.apps.readNamespacedStatefulSetScale(req);
      const from = before.spec?.replicas ?? 0;
      if (from === p.replicas) return { detail: `${what} already has ${p.replicas} replicas`, output: { from, to: p.replicas, changed: false } };
      const body = { ...req, body: { spec: { replicas: p.replicas } } };
      if (p.kind === 'Deployment') await this.apps.patchNamespacedDeploymentScale(body, mergePatch);
      else await this.apps.patchNamespacedStatefulSetScale(body, mergePatch);
      return { detail: `${what} scaled from ${from} to ${p.replicas} replicas`, output: { from, to: p.replicas, changed: true } };
    } catch (e) {
      throw kubeError(e, httpCode(e) === 403 ? 'patch' : 'get', resource, what);
    }
  }

  async restart(p: JobParams<'restart'>, ctx: ActionContext): Promise<ActionOutcome> {
    const what = `${p.kind} ${p.namespace}/${p.name}`;
    const resource = p.kind === 'Deployment' ? 'deployments' : 'statefulsets';
    let verb = 'get';
    try {
      const req = { name: p.name, namespace: p.namespace };
      const cur = p.kind === 'Deployment' ? await this.apps.readNamespacedDeployment(req) : await this.apps.readNamespacedStatefulSet(req);
      if (cur.spec?.template.metadata?.annotations?.[RESTARTED_BY] === ctx.jobId) {
        return { detail: `${what} was already restarted by this job`, output: { restarted: false } };
      }
      verb = 'patch';
      const body = { ...req, body: { spec: { template: { metadata: { annotations: { [RESTARTED_BY]: ctx.jobId } } } } } };
      if (p.kind === 'Deployment') await this.apps.patchNamespacedDeployment(body, mergePatch);
      else await this.apps.patchNamespacedStatefulSet(body, mergePatch);
      return { detail: `${what} rollout restart started`, output: { restarted: true } };
    } catch (e) {
      throw kubeError(e, verb, resource, what);
    }
  }

  // ---- nodes ----

  private async setUnschedulable(node: string, unschedulable: boolean): Promise<boolean> {
    let verb = 'get';
    try {
      const cur = await this.core.readNode({ name: node });
      if ((cur.spec?.unschedulable === true) === unschedulable) return false;
      verb = 'patch';
      await this.core.patchNode({ name: node, body: { spec: { unschedulable: unschedulable ? true : null } } }, mergePatch);
      return true;
    } catch (e) {
      throw kubeError(e, verb, 'nodes', `node ${node}`);
    }
  }

  async cordon(p: JobParams<'cordon'>, _ctx: ActionContext): Promise<ActionOutcome> {
    const changed = await this.setUnschedulable(p.node, true);
    return { detail: changed ? `node ${p.node} cordoned` : `node ${p.node} was already cordoned`, output: { changed } };
  }

  async uncordon(p: JobParams<'uncordon'>, _ctx: ActionContext): Promise<ActionOutcome> {
    const changed = await this.setUnschedulable(p.node, false);
    return { detail: changed ? `node ${p.node} uncordoned` : `node ${p.node} was already schedulable`, output: { changed } };
  }

  private async podsOn(node: string): Promise<V1Pod[]> {
    try {
      return (await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
    } catch (e) {
      throw kubeError(e, 'list', 'pods', `the pods on node ${node}`);
    }
  }

  async drain(p: JobParams<'drain'>, ctx: ActionContext): Promise<ActionOutcome> {
    const deadline = Date.now() + p.timeoutSeconds * 1000;
    await this.setUnschedulable(p.node, true);
    const all = await this.podsOn(p.node);
    const daemonSet = all.filter((pod) => pod.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet'));
    const mirror = all.filter((pod) => pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined);
    const targets = all.filter((pod) => !daemonSet.includes(pod) && !mirror.includes(pod));
    const blocked = new Map<string, string>();
    let retries = 0;
    const evictOne = async (pod: V1Pod): Promise<void> => {
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      for (let attempt = 1; ; attempt++) {
        if (ctx.signal.aborted) throw aborted(`drain of node ${p.node}`);
        try {
          await this.core.createNamespacedPodEviction({
            name,
            namespace,
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, ...(p.gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds: p.gracePeriodSeconds } } : {}) },
          });
          blocked.delete(`${namespace}/${name}`);
          return;
        } catch (e) {
          if (httpCode(e) === 404) return;
          if (httpCode(e) !== 429) throw kubeError(e, 'create', 'pods/eviction', `an eviction of pod ${namespace}/${name}`);
          blocked.set(`${namespace}/${name}`, kubeError(e, 'create', 'pods/eviction', `pod ${namespace}/${name}`).message);
          const wait = jitteredBackoffMs(attempt, Math.random(), this.opts.evictionBackoff ?? { baseMs: 500, capMs: 5000 });
          if (Date.now() + wait > deadline) return;
          retries += 1;
          await this.pause(wait, ctx, p.node);
        }
      }
    };
    await Promise.all(targets.map(evictOne));
    const gone = await this.waitGone(p.node, targets, deadline, ctx);
    if (blocked.size > 0 || !gone) {
      const stuck = [...blocked.entries()].map(([pod, why]) => `${pod}: ${why}`).join('; ');
      throw new FlotillaError('retry', `drain of node ${p.node} timed out after ${p.timeoutSeconds}s${stuck ? ` — not evicted: ${stuck}` : ' waiting for evicted pods to terminate'}`, 'The node stays cordoned. Check the PodDisruptionBudgets and the pods named, then submit the drain again (or uncordon the node).', {
        details: { node: p.node, blocked: [...blocked.keys()] },
      });
    }
    return {
      detail: `node ${p.node} drained: ${targets.length} pod${targets.length === 1 ? '' : 's'} evicted, ${daemonSet.length} DaemonSet and ${mirror.length} mirror pod${mirror.length === 1 ? '' : 's'} left`,
      output: { evicted: targets.length, skippedDaemonSet: daemonSet.length, skippedMirror: mirror.length, retries },
    };
  }

  private async pause(ms: number, ctx: ActionContext, node: string): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: ctx.signal });
    } catch {
      throw aborted(`drain of node ${node}`);
    }
  }

  private async waitGone(node: string, targets: V1Pod[], deadline: number, ctx: ActionContext): Promise<boolean> {
    const uids = new Set(targets.map((t) => t.metadata?.uid));
    for (;;) {
      const left = (await this.podsOn(node)).filter((pod) => uids.has(pod.metadata?.uid));
      if (left.length === 0) return true;
      if (Date.now() >= deadline) return false;
      await this.pause(this.opts.drainPollMs ?? 500, ctx, node);
    }
  }

  // ---- credentials ----

  async writeCredentials(p: Omit<JobParams<'rotate-credentials'>, 'sealed'>, data: Record<string, string>, _ctx: ActionContext): Promise<ActionOutcome> {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
    const keys = Object.keys(data).sort();
    const what = p.target === 'secret' ? `Secret ${p.namespace}/${p.name}` : `the token Secret of ServiceAccount ${p.namespace}/${p.name}`;
    let verb = 'get';
    let resource = p.target === 'secret' ? 'secrets' : 'serviceaccounts';
    try {
      let secret: V1Secret | undefined;
      if (p.target === 'secret') {
        secret = await this.core.readNamespacedSecret({ name: p.name, namespace: p.namespace });
      } else {
        await this.core.readNamespacedServiceAccount({ name: p.name, namespace: p.namespace });
        verb = 'list';
        resource = 'secrets';
        const list = await this.core.listNamespacedSecret({ namespace: p.namespace, fieldSelector: `type=${SA_TOKEN_TYPE}` });
        secret = list.items.find((s) => s.metadata?.annotations?.[SA_NAME_ANNOTATION] === p.name);
        if (!secret) {
          verb = 'create';
          const created = await this.core.createNamespacedSecret({
            namespace: p.namespace,
            body: { apiVersion: 'v1', kind: 'Secret', type: SA_TOKEN_TYPE, metadata: { name: `${p.name}-token`, namespace: p.namespace, annotations: { [SA_NAME_ANNOTATION]: p.name } }, data: encoded },
          });
          return { detail: `${what} created as ${created.metadata?.name ?? ''} with ${keys.length} key${keys.length === 1 ? '' : 's'}`, output: { secret: created.metadata?.name, keys } };
        }
      }
      const name = secret.metadata?.name ?? p.name;
      verb = 'patch';
      resource = 'secrets';
      // Replace, not merge: keys the new credentials do not have must go — all but the ones the token
      // controller keeps in a token Secret (pods mounting it would lose the cluster CA meanwhile). No
      // resourceVersion precondition: that controller writes these Secrets too, and its write between
      // the read and this one must not fail the rotation.
      const kept = p.target === 'secret' ? {} : Object.fromEntries(Object.entries(secret.data ?? {}).filter(([k]) => TOKEN_CONTROLLER_KEYS.includes(k)));
      await this.core.patchNamespacedSecret({ name, namespace: p.namespace, body: [{ op: 'add', path: '/data', value: { ...kept, ...encoded } }] }, jsonPatch);
      return { detail: `${what} now holds ${keys.length} new key${keys.length === 1 ? '' : 's'}`, output: { secret: name, keys } };
    } catch (e) {
      throw kubeError(e, verb, resource, what);
    }
  }

  // ---- backup, restore, apply ----

  async exportObjects(namespaces: readonly string[], _ctx: ActionContext): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const ns of namespaces) {
      try {
        const nsObj = await this.core.readNamespace({ name: ns });
        if (nsObj.status?.phase === 'Terminating') throw new FlotillaError('not_found', `namespace ${ns} is being deleted`, `Back up a namespace that exists; ${ns} is terminating.`);
        out.push(portable({ ...(nsObj as unknown as KubeObject), apiVersion: 'v1', kind: 'Namespace' }));
      } catch (e) {
        throw kubeError(e, 'get', 'namespaces', `namespace ${ns}`);
      }
      for (const { apiVersion, kind } of EXPORTED_KINDS) {
        try {
          const list = await this.objects.list(apiVersion, kind, ns);
          const items = list.items.map((i) => ({ ...(i as unknown as KubeObject), apiVersion, kind })).filter((o) => !isClusterGenerated(o));
          items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
          out.push(...items.map(portable));
        } catch (e) {
          throw kubeError(e, 'list', `${kind.toLowerCase()}s`, `the ${kind}s of namespace ${ns}`);
        }
      }
    }
    return out;
  }

  async applyObjects(objects: readonly KubeObject[], ctx: ActionContext): Promise<ActionOutcome> {
    const given = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const implicit: KubeObject[] = [];
    for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined && !given.has(n)))) {
      if (!(await this.exists({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))) {
        // Marked so a teardown knows Flotilla made it.
        implicit.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [MANAGED_LABEL]: 'true' } } });
      }
    }
    const applied: string[] = [];
    let unchanged = 0;
    for (const obj of applyOrder([...implicit, ...objects])) {
      const what = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
      const manifest = portable(obj);
      try {
        const before = await this.live(obj);
        // Forced: the release being applied owns its fields, even if someone edited them by hand since.
        const after = await this.manifests.apply(manifest, ctx.fieldManager);
        // Judged from the content the manifest manages, not the resourceVersion: controllers move that all the time.
        if (applyUnchanged(before, after, manifest, ctx.fieldManager)) unchanged += 1;
        applied.push(what);
      } catch (e) {
        throw kubeError(e, 'patch', `${obj.kind.toLowerCase()}s`, what);
      }
    }
    return { detail: `${applied.length} object${applied.length === 1 ? '' : 's'} applied, ${unchanged} unchanged`, output: { applied: applied.length, unchanged, objects: applied } };
  }

  /** The object as the server has it now, or undefined when it does not exist. */
  private async live(obj: KubeObject): Promise<KubernetesObject | undefined> {
    try {
      return await this.objects.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) } });
    } catch (e) {
      if (httpCode(e) === 404) return undefined;
      throw e;
    }
  }

  private async exists(obj: KubeObject): Promise<boolean> {
    try {
      return (await this.live(obj)) !== undefined;
    } catch (e) {
      throw kubeError(e, 'get', `${obj.kind.toLowerCase()}s`, `${obj.kind} ${obj.metadata.name}`);
    }
  }

  // ---- cleanup ----

  private async deleteNamespace(name: string): Promise<boolean> {
    try {
      await this.core.deleteNamespace({ name });
      return true;
    } catch (e) {
      if (httpCode(e) === 404) return false;
      throw kubeError(e, 'delete', 'namespaces', `namespace ${name}`);
    }
  }

  async cleanup(p: JobParams<'cleanup'>, _ctx: ActionContext): Promise<ActionOutcome> {
    if (p.teardown) {
      let list;
      try {
        list = await this.core.listNamespace({ labelSelector: `${MANAGED_LABEL}=true` });
      } catch (e) {
        throw kubeError(e, 'list', 'namespaces', 'the namespaces Flotilla manages');
      }
      const names = list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
      for (const n of names) await this.deleteNamespace(n);
      return { detail: `teardown: ${names.length} managed namespace${names.length === 1 ? '' : 's'} deleted`, output: { namespaces: names } };
    }
    if (p.selector !== undefined) {
      const deleted: string[] = [];
      for (const { apiVersion, kind } of CLEANUP_KINDS) {
        const resource = `${kind.toLowerCase()}s`;
        let items;
        try {
          items = (await this.objects.list(apiVersion, kind, p.namespace, undefined, undefined, undefined, undefined, p.selector)).items;
        } catch (e) {
          throw kubeError(e, 'list', resource, `the ${kind}s matching ${p.selector}`);
        }
        for (const o of items) {
          const name = o.metadata?.name ?? '';
          const namespace = o.metadata?.namespace;
          try {
            await this.objects.delete({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
            deleted.push(`${kind} ${namespace ?? ''}/${name}`);
          } catch (e) {
            if (httpCode(e) !== 404) throw kubeError(e, 'delete', resource, `${kind} ${namespace ?? ''}/${name}`);
          }
        }
      }
      const scope = p.namespace ? ` in namespace ${p.namespace}` : '';
      return { detail: `${deleted.length} object${deleted.length === 1 ? '' : 's'} matching ${p.selector}${scope} deleted`, output: { deleted: deleted.length, objects: deleted } };
    }
    const ns = p.namespace!;
    const deleted = await this.deleteNamespace(ns);
    return { detail: deleted ? `namespace ${ns} deletion started` : `namespace ${ns} was already gone`, output: { namespace: ns, deleted } };
  }
}
