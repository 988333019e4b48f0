// Reads the Kubernetes API test server's request log back as the effects the agent's jobs had on
// workloads. The log is in the order the server applied the writes, so replaying it tells a write that
// changed something from one that found the value already there: a restart effect is a pod-template
// `restarted-by` annotation set to a NEW value (a rollout), a scale effect is a replica count that
// changed. A job run twice would show up as two rollouts stamped with its id, or as an extra scale step.
import { RESTARTED_BY } from '../../agent/kube/backend.js';
import type { RecordedRequest } from './kube-api-server.js';

const WORKLOAD_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets)\/([^/]+)(\/scale)?$/;

export interface WorkloadEffects {
  /** Annotation values in the order they became new, e.g. job ids. */
  restartedBy: string[];
  /** Replica counts in the order they were set, only the writes that changed the count. */
  replicas: number[];
  /** Writes that matched a workload but changed nothing (a re-run finding its work done is not one: it does not write). */
  noOpWrites: number;
}

/** Key: `<namespace>/<plural>/<name>`. `initialReplicas` is the count each workload was seeded with. */
export function workloadEffects(requests: readonly RecordedRequest[], initialReplicas: ReadonlyMap<string, number>): Map<string, WorkloadEffects> {
  const out = new Map<string, WorkloadEffects>();
  const annotation = new Map<string, string | undefined>();
  const replicas = new Map(initialReplicas);
  for (const r of requests) {
    // A dry run changes nothing, whatever it answered.
    if (r.method !== 'PATCH' || r.status >= 300 || r.query.dryRun !== undefined) continue;
    const m = WORKLOAD_PATH.exec(r.path);
    if (!m) continue;
    const key = `${m[1]}/${m[2]}/${m[3]}`;
    const fx = out.get(key) ?? { restartedBy: [], replicas: [], noOpWrites: 0 };
    out.set(key, fx);
    const body = r.body as { spec?: { replicas?: unknown; template?: { metadata?: { annotations?: Record<string, unknown> } } } } | undefined;
    if (m[4]) {
      const next = body?.spec?.replicas;
      if (typeof next !== 'number') continue;
      if (replicas.get(key) === next) fx.noOpWrites += 1;
      else fx.replicas.push(next);
      replicas.set(key, next);
      continue;
    }
    const stamp = body?.spec?.template?.metadata?.annotations?.[RESTARTED_BY];
    if (typeof stamp !== 'string') continue;
    if (annotation.get(key) === stamp) fx.noOpWrites += 1;
    else fx.restartedBy.push(stamp);
    annotation.set(key, stamp);
  }
  return out;
}
