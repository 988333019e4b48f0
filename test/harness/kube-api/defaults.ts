// The defaults the API server fills into the objects it stores (pkg/apis/*/v1/defaults.go and the
// ServiceAccount admission plugin), for the kinds this test server serves. A client reading an object
// back sees these fields although it never sent them — as on a real cluster.
import { isPlainObject, type Obj } from './common.js';

function imagePullPolicy(image: unknown): string {
  const ref = typeof image === 'string' ? image : '';
  const name = ref.split('@')[0] ?? '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : '';
  return ref.includes('@') ? 'IfNotPresent' : tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function containers(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const c of list as Obj[]) {
    if (!isPlainObject(c)) continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= imagePullPolicy(c.image);
    c.resources ??= {};
    for (const p of (c.ports ?? []) as Obj[]) if (isPlainObject(p)) p.protocol ??= 'TCP';
  }
}

function podSpec(spec: unknown): void {
  if (!isPlainObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  containers(spec.containers);
  containers(spec.initContainers);
}

function template(spec: Obj): void {
  if (isPlainObject(spec.template)) podSpec(spec.template.spec);
}

const BY_KIND: Record<string, (o: Obj, prev: Obj | undefined) => void> = {
  Pod(o) {
    podSpec(o.spec);
    // The ServiceAccount admission plugin, and the API defaults that come with a pod.
    if (isPlainObject(o.spec)) {
      o.spec.serviceAccountName ??= 'default';
      o.spec.serviceAccount ??= o.spec.serviceAccountName;
      o.spec.enableServiceLinks ??= true;
      o.spec.priority ??= 0;
      o.spec.preemptionPolicy ??= 'PreemptLowerPriority';
    }
  },
  Deployment(o) {
    const s = (o.spec ??= {}) as Obj;
    s.replicas ??= 1;
    s.strategy ??= { type: 'RollingUpdate' };
    if (s.strategy.type === 'RollingUpdate') s.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(s.strategy.rollingUpdate ?? {}) };
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    template(s);
  },
  ReplicaSet(o) {
    const s = (o.spec ??= {}) as Obj;
    s.replicas ??= 1;
    template(s);
  },
  StatefulSet(o) {
    const s = (o.spec ??= {}) as Obj;
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.updateStrategy ??= { type: 'RollingUpdate' };
    if (s.updateStrategy.type === 'RollingUpdate') s.updateStrategy.rollingUpdate = { partition: 0, ...(s.updateStrategy.rollingUpdate ?? {}) };
    s.revisionHistoryLimit ??= 10;
    s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    template(s);
  },
  DaemonSet(o) {
    const s = (o.spec ??= {}) as Obj;
    s.updateStrategy ??= { type: 'RollingUpdate' };
    if (s.updateStrategy.type === 'RollingUpdate') s.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...(s.updateStrategy.rollingUpdate ?? {}) };
    s.revisionHistoryLimit ??= 10;
    template(s);
  },
  Service(o, prev) {
    const s = (o.spec ??= {}) as Obj;
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    for (const p of (s.ports ?? []) as Obj[]) {
      if (!isPlainObject(p)) continue;
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    if (s.type !== 'ExternalName') {
      // An update that leaves the allocated address out keeps it (patchAllocatedValues).
      if (s.clusterIP === undefined && prev?.spec?.clusterIP !== undefined) {
        s.clusterIP = prev.spec.clusterIP;
        s.clusterIPs = prev.spec.clusterIPs;
      }
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
    }
  },
  Secret(o) {
    o.type ??= 'Opaque';
  },
  Namespace(o) {
    o.spec ??= {};
    o.spec.finalizers ??= ['kubernetes'];
  },
};

/** Kinds whose spec changes bump metadata.generation. */
export const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'PodDisruptionBudget']);

/** Fills the server's defaults into `o` in place; `prev` is the stored object an update replaces. */
export function applyDefaults(kind: string, o: Obj, prev?: Obj): void {
  BY_KIND[kind]?.(o, prev);
}
