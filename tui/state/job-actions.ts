// Which job an action key means, given what is selected: a workload or node in the cluster view, a
// job in the jobs view. Returns the dialog to open, or why the action does not apply here.
import type { ClusterDetail } from '../../core/fleet.js';
import type { JobRecord } from '../../core/jobs.js';
import type { NodeStatus, WorkloadStatus } from '../../core/status.js';
import type { DialogSpec } from './action-dialog.js';
import { isCancellable } from './jobs.js';

export const CLUSTER_ACTIONS = ['scale', 'restart', 'cordon', 'uncordon', 'drain', 'backup'] as const;
export type ClusterAction = (typeof CLUSTER_ACTIONS)[number];

export type SpecResult = { ok: true; spec: DialogSpec; fieldText: string } | { ok: false; error: string };

const WORKLOAD_ACTIONS = new Set<ClusterAction>(['scale', 'restart', 'backup']);

/** A backup id from the clock: sortable, unique per second, and a valid store path segment (BACKUP_ID). */
export function backupIdAt(now: number): string {
  const iso = new Date(now).toISOString();
  return `bk-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

function workloadSpec(action: ClusterAction, cluster: string, w: WorkloadStatus, now: number): SpecResult {
  const ref = `${w.namespace}/${w.name}`;
  const target = { kind: 'cluster', cluster } as const;
  if (action === 'backup') {
    return {
      ok: true,
      fieldText: w.namespace,
      spec: {
        title: `back up namespaces of ${ref} on ${cluster}`,
        method: 'job.submit',
        type: 'backup',
        target,
        params: { backupId: backupIdAt(now) },
        lines: [`Writes every object of the chosen namespaces as YAML to the store under clusters/${cluster}/backups/${backupIdAt(now)}/.`],
        field: { kind: 'namespaces', label: 'namespaces (comma-separated)' },
      },
    };
  }
  if (w.kind === 'DaemonSet') return { ok: false, error: `${ref} is a DaemonSet; ${action} works on Deployments and StatefulSets` };
  const base = { namespace: w.namespace, name: w.name, kind: w.kind };
  if (action === 'scale') {
    return {
      ok: true,
      fieldText: String(w.desired),
      spec: {
        title: `scale ${ref} on ${cluster}`,
        method: 'job.submit',
        type: 'scale',
        target,
        params: base,
        lines: [`Sets the replicas of ${w.kind} ${ref} on ${cluster} (now ${w.ready}/${w.desired} ready).`],
        field: { kind: 'replicas', label: 'replicas' },
      },
    };
  }
  return {
    ok: true,
    fieldText: '',
    spec: {
      title: `restart ${ref} on ${cluster}`,
      method: 'job.submit',
      type: 'restart',
      target,
      params: base,
      lines: [`Rolls every pod of ${w.kind} ${ref} on ${cluster}, one batch at a time.`],
      field: null,
    },
  };
}

function nodeSpec(action: ClusterAction, cluster: string, node: NodeStatus): SpecResult {
  const target = { kind: 'cluster', cluster } as const;
  const params = { node: node.name };
  const common = { method: 'job.submit', target, params, field: null } as const;
  switch (action) {
    case 'cordon':
      return { ok: true, fieldText: '', spec: { ...common, type: 'cordon', title: `cordon ${node.name} on ${cluster}`, lines: [`Marks node ${node.name} unschedulable; running pods stay.`] } };
    case 'uncordon':
      return { ok: true, fieldText: '', spec: { ...common, type: 'uncordon', title: `uncordon ${node.name} on ${cluster}`, lines: [`Lets new pods schedule on node ${node.name} again.`] } };
    default:
      return {
        ok: true,
        fieldText: '',
        spec: {
          ...common,
          type: 'drain',
          title: `drain ${node.name} on ${cluster}`,
          lines: [
            `Cordons node ${node.name} and evicts its pods, respecting PodDisruptionBudgets.`,
            'Pods restart elsewhere; if they cannot be evicted in time the job fails and the node stays cordoned.',
          ],
        },
      };
  }
}

export function clusterActionSpec(
  action: ClusterAction,
  cluster: string,
  detail: ClusterDetail | null,
  section: 'nodes' | 'workloads' | 'events',
  cursor: number,
  now: number,
): SpecResult {
  if (!detail) return { ok: false, error: `no data for ${cluster} yet; wait for its status` };
  if (WORKLOAD_ACTIONS.has(action)) {
    const w = section === 'workloads' ? detail.workloads[cursor] : undefined;
    return w ? workloadSpec(action, cluster, w, now) : { ok: false, error: `${action} needs a workload: tab to Workloads and select one` };
  }
  const node = section === 'nodes' ? detail.nodes[cursor] : undefined;
  return node ? nodeSpec(action, cluster, node) : { ok: false, error: `${action} needs a node: tab to Nodes and select one` };
}

export function cancelJobSpec(job: JobRecord | undefined): SpecResult {
  if (!job) return { ok: false, error: 'no job selected' };
  if (!isCancellable(job)) return { ok: false, error: `job ${job.id.slice(0, 8)} is ${job.state}; only pending or dispatched jobs can be cancelled` };
  return {
    ok: true,
    fieldText: '',
    spec: {
      title: `cancel ${job.type} job ${job.id.slice(0, 8)} on ${job.cluster}`,
      method: 'job.cancel',
      type: 'cancel',
      target: { kind: 'cluster', cluster: job.cluster },
      params: {},
      jobId: job.id,
      lines: [`Signs a cancellation for seq ${job.seq}; the agent honours it if the job has not started.`],
      field: null,
    },
  };
}
