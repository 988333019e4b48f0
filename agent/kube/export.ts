// Objects as they can be applied to any cluster: what the server set (status, uid, resourceVersion,
// timestamps, managedFields, generation, owners) and what a cluster assigns (a Service's cluster IPs)
// is dropped, so a backup restores on the same or another cluster. Pure.
import type { KubeObject } from '../actions.js';

const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'ownerReferences', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Apply order: namespaces first, then what the workloads refer to, then the workloads. */
export const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'Deployment', 'StatefulSet', 'PodDisruptionBudget'];

/** The kinds a backup holds, with the API group version each is read and applied through. */
export const EXPORTED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
];

function stripMetadata(meta: unknown): void {
  if (typeof meta !== 'object' || meta === null) return;
  const m = meta as Record<string, unknown>;
  for (const k of SERVER_SET_METADATA) delete m[k];
  const annotations = m.annotations as Record<string, unknown> | undefined;
  if (annotations) {
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    delete annotations['deployment.kubernetes.io/revision'];
    // The token controller deletes a token Secret whose uid names no ServiceAccount of its cluster.
    delete annotations['kubernetes.io/service-account.uid'];
    if (Object.keys(annotations).length === 0) delete m.annotations;
  }
}

/** A deep, JSON-only copy (Dates become ISO strings) without server-set fields. */
export function portable(obj: KubeObject): KubeObject {
  const o = JSON.parse(JSON.stringify(obj)) as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
  delete o.status;
  stripMetadata(o.metadata);
  const template = o.spec?.template as { metadata?: unknown } | undefined;
  if (template?.metadata) {
    stripMetadata(template.metadata);
    delete (template.metadata as Record<string, unknown>).creationTimestamp;
  }
  if (o.kind === 'Service' && o.spec) {
    delete o.spec.clusterIP;
    delete o.spec.clusterIPs;
  }
  if (o.kind === 'Namespace') {
    delete o.spec;
    // The API server sets this label to the namespace's own name; carrying it would mislabel a renamed restore.
    const labels = o.metadata.labels;
    if (labels) {
      delete labels['kubernetes.io/metadata.name'];
      if (Object.keys(labels).length === 0) delete o.metadata.labels;
    }
  }
  return o;
}

/** Objects a cluster makes for itself in every namespace: restoring them would fight its controllers. */
export function isClusterGenerated(o: KubeObject): boolean {
  if (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') return true;
  if (o.kind === 'ServiceAccount' && o.metadata.name === 'default') return true;
  return false;
}

export function applyOrder(objects: readonly KubeObject[]): KubeObject[] {
  const rank = (k: string): number => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
}
