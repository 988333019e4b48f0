// Runs one verified job against the cluster's actions. Backup and restore also use the store; the
// caller wraps it so a store outage is retried rather than reported as a failed job.
import type { SigningKey } from '../../core/keys.js';
import type { ObjectStore } from '../../core/store/types.js';
import { FlotillaError } from '../../core/errors.js';
import type { ActionContext, ActionOutcome, ClusterActions } from '../actions.js';
import type { LoggingApplier } from '../logs/logging-apply.js';
import type { MonitoringApplier } from '../monitoring/apply.js';
import { runBackup, runRestore } from './backup.js';
import type { TypedJob } from './verify.js';

export interface ExecuteDeps {
  cluster: string;
  store: ObjectStore;
  actions: ClusterActions;
  key: SigningKey;
  now: () => Date;
  /** Applies configure-logging; absent when the agent ships no logs. */
  logging?: LoggingApplier;
  /** Applies configure-monitoring (agent/monitoring/apply.ts). */
  monitoring?: MonitoringApplier;
}

/** `cancel` is not executed here: the runner settles it against its journal. */
export function execute(deps: ExecuteDeps, job: Exclude<TypedJob, { type: 'cancel' }>, secret: Record<string, string> | undefined, ctx: ActionContext): Promise<ActionOutcome> {
  const { actions } = deps;
  switch (job.type) {
    case 'scale':
      return actions.scale(job.params, ctx);
    case 'restart':
      return actions.restart(job.params, ctx);
    case 'cordon':
      return actions.cordon(job.params, ctx);
    case 'uncordon':
      return actions.uncordon(job.params, ctx);
    case 'drain':
      return actions.drain(job.params, ctx);
    case 'rotate-credentials': {
      const { sealed: _sealed, ...target } = job.params;
      return actions.writeCredentials(target, secret ?? {}, ctx);
    }
    case 'backup':
      return runBackup(deps, job.params, ctx);
    case 'restore':
      return runRestore(deps, job.params, ctx);
    case 'apply':
      // verifyJob checked that every object has apiVersion, kind and metadata.name.
      return actions.applyObjects(job.params.objects as unknown as Parameters<ClusterActions['applyObjects']>[0], ctx);
    case 'cleanup':
      return actions.cleanup(job.params, ctx);
    case 'configure-logging':
      if (!deps.logging) return Promise.reject(new FlotillaError('config', 'this agent ships no logs (logs.enabled is false, or no `server`)', 'Enable logs in the agent config and restart the agent, then switch the cluster again.'));
      return deps.logging.applyJob(job.params);
    case 'configure-monitoring':
      if (!deps.monitoring) return Promise.reject(new FlotillaError('internal', 'this agent runs no monitoring applier', 'Restart the agent; if it persists, report it.'));
      // The store as the caller wraps it: an outage retries the job instead of failing it.
      return deps.monitoring.applyJob(job.params, deps.store);
  }
}
