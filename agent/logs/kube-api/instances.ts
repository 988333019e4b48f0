// Which container instances the Kubernetes API input reads, from a pod list, and how the kubelet
// serves a given instance's log now; the checkpoint file's schema. Pure.
//
// An instance is one run of a container: pod uid + container + restartCount. The kubelet keeps the
// log of the running (or last, when the pod is done) instance and of the one before it
// (`previous=true`); anything older is gone.
import { z } from 'zod';

/** The parts of a pod this input looks at (a V1Pod has them; kept structural so this module needs no client library). */
export interface PodView {
  metadata?: { name?: string; namespace?: string; uid?: string; deletionTimestamp?: unknown };
  spec?: { nodeName?: string };
  status?: { containerStatuses?: ContainerStatusView[]; initContainerStatuses?: ContainerStatusView[] };
}

export interface ContainerStatusView {
  name: string;
  restartCount?: number;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
  lastState?: { terminated?: unknown };
}

export interface Instance {
  key: string;
  namespace: string;
  pod: string;
  uid: string;
  node: string;
  container: string;
  restart: number;
}

export function instanceKey(uid: string, container: string, restart: number): string {
  return `${uid}/${container}/${restart}`;
}

function statuses(pod: PodView): ContainerStatusView[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The instances that have started (running, or terminated with a log to read), in list order. */
export function startedInstances(pods: readonly PodView[]): Instance[] {
  const out: Instance[] = [];
  for (const p of pods) {
    const uid = p.metadata?.uid;
    const name = p.metadata?.name;
    const namespace = p.metadata?.namespace;
    if (!uid || !name || namespace === undefined || !p.spec?.nodeName) continue;
    for (const s of statuses(p)) {
      if (s.state?.running === undefined && s.state?.terminated === undefined) continue;
      const restart = s.restartCount ?? 0;
      out.push({ key: instanceKey(uid, s.name, restart), namespace, pod: name, uid, node: p.spec.nodeName, container: s.name, restart });
    }
  }
  return out;
}

/** A container's status in the pods, by pod uid; undefined when the pod or the container is gone. */
export function statusOf(pods: readonly PodView[], uid: string, container: string): ContainerStatusView | undefined {
  const pod = pods.find((p) => p.metadata?.uid === uid);
  return pod ? statuses(pod).find((s) => s.name === container) : undefined;
}

/**
 * How instance `restart` of a container can be read now: `current` (the log the kubelet serves by
 * default; `follow` while it runs), `previous` (previous=true: the last terminated one), `waiting`
 * (not started yet; ask again later) or `gone` (its log is no longer kept, or the pod is gone).
 */
export function howToRead(restart: number, s: ContainerStatusView | undefined): { how: 'current' | 'previous' | 'waiting' | 'gone'; follow: boolean } {
  if (!s) return { how: 'gone', follow: false };
  const now = s.restartCount ?? 0;
  const running = s.state?.running !== undefined;
  if (now === restart) {
    if (running) return { how: 'current', follow: true };
    if (s.state?.terminated !== undefined) return { how: 'current', follow: false };
    // Waiting after a crash (back-off): the instance that ended is the kubelet's "previous" one.
    return s.lastState?.terminated !== undefined ? { how: 'previous', follow: false } : { how: 'waiting', follow: false };
  }
  if (now === restart + 1) return { how: 'previous', follow: false };
  return { how: 'gone', follow: false };
}

export const CHECKPOINT_VERSION = 1;

const name = z.string().min(1).max(253);
export const KubeCheckpointSchema = z
  .object({
    version: z.literal(CHECKPOINT_VERSION),
    instances: z.record(
      z.string().max(600),
      z
        .object({
          namespace: z.string().max(253),
          pod: name,
          uid: name,
          container: name,
          node: z.string().max(253),
          restart: z.number().int().nonnegative(),
          ts: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/),
          n: z.number().int().nonnegative(),
          /** The instance was read to its end and all of it acked: nothing to resume, only to forget once its pod is gone. */
          done: z.literal(true).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type KubeCheckpoint = z.infer<typeof KubeCheckpointSchema>;
export type CheckpointEntry = KubeCheckpoint['instances'][string];
