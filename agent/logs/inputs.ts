// The agent's log inputs from its config (docs/LOGS.md "Collecting"): one file input per entry of
// logs.inputs, or the backend's default when there is none — kubelet's CRI files on the kube
// backend, the files the simulated cluster writes under the data dir on the sim backend. All file
// inputs share one cap on followed files (logs.maxFiles) and one checkpoint file. With
// logs.kubeApi.enabled on the kube backend, the Kubernetes API input (kube-api-input.ts) is added.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../../core/log.js';
import type { LogFileInput } from '../../config/logs-schema.js';
import { CheckpointStore } from './checkpoints.js';
import { FileBudget, FileInput } from './file-input.js';
import type { LogInput } from './input.js';
import { openKubeApiInput, type KubeApiInputConfig } from './kube-api-input.js';

export interface LogInputsContext {
  dataDir: string;
  cluster: string;
  backendKind: string;
  podNode(namespace: string, pod: string): string | undefined;
  logger: Logger;
  /** Relative globs in logs.inputs resolve from here; default: the data dir. */
  configDir?: string;
}

/** Where the simulated cluster writes its pods' CRI files: <dataDir>/sim-logs/pods/<ns>_<pod>_<uid>/<container>/<n>.log. */
export function simLogsDir(dataDir: string): string {
  return join(dataDir, 'sim-logs');
}

export const CHECKPOINTS_FILE = 'log-checkpoints.json';

export function defaultFileInputs(backendKind: string, dataDir: string): LogFileInput[] {
  if (backendKind === 'kube') return [{ paths: ['/var/log/pods/*/*/*.log'], exclude: [], format: 'cri' }];
  return [{ paths: [join(simLogsDir(dataDir), 'pods/*/*/*.log')], exclude: [], format: 'cri' }];
}

/** A name that stays with an input while its globs and format do (its checkpoint section), whatever its place in the list. */
function inputName(i: LogFileInput): string {
  const h = createHash('sha256').update(JSON.stringify([i.format, i.paths, i.exclude, i.namespace ?? ''])).digest('hex').slice(0, 12);
  return `files-${i.format}-${h}`;
}

export async function openLogInputs(config: KubeApiInputConfig, ctx: LogInputsContext): Promise<LogInput[]> {
  const logs = config.logs;
  if (!logs.enabled) return [];
  const store = await CheckpointStore.open(join(ctx.dataDir, CHECKPOINTS_FILE), ctx.logger);
  const budget = new FileBudget(logs.maxFiles);
  const inputs: LogInput[] = [];
  // An agent that reads logs through the Kubernetes API has no node files: no default file input then.
  const viaApi = ctx.backendKind === 'kube' && logs.kubeApi.enabled;
  for (const input of logs.inputs ?? (viaApi ? [] : defaultFileInputs(ctx.backendKind, ctx.dataDir))) {
    const f = new FileInput({
      name: inputName(input),
      input,
      cluster: ctx.cluster,
      podNode: (ns, pod) => ctx.podNode(ns, pod),
      store,
      budget,
      scanIntervalMs: logs.scanIntervalMs,
      holdDeletedSeconds: logs.holdDeletedSeconds,
      cwd: ctx.configDir ?? ctx.dataDir,
      logger: ctx.logger.child({ input: inputName(input) }),
    });
    await f.start();
    inputs.push(f);
  }
  // The Kubernetes API input (logs.kubeApi, kube backend only) comes after the file inputs.
  const kubeApi = await openKubeApiInput(config, { dataDir: ctx.dataDir, cluster: ctx.cluster, logger: ctx.logger });
  if (kubeApi) inputs.push(kubeApi);
  return inputs;
}
