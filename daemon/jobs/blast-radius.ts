// What a job would touch on one cluster, read from its latest status report, for dry runs. Pure:
// the report is the daemon's newest verified one, so the answer is only as fresh as that report.
import type { JobType } from '../../core/jobs.js';
import type { StatusReport } from '../../core/status.js';

export interface Affected {
  cluster: string;
  /** One line per object affected, e.g. "node n1 (12 pods)" or "Deployment apps/web replicas 3 → 5". */
  affected: string[];
  /** Set when the latest report cannot say (no report yet, or the object is not in it). */
  warning?: string;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function blastRadius(cluster: string, type: JobType, params: Record<string, unknown>, report: StatusReport | null): Affected {
  if (!report) return { cluster, affected: [describe(type, params)], warning: 'no status report yet; the objects affected are not known' };
  switch (type) {
    case 'drain':
    case 'cordon':
    case 'uncordon': {
      const node = report.nodes.find((n) => n.name === params.node);
      if (!node) return { cluster, affected: [], warning: `node ${str(params.node)} is not in the latest status report` };
      const state = node.unschedulable ? 'cordoned' : 'schedulable';
      return { cluster, affected: [`node ${node.name} (${state}, ${node.usage.pods} pods${type === 'drain' ? ' to evict' : ''})`] };
    }
    case 'scale':
    case 'restart': {
      const kind = str(params.kind) || 'Deployment';
      const w = report.workloads.find((x) => x.namespace === params.namespace && x.name === params.name && x.kind === kind);
      if (!w) return { cluster, affected: [], warning: `${kind} ${str(params.namespace)}/${str(params.name)} is not in the latest status report` };
      const what = type === 'scale' ? `replicas ${w.desired} → ${String(params.replicas)}` : `${w.ready}/${w.desired} ready, rolling restart`;
      return { cluster, affected: [`${w.kind} ${w.namespace}/${w.name} ${what}`] };
    }
    case 'cleanup': {
      if (params.teardown === true) {
        return { cluster, affected: [`every namespace labelled flotilla.dev/managed=true (${report.workloads.length} workloads on the cluster)`] };
      }
      const ns = str(params.namespace);
      const inNs = ns ? report.workloads.filter((w) => w.namespace === ns) : [];
      const lines = ns ? [`namespace ${ns}`, ...inNs.map((w) => `${w.kind} ${w.namespace}/${w.name} (${w.desired} replicas)`)] : [];
      if (typeof params.selector === 'string') lines.push(`objects matching ${params.selector}${ns ? ` in ${ns}` : ''}`);
      return { cluster, affected: lines };
    }
    case 'backup':
    case 'restore': {
      const namespaces = Array.isArray(params.namespaces) ? params.namespaces.map(str) : [];
      const lines = namespaces.map((ns) => `namespace ${ns} (${report.workloads.filter((w) => w.namespace === ns).length} workloads)`);
      return { cluster, affected: lines.length > 0 ? lines : [describe(type, params)] };
    }
    default:
      return { cluster, affected: [describe(type, params)] };
  }
}

function describe(type: JobType, params: Record<string, unknown>): string {
  switch (type) {
    case 'rotate-credentials':
      return `${str(params.target) === 'service-account-token' ? 'ServiceAccount token' : 'Secret'} ${str(params.namespace)}/${str(params.name)}`;
    case 'apply':
      return `${Array.isArray(params.objects) ? params.objects.length : 0} objects (server-side apply)`;
    case 'restore':
      return `backup ${str(params.backupId)} from ${str(params.sourceCluster)}`;
    case 'drain':
    case 'cordon':
    case 'uncordon':
      return `node ${str(params.node)}`;
    case 'scale':
    case 'restart':
      return `${str(params.kind) || 'Deployment'} ${str(params.namespace)}/${str(params.name)}`;
    case 'cleanup':
      return params.teardown === true ? 'teardown of every managed namespace' : `namespace ${str(params.namespace)} ${str(params.selector)}`.trim();
    default:
      return type;
  }
}
