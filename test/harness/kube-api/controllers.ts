// The control loops behind the Kubernetes API test server, one pass per tick: namespace lifecycle
// and garbage collection, the ServiceAccount, root-CA and token controllers, deployment →
// replicaset → pods with rolling updates and revision annotations, statefulsets, daemonsets, the
// scheduler (FailedScheduling events), the kubelet (node-pressure evictions with Evicted events)
// and the disruption controller (PDB status, the eviction API's ledger). Time is compressed: a pod
// becomes Ready one tick after it is scheduled, and a deleted pod is gone one tick later.
import { createHash, randomUUID } from 'node:crypto';
import { clone, type Obj } from './common.js';
import { matchSelector } from './selectors.js';
import type { Store } from './store.js';
import { wholeSeconds } from './time.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME = 'kubernetes.io/service-account.name';
export const SA_UID = 'kubernetes.io/service-account.uid';
const ROOT_CA = 'kube-root-ca.crt';
/** The disruption controller forgets an eviction it never saw carried out after this long. */
const DELETION_TIMEOUT_MS = 2 * 60 * 1000;
const PRESSURE = { MemoryPressure: 'memory', DiskPressure: 'ephemeral-storage', PIDPressure: 'pids' } as const;

export function isHealthy(pod: Obj): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && ((pod.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isTerminal(pod: Obj): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod that counts towards its controller's replicas (controller.FilterActivePods). */
function isActive(pod: Obj): boolean {
  return !pod.metadata.deletionTimestamp && !isTerminal(pod);
}

function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function conditionTrue(node: Obj, type: string): boolean {
  return ((node.status?.conditions ?? []) as Obj[]).some((c) => c.type === type && c.status === 'True');
}

export interface Budget {
  healthy: number;
  desiredHealthy: number;
  expected: number;
}

export class Controllers {
  kubeletPaused = false;
  /** Node → the pressure condition transition the kubelet has already evicted a pod for. */
  private readonly pressureHandled = new Map<string, string>();

  constructor(
    private readonly store: Store,
    /** The cluster CA (PEM) the root-CA publisher and the token controller hand out. */
    private readonly caPem: string,
  ) {}

  /** One pass of every controller; returns whether anything changed. */
  tick(): boolean {
    const before = this.store.resourceVersion;
    const count = this.store.size;
    this.finishDeletions();
    this.collectGarbage();
    this.namespaceContents();
    this.tokens();
    for (const d of this.store.view('deployments')) this.reconcileDeployment(d);
    for (const rs of this.store.view('replicasets')) this.reconcileReplicaSet(rs);
    for (const s of this.store.view('statefulsets')) this.reconcileStatefulSet(s);
    for (const ds of this.store.view('daemonsets')) this.reconcileDaemonSet(ds);
    this.schedule();
    this.runKubelet();
    this.pressureEvictions();
    for (const d of this.store.view('deployments')) this.deploymentStatus(d);
    for (const p of this.store.view('poddisruptionbudgets')) this.pdbStatus(p);
    return this.store.resourceVersion !== before || this.store.size !== count;
  }

  // ---- lifecycle ----

  private finishDeletions(): void {
    // The kubelet finishes a pod's termination: while it is paused, a deleted pod stays, deletionTimestamp set.
    if (!this.kubeletPaused) for (const p of this.store.view('pods').filter((p) => p.metadata.deletionTimestamp)) this.store.remove(this.store.def('pods'), p.metadata.namespace as string, p.metadata.name as string);
    for (const ns of this.store.view('namespaces').filter((n) => n.metadata.deletionTimestamp)) {
      const name = ns.metadata.name as string;
      for (const plural of ['pods', 'events', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'poddisruptionbudgets']) {
        for (const o of this.store.view(plural, name)) this.store.remove(this.store.def(plural), name, o.metadata.name as string);
      }
      this.store.remove(this.store.def('namespaces'), undefined, name);
    }
  }

  private collectGarbage(): void {
    const uids = new Set<string>();
    for (const plural of ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'pods', 'nodes', 'namespaces', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'poddisruptionbudgets']) {
      for (const o of this.store.view(plural)) uids.add(o.metadata.uid as string);
    }
    for (const plural of ['replicasets', 'pods']) {
      for (const o of this.store.view(plural)) {
        const refs = (o.metadata.ownerReferences ?? []) as Obj[];
        if (refs.length > 0 && refs.every((r) => !uids.has(r.uid as string))) this.store.remove(this.store.def(plural), o.metadata.namespace as string, o.metadata.name as string);
      }
    }
  }

  /** The ServiceAccount controller's `default` account and the root-CA publisher's ConfigMap, in every active namespace. */
  private namespaceContents(): void {
    for (const ns of this.store.view('namespaces').filter((n) => n.status?.phase === 'Active')) {
      const name = ns.metadata.name as string;
      if (!this.store.has('serviceaccounts', name, 'default')) this.store.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
      const ca = this.store.peek('configmaps', name, ROOT_CA);
      const data = { 'ca.crt': this.caPem };
      const annotations = { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' };
      if (!ca) this.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA, namespace: name, annotations }, data });
      else this.store.update('configmaps', ca, (o) => (o.data = data));
    }
  }

  /**
   * The token controller: a token Secret whose ServiceAccount is gone (or is another one of the same
   * name) is deleted; otherwise it gets the account's uid, a token if it has none, the CA and the
   * namespace.
   */
  private tokens(): void {
    for (const s of this.store.view('secrets').filter((x) => x.type === SA_TOKEN_TYPE)) {
      const ns = s.metadata.namespace as string;
      const sa = this.store.peek('serviceaccounts', ns, (s.metadata.annotations?.[SA_NAME] as string | undefined) ?? '');
      const uid = s.metadata.annotations?.[SA_UID] as string | undefined;
      if (!sa || (uid !== undefined && uid !== sa.metadata.uid)) {
        this.store.remove(this.store.def('secrets'), ns, s.metadata.name as string);
        continue;
      }
      this.store.update('secrets', s, (o) => {
        o.metadata.annotations = { ...o.metadata.annotations, [SA_UID]: sa.metadata.uid };
        o.data = { ...(o.data ?? {}) };
        if (!o.data.token) o.data.token = b64(this.legacyToken(ns, sa));
        o.data['ca.crt'] = b64(this.caPem);
        o.data.namespace = b64(ns);
      });
    }
  }

  /** A JWT of the shape the legacy token controller signs (the signature means nothing here). */
  private legacyToken(ns: string, sa: Obj): string {
    const part = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = { iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': ns, 'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name, 'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid, sub: `system:serviceaccount:${ns}:${String(sa.metadata.name)}` };
    return `${part({ alg: 'RS256', kid: 'flotilla-test' })}.${part(claims)}.${createHash('sha256').update(JSON.stringify(claims)).digest('base64url')}`;
  }

  // ---- workloads ----

  private ownerRef(kind: string, owner: Obj): Obj {
    return { apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
  }

  private ownedBy(plural: string, owner: Obj): Obj[] {
    return this.store.view(plural, owner.metadata.namespace as string).filter((o) => ((o.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.uid === owner.metadata.uid));
  }

  private newPod(owner: Obj, kind: string, name: string, template: Obj, extraLabels: Record<string, string>, nodeName?: string): void {
    this.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: owner.metadata.namespace, labels: { ...(template.metadata?.labels ?? {}), ...extraLabels }, annotations: template.metadata?.annotations, ownerReferences: [this.ownerRef(kind, owner)] },
      spec: { ...clone(template.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
      status: { phase: 'Pending', qosClass: 'Burstable', conditions: [{ type: 'PodScheduled', status: nodeName ? 'True' : 'False' }] },
    });
  }

  private reconcileDeployment(d: Obj): void {
    const hash = templateHash(d.spec?.template);
    const desired = (d.spec?.replicas as number | undefined) ?? 1;
    const sets = this.ownedBy('replicasets', d);
    const revisionOf = (rs: Obj): number => Number(rs.metadata.annotations?.[REVISION] ?? 0);
    const latest = Math.max(0, ...sets.map(revisionOf));
    let current = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const surge = Math.ceil(desired * 0.25);
    const rsAnnotations = { 'deployment.kubernetes.io/desired-replicas': String(desired), 'deployment.kubernetes.io/max-replicas': String(desired + surge) };
    if (!current) {
      const template = clone(d.spec.template as Obj);
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
      current = this.store.put({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${String(d.metadata.name)}-${hash}`, namespace: d.metadata.namespace, labels: { ...(template.metadata.labels as Obj) }, annotations: { ...rsAnnotations, [REVISION]: String(latest + 1) }, ownerReferences: [this.ownerRef('Deployment', d)] },
        spec: { replicas: 0, selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } }, template },
      });
    } else if (revisionOf(current) < latest) {
      // A rollback to an older template: its ReplicaSet becomes the newest revision again.
      this.store.update('replicasets', current, (rs) => {
        rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION]: String(latest + 1) };
      });
      current = this.store.peek('replicasets', current.metadata.namespace as string, current.metadata.name as string)!;
    }
    const revision = String(revisionOf(current));
    this.store.update('deployments', d, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: revision };
    });
    // Rolling update: the new set grows to the full count, old sets shrink as new pods become ready.
    const newReady = this.ownedBy('pods', current).filter(isHealthy).length;
    this.store.update('replicasets', current, (rs) => {
      rs.spec.replicas = desired;
      rs.metadata.annotations = { ...rs.metadata.annotations, ...rsAnnotations };
    });
    let oldBudget = Math.max(0, desired - newReady);
    for (const rs of sets.filter((s) => s.metadata.uid !== current.metadata.uid)) {
      const keep = Math.min((rs.spec.replicas as number) ?? 0, oldBudget);
      oldBudget -= keep;
      this.store.update('replicasets', rs, (o) => (o.spec.replicas = keep));
    }
  }

  private reconcileReplicaSet(rs: Obj): void {
    const pods = this.ownedBy('pods', rs).filter(isActive);
    const desired = (rs.spec?.replicas as number | undefined) ?? 1;
    for (let i = pods.length; i < desired; i++) this.newPod(rs, 'ReplicaSet', `${String(rs.metadata.name)}-${randomUUID().slice(0, 5)}`, rs.spec.template as Obj, {});
    const extra = pods.sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b))).slice(0, Math.max(0, pods.length - desired));
    for (const p of extra) this.store.deleteOne(this.store.def('pods'), p.metadata.namespace as string, p.metadata.name as string);
    const all = this.ownedBy('pods', rs).filter(isActive);
    const ready = all.filter(isHealthy).length;
    this.store.update('replicasets', rs, (o) => (o.status = { replicas: all.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: o.metadata.generation }));
  }

  private reconcileStatefulSet(s: Obj): void {
    const revision = `${String(s.metadata.name)}-${templateHash(s.spec?.template)}`;
    const desired = (s.spec?.replicas as number | undefined) ?? 1;
    const ns = s.metadata.namespace as string;
    const podDef = this.store.def('pods');
    // A failed pod is deleted and made again under the same name.
    for (const p of this.ownedBy('pods', s).filter((p) => isTerminal(p) && !p.metadata.deletionTimestamp)) this.store.deleteOne(podDef, ns, p.metadata.name as string);
    const pods = this.ownedBy('pods', s);
    // Ordered: ordinals below `replicas` exist, higher ones go, one outdated pod is replaced at a time once all are ready.
    for (let i = 0; i < desired; i++) {
      const name = `${String(s.metadata.name)}-${i}`;
      if (!this.store.has('pods', ns, name)) this.newPod(s, 'StatefulSet', name, s.spec.template as Obj, { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name });
    }
    for (const p of pods) {
      const ordinal = Number(String(p.metadata.name).slice(String(s.metadata.name).length + 1));
      if (ordinal >= desired && !p.metadata.deletionTimestamp) this.store.deleteOne(podDef, ns, p.metadata.name as string);
    }
    const live = this.ownedBy('pods', s).filter(isActive);
    if (live.length === desired && live.every(isHealthy)) {
      const outdated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision).sort((a, b) => String(b.metadata.name).localeCompare(String(a.metadata.name)))[0];
      if (outdated) this.store.deleteOne(podDef, ns, outdated.metadata.name as string);
    }
    const ready = live.filter(isHealthy).length;
    this.store.update('statefulsets', s, (o) => (o.status = { replicas: live.length, readyReplicas: ready, availableReplicas: ready, currentReplicas: live.length, updatedReplicas: live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length, currentRevision: revision, updateRevision: revision, observedGeneration: o.metadata.generation }));
  }

  private reconcileDaemonSet(ds: Obj): void {
    const nodes = this.store.view('nodes');
    const ns = ds.metadata.namespace as string;
    for (const p of this.ownedBy('pods', ds).filter((p) => isTerminal(p) && !p.metadata.deletionTimestamp)) this.store.deleteOne(this.store.def('pods'), ns, p.metadata.name as string);
    const pods = this.ownedBy('pods', ds);
    for (const n of nodes) {
      if (!pods.some((p) => p.spec?.nodeName === n.metadata.name)) this.newPod(ds, 'DaemonSet', `${String(ds.metadata.name)}-${String(n.metadata.name)}`, ds.spec.template as Obj, {}, n.metadata.name as string);
    }
    const live = this.ownedBy('pods', ds).filter(isActive);
    const ready = live.filter(isHealthy).length;
    this.store.update('daemonsets', ds, (o) => (o.status = { desiredNumberScheduled: nodes.length, currentNumberScheduled: live.length, numberReady: ready, numberAvailable: ready, numberMisscheduled: 0, observedGeneration: o.metadata.generation }));
  }

  private deploymentStatus(d: Obj): void {
    const pods = this.ownedBy('replicasets', d)
      .flatMap((rs) => this.ownedBy('pods', rs))
      .filter(isActive);
    const hash = templateHash(d.spec?.template);
    const ready = pods.filter(isHealthy).length;
    this.store.update('deployments', d, (o) => {
      o.status = { observedGeneration: o.metadata.generation, replicas: pods.length, updatedReplicas: pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash).length, readyReplicas: ready, availableReplicas: ready, unavailableReplicas: Math.max(0, ((o.spec.replicas as number) ?? 1) - ready) };
    });
  }

  // ---- scheduling and the kubelet ----

  /** Why a node cannot take a pod, in the scheduler's words, or undefined when it can. */
  private unfit(node: Obj, pod: Obj): string | undefined {
    if (node.spec?.unschedulable) return 'node(s) were unschedulable';
    if (!conditionTrue(node, 'Ready')) return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }";
    const selector = (pod.spec?.nodeSelector ?? {}) as Record<string, string>;
    if (!Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) return "node(s) didn't match Pod's node affinity/selector";
    if (conditionTrue(node, 'MemoryPressure')) return "node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }";
    if (conditionTrue(node, 'DiskPressure')) return "node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }";
    return undefined;
  }

  private schedule(): void {
    const nodes = this.store.view('nodes');
    const pods = this.store.view('pods');
    /** Pods placed in this pass, so the next one spreads against them. */
    const placed = new Map<string, string>();
    for (const p of pods.filter((p) => !p.spec?.nodeName && isActive(p))) {
      const load = (n: Obj): number => pods.filter((q) => (placed.get(q.metadata.uid as string) ?? q.spec?.nodeName) === n.metadata.name && isActive(q)).length;
      const reasons = new Map<string, number>();
      const fit: Obj[] = [];
      for (const n of nodes) {
        const why = this.unfit(n, p);
        if (why === undefined) fit.push(n);
        else reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
      const node = fit.sort((a, b) => load(a) - load(b) || String(a.metadata.name).localeCompare(String(b.metadata.name)))[0];
      if (node) {
        this.store.update('pods', p, (o) => {
          o.spec.nodeName = node.metadata.name;
          o.status.conditions = [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: wholeSeconds() }];
        });
        placed.set(p.metadata.uid as string, node.metadata.name as string);
        continue;
      }
      const detail = [...reasons.entries()].map(([why, n]) => `${n} ${why}`).sort().join(', ');
      const message = `0/${nodes.length} nodes are available: ${detail}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      const changed = this.store.update('pods', p, (o) => {
        const prev = ((o.status.conditions ?? []) as Obj[]).find((c) => c.type === 'PodScheduled');
        if (prev?.status === 'False' && prev.message === message) return;
        o.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: wholeSeconds() }];
      });
      // The scheduler reports each new reason it cannot place the pod (through events.k8s.io).
      if (changed) this.store.event({ involved: p, involvedKind: 'Pod', involvedApiVersion: 'v1', type: 'Warning', reason: 'FailedScheduling', message, component: 'default-scheduler', api: 'events', action: 'Scheduling' });
    }
  }

  /** Starts scheduled pods (those it created, with no container statuses yet): Pending → Running and Ready. */
  private runKubelet(): void {
    if (this.kubeletPaused) return;
    for (const p of this.store.view('pods').filter((p) => p.spec?.nodeName && p.status?.phase === 'Pending' && !p.status?.containerStatuses && !p.metadata.deletionTimestamp)) {
      const now = wholeSeconds();
      this.store.update('pods', p, (o) => {
        o.status = {
          phase: 'Running',
          qosClass: o.status?.qosClass ?? 'Burstable',
          podIP: `10.244.0.${this.store.resourceVersion % 250}`,
          hostIP: '192.168.49.2',
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
            { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
            { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          ],
          containerStatuses: ((o.spec.containers ?? []) as Obj[]).map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
        };
      });
    }
  }

  /**
   * The kubelet's node-pressure eviction: once per onset of a pressure condition it fails one pod on
   * the node (not a DaemonSet or mirror pod) with reason Evicted and says so in a Warning event.
   */
  private pressureEvictions(): void {
    for (const node of this.store.view('nodes')) {
      const name = node.metadata.name as string;
      const cond = ((node.status?.conditions ?? []) as Obj[]).find((c) => c.status === 'True' && c.type in PRESSURE);
      if (!cond) {
        this.pressureHandled.delete(name);
        continue;
      }
      const onset = `${String(cond.type)}@${String(cond.lastTransitionTime ?? '')}`;
      if (this.pressureHandled.get(name) === onset) continue;
      const victim = this.store
        .list('pods')
        .filter((p) => p.spec?.nodeName === name && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
        .filter((p) => !((p.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.kind === 'DaemonSet') && p.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined)
        .sort((a, b) => String(a.metadata.namespace).localeCompare(String(b.metadata.namespace)) || String(a.metadata.name).localeCompare(String(b.metadata.name)))[0];
      this.pressureHandled.set(name, onset);
      if (!victim) continue;
      const resource = PRESSURE[cond.type as keyof typeof PRESSURE];
      const message = `The node was low on resource: ${resource}. `;
      const now = wholeSeconds();
      this.store.update('pods', victim, (o) => {
        o.status = {
          ...o.status,
          phase: 'Failed',
          reason: 'Evicted',
          message,
          conditions: [...((o.status.conditions ?? []) as Obj[]).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: now } : c)), { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastProbeTime: null, lastTransitionTime: now }],
          containerStatuses: ((o.status.containerStatuses ?? []) as Obj[]).map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', startedAt: c.state?.running?.startedAt ?? now, finishedAt: now } } })),
        };
      });
      this.store.event({ involved: victim, involvedKind: 'Pod', involvedApiVersion: 'v1', type: 'Warning', reason: 'Evicted', message, component: 'kubelet', host: name, api: 'core' });
    }
  }

  // ---- disruption budgets ----

  /** What a budget requires of the pods it selects, counted from the pods as they are now. */
  budget(pdb: Obj, disrupted: ReadonlySet<string> = new Set()): Budget {
    const ns = pdb.metadata.namespace as string;
    const pods = this.store.view('pods', ns).filter((p) => matchSelector(pdb.spec?.selector as Obj, (p.metadata.labels ?? {}) as Record<string, string>));
    const healthy = pods.filter((p) => isHealthy(p) && !disrupted.has(p.metadata.name as string)).length;
    const expected = this.store
      .list('deployments', ns)
      .concat(this.store.view('statefulsets', ns))
      .filter((w) => matchSelector(pdb.spec?.selector as Obj, (w.spec?.template?.metadata?.labels ?? {}) as Record<string, string>))
      .reduce((n, w) => n + ((w.spec?.replicas as number | undefined) ?? 1), 0);
    const resolve = (v: unknown): number => (typeof v === 'string' && v.endsWith('%') ? Math.ceil((Number(v.slice(0, -1)) / 100) * expected) : Number(v));
    const desiredHealthy = pdb.spec?.minAvailable !== undefined ? resolve(pdb.spec.minAvailable) : pdb.spec?.maxUnavailable !== undefined ? Math.max(0, expected - resolve(pdb.spec.maxUnavailable)) : 0;
    return { healthy, desiredHealthy, expected };
  }

  /**
   * The disruption controller: keeps the evictions it has not seen carried out yet (disruptedPods)
   * out of the healthy count, and publishes how many more disruptions the budget allows.
   */
  private pdbStatus(pdb: Obj): void {
    const ns = pdb.metadata.namespace as string;
    const now = Date.now();
    const disruptedPods: Record<string, string> = {};
    for (const [pod, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
      const live = this.store.peek('pods', ns, pod);
      if (live && !live.metadata.deletionTimestamp && now - Date.parse(at) < DELETION_TIMEOUT_MS) disruptedPods[pod] = at;
    }
    const b = this.budget(pdb, new Set(Object.keys(disruptedPods)));
    const allowed = Math.max(0, b.healthy - b.desiredHealthy);
    this.store.update('poddisruptionbudgets', pdb, (o) => {
      const prev = ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'DisruptionAllowed');
      const status = allowed > 0 ? 'True' : 'False';
      const condition = { type: 'DisruptionAllowed', status, reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: o.metadata.generation, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : wholeSeconds() };
      o.status = { observedGeneration: o.metadata.generation, ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}), disruptionsAllowed: allowed, currentHealthy: b.healthy, desiredHealthy: b.desiredHealthy, expectedPods: b.expected, conditions: [condition] };
    });
  }
}
